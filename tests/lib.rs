//! End-to-end tests live in `api/` (HTTP) and `browser/` (headless Chromium); this crate has no
//! library code.
