//! `am-planner evaluate`: individual situations as JSON Lines in, one result line out per
//! situation, in the same order. A bad line is reported with its number and the batch goes on.
//!
//! Input line: the individual case of the API in JSON (see README, "Batch evaluation").
//! Output line: `{"line": n, "regime", "verdict", "failing": [...], "undecided": [...],
//! "contract_year", "year_maximum", "payable", "objectives": [...]}` or `{"line": n, "error": "..."}`.

use std::io::{BufRead, IsTerminal, Write};
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

fn result_line(book: &RuleBook, line: u64, text: &str) -> Result<serde_json::Value, String> {
    let case: IndividualCase = serde_json::from_str(text).map_err(|e| format!("invalid situation: {e}"))?;
    let r = individual::evaluate(book, &case, &mut NoTrace).map_err(|e| e.to_string())?;
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

/// Evaluates every line of `input` into `output`. `total_bytes` (the input file's size, when
/// known) drives the progress bar.
pub fn run(
    book: &RuleBook,
    input: impl BufRead,
    mut output: impl Write,
    total_bytes: Option<u64>,
) -> std::io::Result<BatchSummary> {
    let mut summary = BatchSummary::default();
    let mut progress = Progress::new(total_bytes);
    let mut bytes = 0u64;
    for (index, line) in input.lines().enumerate() {
        let number = index as u64 + 1;
        let line = line?;
        bytes += line.len() as u64 + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value = match result_line(book, number, &line) {
            Ok(v) => {
                summary.evaluated += 1;
                v
            }
            Err(error) => {
                summary.errors += 1;
                json!({ "line": number, "error": error })
            }
        };
        serde_json::to_writer(&mut output, &value)?;
        output.write_all(b"\n")?;
        progress.tick(number, bytes);
    }
    output.flush()?;
    progress.finish();
    Ok(summary)
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
}
