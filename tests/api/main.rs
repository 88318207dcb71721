//! End-to-end: the real server on an ephemeral port, queried over HTTP like a client would.
//! One test binary for all HTTP tests (compiles once).

mod activity;
mod cpam;
mod dashboard;
mod funding;
mod helpers;
mod http;
mod requests;
