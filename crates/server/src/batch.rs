//! `am-planner evaluate`: individual situations in, one result line out per situation, in the
//! same order. A bad situation is reported with its line number and the batch goes on.
//!
//! Input: a stream of JSON documents, each the individual case of the API (see README, "Batch
//! evaluation"): one per line (JSON Lines) or pretty-printed over several lines, as pasted from
//! the README. Blank lines are skipped. Input is read line by line and a document is kept only
//! until it parses (at most [`MAX_DOCUMENT_BYTES`]), so memory stays bounded for any input.
//! After a JSON syntax error the reader resynchronises at the next line that starts with `{` in
//! its first column; the lines between are skipped. A line starting with `{` while a document
//! is still open ends that document as incomplete.
//!
//! Output line: `{"line": n, "regime", "verdict", "failing": [...], "undecided": [...],
//! "contract_year", "year_maximum", "payable", "objectives": [...]}` or `{"line": n, "error": "..."}`,
//! where `line` is the input line on which the situation's document starts (counting blank
//! lines); positions inside an error message count from that line.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::time::{Duration, Instant};

use domain::rules::individual::{self, IndividualCase};
use domain::rules::{NoTrace, RuleBook};
use serde::Serialize;
use serde_json::json;

/// Counts of a finished batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchSummary {
    pub evaluated: u64,
    pub errors: u64,
}

#[derive(Serialize)]
struct TargetLine {
    indicator: &'static str,
    kind: domain::rules::TargetKind,
    baseline: u32,
    target: u32,
}

fn money(d: rust_decimal::Decimal) -> String {
    format!("{d:.2}")
}

/// Longest situation document read, in bytes. A situation is well under 2 KiB even
/// pretty-printed; a longer document is refused, which bounds the memory a batch needs.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// Exit status of `am-planner evaluate` when at least one situation was refused (an `error`
/// line), after every line and the summary are written. A fatal error (unreadable input,
/// unwritable output, rules that do not load) exits with 1; a clean batch with 0.
pub const EXIT_REFUSED: u8 = 2;

fn result_line(book: &RuleBook, line: u64, case: &IndividualCase) -> Result<serde_json::Value, String> {
    let r = individual::evaluate(book, case, &mut NoTrace).map_err(|e| e.to_string())?;
    let objectives: Vec<TargetLine> = r
        .objectives
        .iter()
        .map(|t| TargetLine { indicator: t.indicator.code(), kind: t.kind, baseline: t.baseline, target: t.target })
        .collect();
    Ok(json!({
        "line": line,
        "regime": r.regime,
        "verdict": r.verdict,
        "failing": r.failing.iter().map(|id| id.code()).collect::<Vec<_>>(),
        "undecided": r.undecided.iter().map(|id| id.code()).collect::<Vec<_>>(),
        "contract_year": r.year.map(|y| y.contract_year),
        "year_maximum": r.year.map(|y| money(y.maximum)),
        "payable": r.payable.map(money),
        "objectives": objectives,
        "objectives_due_by": r.objectives.due_by,
    }))
}

/// Draws `[#####.....] 12,345 lines  48 %` on stderr when it is a terminal, at most 5 times a
/// second; logs nothing otherwise.
struct Progress {
    enabled: bool,
    total_bytes: Option<u64>,
    last: Instant,
}

impl Progress {
    fn new(total_bytes: Option<u64>) -> Self {
        Self { enabled: std::io::stderr().is_terminal(), total_bytes, last: Instant::now() }
    }

    fn tick(&mut self, lines: u64, bytes: u64) {
        if !self.enabled || self.last.elapsed() < Duration::from_millis(200) {
            return;
        }
        self.last = Instant::now();
        let bar = match self.total_bytes.filter(|t| *t > 0) {
            Some(total) => {
                let done = (bytes.min(total) * 30 / total) as usize;
                format!("[{}{}] {:>3} % ", "#".repeat(done), ".".repeat(30 - done), bytes.min(total) * 100 / total)
            }
            None => String::new(),
        };
        eprint!("\r{bar}{lines} situations");
    }

    fn finish(&self) {
        if self.enabled {
            eprintln!();
        }
    }
}

/// Where the reader is between documents.
#[derive(Clone, Copy)]
enum State {
    /// Waiting for a document: the next non-blank line starts one.
    Between,
    /// Inside a document that started on line `start`, accumulated in `text`.
    Open { start: u64 },
    /// After a syntax error: skipping to the next line that starts with `{`.
    Resync,
}

struct Writer<'b, W> {
    book: &'b RuleBook,
    output: W,
    summary: BatchSummary,
}

impl<W: Write> Writer<'_, W> {
    fn emit(&mut self, line: u64, result: Result<serde_json::Value, String>) -> std::io::Result<()> {
        let value = match result {
            Ok(v) => {
                self.summary.evaluated += 1;
                v
            }
            Err(error) => {
                self.summary.errors += 1;
                json!({ "line": line, "error": error })
            }
        };
        serde_json::to_writer(&mut self.output, &value)?;
        self.output.write_all(b"\n")
    }

    /// Parses and evaluates a whole document; `incomplete` names an EOF error's cause.
    fn document(&mut self, line: u64, text: &str, incomplete: &str) -> std::io::Result<()> {
        let result = match serde_json::from_str::<IndividualCase>(text) {
            Ok(case) => result_line(self.book, line, &case),
            Err(e) if e.is_eof() => Err(format!("incomplete situation ({incomplete}): {e}")),
            Err(e) => Err(format!("invalid situation: {e}")),
        };
        self.emit(line, result)
    }
}

fn too_long() -> String {
    format!("a situation is at most {MAX_DOCUMENT_BYTES} bytes; this one is longer")
}

/// Reads one line of at most `max` bytes into `raw`. The rest of a longer line is read and
/// dropped a buffer at a time, so that one huge line without a newline never sits in memory.
/// Returns the bytes consumed and whether the line was cut.
fn read_bounded_line(input: &mut impl BufRead, raw: &mut Vec<u8>, max: usize) -> std::io::Result<(usize, bool)> {
    let mut read = input.by_ref().take(max as u64).read_until(b'\n', raw)?;
    if read < max || raw.last() == Some(&b'\n') {
        return Ok((read, false));
    }
    loop {
        let buf = input.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let (used, done) = match buf.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        input.consume(used);
        read += used;
        if done {
            break;
        }
    }
    Ok((read, true))
}

/// Evaluates every situation of `input` into `output` (see the module's documentation for
/// the input). `total_bytes` (the input file's size, when known) drives the progress bar.
pub fn run(
    book: &RuleBook,
    mut input: impl BufRead,
    output: impl Write,
    total_bytes: Option<u64>,
) -> std::io::Result<BatchSummary> {
    let mut w = Writer { book, output, summary: BatchSummary::default() };
    let mut progress = Progress::new(total_bytes);
    let (mut bytes, mut number) = (0u64, 0u64);
    let mut state = State::Between;
    let mut raw = Vec::new();
    let mut document = String::new();
    loop {
        raw.clear();
        let (read, cut) = read_bounded_line(&mut input, &mut raw, MAX_DOCUMENT_BYTES + 1)?;
        if read == 0 {
            break;
        }
        number += 1;
        bytes += read as u64;
        if cut {
            let start = if let State::Open { start } = state { start } else { number };
            w.emit(start, Err(too_long()))?;
            document.clear();
            state = State::Resync;
            continue;
        }
        let Ok(line) = std::str::from_utf8(&raw) else {
            if let State::Open { start } = state {
                w.document(start, &document, "it runs into a line that is not UTF-8")?;
                document.clear();
            }
            w.emit(number, Err("the line is not UTF-8 text".into()))?;
            state = State::Resync;
            continue;
        };
        let line = line.trim_end_matches(['\n', '\r']);
        let at_margin = line.starts_with('{');
        state = match state {
            State::Resync if !at_margin => continue,
            State::Between if line.trim().is_empty() => continue,
            State::Resync | State::Between => State::Open { start: number },
            State::Open { start } if at_margin => {
                // A new document at the margin: the open one never completed.
                w.document(start, &document, &format!("line {number} starts the next one"))?;
                document.clear();
                State::Open { start: number }
            }
            open @ State::Open { .. } => {
                document.push('\n');
                open
            }
        };
        let State::Open { start } = state else { continue };
        document.push_str(line);
        if document.len() > MAX_DOCUMENT_BYTES {
            w.emit(start, Err(too_long()))?;
            document.clear();
            state = State::Resync;
            continue;
        }
        // A document can only end on a line that closes an object (or an array).
        if !line.trim_end().ends_with(['}', ']']) {
            continue;
        }
        match serde_json::from_str::<IndividualCase>(&document) {
            Err(e) if e.is_eof() => continue,
            Ok(case) => {
                let result = result_line(book, start, &case);
                w.emit(start, result)?;
                state = State::Between;
            }
            Err(e) => {
                w.emit(start, Err(format!("invalid situation: {e}")))?;
                state = if e.is_syntax() { State::Resync } else { State::Between };
            }
        }
        document.clear();
        progress.tick(w.summary.evaluated + w.summary.errors, bytes);
    }
    if let State::Open { start } = state {
        w.document(start, &document, "the input ends inside it")?;
    }
    w.output.flush()?;
    progress.finish();
    Ok(w.summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluates_good_lines_and_reports_bad_ones_without_stopping() {
        let book = RuleBook::embedded().expect("embedded rules");
        let input = concat!(
            r#"{"signed_on":"2024-09-01","option":"ONE_ETP","as_of":"2026-10-01","doctor":{"specialty":"GENERAL_PRACTICE","sector":"SECTOR_1","band":"P50_P70","activity":{"pmt":1300,"file_active":2100}}}"#,
            "\n",
            "this is not json\n",
            "\n",
            r#"{"signed_on":"2019-08-20","option":"HALF_ETP","doctor":{"specialty":"GENERAL_PRACTICE","sector":"SECTOR_1"}}"#,
            "\n",
            r#"{"signed_on":"2024-10-01","option":"HALF_ETP","doctor":{"specialty":"RADIOLOGY","sector":"SECTOR_1","band":"P50_P70"}}"#,
            "\n",
        );
        let mut out = Vec::new();
        let summary = run(&book, input.as_bytes(), &mut out, None).expect("runs");
        assert_eq!(summary, BatchSummary { evaluated: 2, errors: 2 });
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .expect("utf-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0]["line"], 1);
        assert_eq!(lines[0]["verdict"], "ELIGIBLE");
        assert_eq!(lines[0]["year_maximum"], "22000.00");
        assert_eq!(lines[0]["objectives"][0]["target"], 1560);
        assert_eq!(lines[1]["line"], 2);
        assert!(lines[1]["error"].as_str().is_some_and(|e| e.starts_with("invalid situation")));
        assert_eq!(lines[2]["line"], 4, "line numbers count blank lines");
        assert!(lines[2]["error"].as_str().is_some_and(|e| e.starts_with("no regime")));
        assert_eq!(lines[3]["failing"], serde_json::json!(["IND-SPECIALTY"]));
    }

    const GOOD: &str = r#"{"signed_on":"2024-09-01","option":"ONE_ETP","as_of":"2026-10-01","doctor":{"specialty":"GENERAL_PRACTICE","sector":"SECTOR_1","band":"P50_P70","activity":{"pmt":1300,"file_active":2100}}}"#;

    fn results(input: &str) -> (BatchSummary, Vec<serde_json::Value>) {
        let book = RuleBook::embedded().expect("embedded rules");
        let mut out = Vec::new();
        let summary = run(&book, input.as_bytes(), &mut out, None).expect("runs");
        let lines = String::from_utf8(out)
            .expect("utf-8")
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON line"))
            .collect();
        (summary, lines)
    }

    fn lines_and_kinds(lines: &[serde_json::Value]) -> Vec<(u64, &str)> {
        lines
            .iter()
            .map(|l| (l["line"].as_u64().unwrap_or(0), if l.get("error").is_some() { "error" } else { "result" }))
            .collect()
    }

    #[test]
    fn pretty_printed_documents_are_numbered_by_their_first_line() {
        let pretty = serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(GOOD).expect("json"))
            .expect("pretty");
        let input = format!("\n{pretty}\n{GOOD}\n\n  {pretty}\n");
        let (summary, lines) = results(&input);
        assert_eq!(summary, BatchSummary { evaluated: 3, errors: 0 });
        let second = 2 + pretty.lines().count() as u64;
        assert_eq!(lines_and_kinds(&lines), [(2, "result"), (second, "result"), (second + 2, "result")]);
        assert!(lines.iter().all(|l| l["year_maximum"] == "22000.00"), "{lines:?}");
    }

    #[test]
    fn after_a_syntax_error_the_batch_resumes_at_the_next_line_starting_with_a_brace() {
        let input = format!(
            "{{\n  \"signed_on\": \"2024-09-01\",,\n  \"option\": \"ONE_ETP\"\n  {{ \"indented\": 1 }}\n}}\n{GOOD}\n"
        );
        let (summary, lines) = results(&input);
        assert_eq!(summary, BatchSummary { evaluated: 1, errors: 1 });
        assert_eq!(lines_and_kinds(&lines), [(1, "error"), (6, "result")]);
        assert!(lines[0]["error"].as_str().is_some_and(|e| e.starts_with("invalid situation")), "{lines:?}");
    }

    #[test]
    fn a_truncated_line_does_not_swallow_the_next_one() {
        let truncated = &GOOD[..60];
        let (summary, lines) = results(&format!("{truncated}\n{GOOD}\n{truncated}\n"));
        assert_eq!(summary, BatchSummary { evaluated: 1, errors: 2 });
        assert_eq!(lines_and_kinds(&lines), [(1, "error"), (2, "result"), (3, "error")]);
        assert!(lines[0]["error"].as_str().is_some_and(|e| e.contains("line 2 starts the next one")), "{lines:?}");
        assert!(lines[2]["error"].as_str().is_some_and(|e| e.contains("the input ends inside it")), "{lines:?}");
    }

    #[test]
    fn a_valid_json_value_that_is_no_situation_is_refused_and_the_next_line_read() {
        let (summary, lines) = results(&format!("{{\"signed_on\": \"not a date\"}}\n  {GOOD}\n"));
        assert_eq!(summary, BatchSummary { evaluated: 1, errors: 1 });
        assert_eq!(lines_and_kinds(&lines), [(1, "error"), (2, "result")]);
    }

    #[test]
    fn documents_are_bounded_and_lines_must_be_utf8() {
        let long = format!("{{\"signed_on\": \"2024-09-01\",\n{}", "  \"x\": 1,\n".repeat(MAX_DOCUMENT_BYTES / 8));
        let (summary, lines) = results(&format!("{long}}}\n{GOOD}\n"));
        assert_eq!(summary, BatchSummary { evaluated: 1, errors: 1 });
        assert_eq!(lines[0]["line"], 1);
        assert!(lines[0]["error"].as_str().is_some_and(|e| e.contains("at most")), "{lines:?}");
        assert_eq!(lines[1]["verdict"], "ELIGIBLE");

        let book = RuleBook::embedded().expect("embedded rules");
        let mut input = b"{\"signed_on\": \"\xff\"}\n".to_vec();
        input.extend_from_slice(GOOD.as_bytes());
        let mut out = Vec::new();
        let summary = run(&book, input.as_slice(), &mut out, None).expect("runs");
        assert_eq!(summary, BatchSummary { evaluated: 1, errors: 1 });
        assert!(String::from_utf8_lossy(&out).contains("not UTF-8"));
    }

    /// One line of several times the bound, with no newline inside: cut, reported, skipped.
    #[test]
    fn a_huge_single_line_is_never_held_whole() {
        let mut raw = Vec::new();
        let huge = format!("{{\"signed_on\": \"{}\"}}\n{GOOD}\n", "x".repeat(4 * MAX_DOCUMENT_BYTES));
        let mut reader = std::io::BufReader::with_capacity(8 * 1024, huge.as_bytes());
        let (read, cut) = read_bounded_line(&mut reader, &mut raw, MAX_DOCUMENT_BYTES + 1).expect("reads");
        assert!(cut);
        assert_eq!(raw.len(), MAX_DOCUMENT_BYTES + 1, "only the bound is kept");
        assert_eq!(read, 4 * MAX_DOCUMENT_BYTES + 18, "the whole line is consumed");
        let (summary, lines) = results(&huge);
        assert_eq!(summary, BatchSummary { evaluated: 1, errors: 1 });
        assert_eq!(lines_and_kinds(&lines), [(1, "error"), (2, "result")]);
    }
}
