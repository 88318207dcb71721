//! The `am-planner` binary as an operator runs it.

use std::path::PathBuf;
use std::process::Command;

fn binary() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_am-planner"));
    // Start from the defaults whatever the developer's environment holds.
    for (key, _) in std::env::vars() {
        if key.starts_with("AMP_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("amp-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn evaluate_turns_json_lines_into_result_lines() {
    let dir = temp_dir("evaluate");
    let input = dir.join("situations.jsonl");
    let output = dir.join("results.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"signed_on":"2021-03-01","option":"ONE_THIRD_ETP","as_of":"2025-03-15","doctor":{"specialty":"GENERAL_PRACTICE","sector":"SECTOR_1","band":"P50_P70","grouped_practice":true,"coordinated_practice":true,"activity":{"adult_pmt":1100,"file_active":2000}}}"#,
            "\n",
            r#"{"signed_on":"2024-10-01","option":"HALF_ETP","doctor":{"specialty":"GENERAL_PRACTICE","sector":"SECTOR_2"}}"#,
            "\n",
            "{\"signed_on\": \"not a date\"}\n",
        ),
    )
    .expect("write input");
    let out = binary().args(["evaluate", "--input"]).arg(&input).arg("--output").arg(&output).output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "a refused line exits with 2: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("evaluated 2 situations, 1 lines refused"), "{stderr}");
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&output)
        .expect("output written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["year_maximum"], "7350.00", "E4, year 5");
    assert_eq!(lines[1]["failing"], serde_json::json!(["IND-SECTOR"]));
    assert_eq!(lines[1]["verdict"], "NOT_ELIGIBLE");
    assert_eq!(lines[2]["line"], 3);
    assert!(lines[2]["error"].is_string());
    std::fs::remove_dir_all(&dir).ok();
}

/// The ```json blocks of the README's "Batch evaluation" section: input, then output example.
fn readme_batch_examples() -> (String, serde_json::Value) {
    let readme = include_str!("../../../README.md");
    let section = readme.split("### Batch evaluation").nth(1).expect("README has a Batch evaluation section");
    let mut blocks = section.split("```json").skip(1).filter_map(|b| b.split("```").next());
    let input = blocks.next().expect("an input example").to_owned();
    let output = serde_json::from_str(blocks.next().expect("an output example")).expect("output example is JSON");
    (input, output)
}

#[test]
fn evaluate_reads_the_pretty_printed_readme_example_and_exits_0() {
    let (input_text, expected) = readme_batch_examples();
    let input_text = input_text.trim();
    assert!(input_text.trim().lines().count() > 1, "the README example is pretty-printed");
    let dir = temp_dir("evaluate-readme");
    let input = dir.join("situation.json");
    std::fs::write(&input, format!("{input_text}\n{input_text}")).expect("write input");
    let out = binary().args(["evaluate", "--input"]).arg(&input).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(lines[0], expected, "the README's output example is what its input gives");
    assert_eq!(lines[1]["line"], 1 + input_text.lines().count() as u64, "numbered by the line a document starts on");
    assert!(String::from_utf8_lossy(&out.stderr).contains("evaluated 2 situations, 0 lines refused"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn evaluate_exits_1_on_an_unreadable_input_and_usage_errors() {
    let missing = temp_dir("evaluate-missing").join("absent.jsonl");
    let out = binary().args(["evaluate", "--input"]).arg(&missing).output().expect("runs");
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("absent.jsonl"));
    let out = binary().args(["evaluate", "--no-such-flag"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1), "2 only means refused situations");
    assert_eq!(binary().arg("--help").output().expect("runs").status.code(), Some(0));
}

#[test]
fn a_malformed_rules_override_stops_the_start_naming_file_and_key() {
    let dir = temp_dir("bad-override");
    std::fs::write(
        dir.join("amounts-2027.toml"),
        r#"family = "amounts"
[parameters."amount.half_etp.year_1"]
description = "a revaluation that forgot its reference"
series = [ { from = 2019-08-21, value = 20000, reference = "", source = "https://example.org", confidence = "assumption", checked_on = 2026-11-23 } ]
"#,
    )
    .expect("write override");
    let out = binary()
        .arg("serve")
        .env("AMP_RULES__OVERRIDE_DIR", &dir)
        .env("AMP_DATABASE__URL", "sqlite::memory:")
        .env("AMP_SERVER__BIND", "127.0.0.1:0")
        .output()
        .expect("runs");
    assert!(!out.status.success(), "the service must not start");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("amounts-2027.toml"), "{stderr}");
    assert!(stderr.contains("amount.half_etp.year_1"), "{stderr}");
    assert!(stderr.contains("missing reference"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}
