//! The rules catalogue, `config/rules/catalogue.md`: every rule id with its references, the
//! parameters it reads (each dated value with its provenance) and the cases that cover it,
//! generated from the code, the parameter files and the case file so that it cannot drift
//! (`tests/catalogue.rs` compares it with the committed file).
//!
//! Which parameters a rule reads is observed, not declared: every case of the case file is
//! evaluated with a [`Recorder`], as `tests/rule_cases.rs` runs it, and each rule's trace names
//! the parameters it read. A parameter read on no path the cases take is listed as read by no
//! rule.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use serde::Deserialize;

use super::params::{Confidence, P, SPECS};
use super::{
    Explanation, Recorder, RuleBook, RuleError, RuleId, Verdict, aci, assistant, collective, compatibility, individual,
    structure,
};

/// The parts of the case file the catalogue reads (`tests/rule_cases.rs` checks the rest).
#[derive(Debug, Deserialize)]
struct CaseFile {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    id: String,
    kind: String,
    input: toml::Value,
    #[serde(default)]
    expect: Expect,
}

#[derive(Debug, Default, Deserialize)]
struct Expect {
    #[serde(default)]
    rules: BTreeMap<String, String>,
    error: Option<String>,
}

const UNREAD: &str = "Parameters not read by any rule";
const CONFIDENCE: &str = "Confidence of the parameter values";

/// Outcome codes in the order the catalogue lists them.
const OUTCOMES: [&str; 5] = ["PASS", "FAIL", "WARN", "NOT_APPLICABLE", "UNDECIDED"];

/// A rule's kind, as the catalogue groups the rules: rank, heading and what its rules do.
fn kind(id: RuleId) -> (u8, &'static str, &'static str) {
    if compatibility::RULES.contains(&id) {
        (
            3,
            "Compatibility rules",
            "The rules that check how the AM aid combines with the structure's other public money.",
        )
    } else if id.decides_eligibility() {
        (0, "Eligibility rules", "The rules an eligibility verdict rests on.")
    } else if id.is_amount() {
        (1, "Amount rules", "The rules that set the yearly maxima and their payment.")
    } else if id.is_objective() {
        (2, "Objective rules", "The rules that set the objectives and measure their achievement.")
    } else {
        (4, "Other rules", "The rules that decide neither eligibility, amounts nor objectives.")
    }
}

/// The (rule, parameter) reads of one case's evaluation.
fn reads(book: &RuleBook, case: &Case) -> Result<Vec<(RuleId, P)>, String> {
    fn input<T: serde::de::DeserializeOwned>(v: &toml::Value) -> Result<T, String> {
        v.clone().try_into().map_err(|e| format!("input: {e}"))
    }
    let rule_error = |e: RuleError| e.to_string();
    let explanation = match case.kind.as_str() {
        "individual" => individual::explain(book, &input(&case.input)?).map_err(rule_error)?.1,
        "schedule" => {
            let mut recorder = Recorder::new();
            individual::schedule(book, &input(&case.input)?, &mut recorder).map_err(rule_error)?;
            Explanation::new(Verdict::Eligible, recorder)
        }
        "collective" => {
            // The explanation borrows the case (it names the members): read it in this scope.
            let group: collective::CollectiveCase = input(&case.input)?;
            let (_, e) = collective::explain(book, &group).map_err(rule_error)?;
            return Ok(param_reads(&e));
        }
        "structure" => {
            let standing: structure::StructureCase = input(&case.input)?;
            return Ok(param_reads(&structure::explain(&standing).1));
        }
        "assistant" => assistant::explain(book, &input(&case.input)?).map_err(rule_error)?.1,
        "compatibility" => {
            let funding: compatibility::CompatibilityCase = input(&case.input)?;
            return Ok(param_reads(&compatibility::explain(book, &funding).map_err(rule_error)?.1));
        }
        "aci" => aci::explain(book, &input(&case.input)?).map_err(rule_error)?.1,
        other => return Err(format!("unknown kind `{other}`")),
    };
    Ok(param_reads(&explanation))
}

fn param_reads(e: &Explanation<'_>) -> Vec<(RuleId, P)> {
    e.rules().flat_map(|t| t.params.iter().map(move |(p, _)| (t.id, *p))).collect()
}

/// A heading's anchor, as GitHub derives it: lower case, punctuation dropped, spaces to hyphens.
fn anchor(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn rule_heading(id: RuleId) -> String {
    format!("{} — {}", id.code(), id.title())
}

/// Text fit for a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn confidence(c: Confidence) -> String {
    c.code().to_lowercase()
}

/// A parameter: key, file, description, then its dated values.
fn parameter(out: &mut String, book: &RuleBook, p: P) {
    let _ = writeln!(out, "**`{}`** (`{}`): {}\n", p.spec().key, book.origin(p), book.description(p));
    out.push_str("| From | Value | Confidence | Checked on | Reference | Source |\n");
    out.push_str("| --- | --- | --- | --- | --- | --- |\n");
    for s in book.series(p) {
        let v = &s.provenance;
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | <{}> |",
            s.from,
            cell(&s.value.to_string()),
            confidence(v.confidence),
            v.checked_on,
            cell(&v.reference),
            v.source
        );
    }
    out.push('\n');
}

/// Renders the catalogue from the rule book and the text of `tests/cases/rules.toml`.
pub fn render(book: &RuleBook, cases_toml: &str) -> Result<String, String> {
    let file: CaseFile = toml::from_str(cases_toml).map_err(|e| format!("case file: {e}"))?;
    let mut read: BTreeSet<(RuleId, P)> = BTreeSet::new();
    // (rule, outcome's rank in OUTCOMES, case id)
    let mut covered: BTreeSet<(RuleId, usize, &str)> = BTreeSet::new();
    for case in &file.case {
        match reads(book, case) {
            Ok(pairs) => read.extend(pairs),
            // Cases of refused evaluations read nothing worth listing.
            Err(_) if case.expect.error.is_some() => {}
            Err(e) => return Err(format!("case {}: {e}", case.id)),
        }
        for (code, outcome) in &case.expect.rules {
            let id = RuleId::from_code(code).ok_or_else(|| format!("case {}: unknown rule id {code}", case.id))?;
            let rank = OUTCOMES
                .iter()
                .position(|o| o == outcome)
                .ok_or_else(|| format!("case {}: unknown outcome {outcome}", case.id))?;
            covered.insert((id, rank, case.id.as_str()));
        }
    }
    let mut rules: Vec<RuleId> = RuleId::ALL.to_vec();
    rules.sort_by_key(|id| kind(*id).0);
    let unread: Vec<P> = SPECS.iter().map(|s| s.id).filter(|p| !read.iter().any(|(_, q)| q == p)).collect();
    let values: usize = SPECS.iter().map(|s| book.series(s.id).len()).sum();

    let mut out = String::new();
    out.push_str("<!-- Generated by crates/domain/src/rules/catalogue.rs: do not edit; run `just catalogue`. -->\n\n");
    out.push_str("# Rules catalogue\n\n");
    out.push_str(
        "Generated from the code: the rule ids, their titles and references \
         (`crates/domain/src/rules/explain.rs`), the parameter files of this directory as the \
         rule book loads them, and the rule cases (`crates/domain/tests/cases/rules.toml`). Do \
         not edit it: regenerate it with `just catalogue` (that is, \
         `UPDATE_CATALOGUE=1 cargo test -p domain --test catalogue`); the same test, without the \
         variable, fails when this file is out of date.\n\n",
    );
    out.push_str(
        "The parameters of a rule are those it read while every case of the case file was \
         evaluated with a recorder, as the explanations report them; a parameter read on no \
         path the cases take is listed as read by no rule. The cases of a rule are those whose \
         expectations name it, with the outcome they expect.\n\n",
    );
    let _ = writeln!(
        out,
        "{} rules, {} parameters ({values} dated values), {} cases.\n",
        rules.len(),
        SPECS.len(),
        file.case.len()
    );

    out.push_str("## Contents\n\n");
    let first_of_kind = |i: usize| i == 0 || kind(rules[i - 1]).0 != kind(rules[i]).0;
    for (i, &id) in rules.iter().enumerate() {
        if first_of_kind(i) {
            let (_, heading, _) = kind(id);
            let _ = writeln!(out, "- [{heading}](#{})", anchor(heading));
        }
        let heading = rule_heading(id);
        let _ = writeln!(out, "  - [{heading}](#{})", anchor(&heading));
    }
    for heading in [UNREAD, CONFIDENCE] {
        let _ = writeln!(out, "- [{heading}](#{})", anchor(heading));
    }
    out.push('\n');

    for (i, &id) in rules.iter().enumerate() {
        if first_of_kind(i) {
            let (_, heading, text) = kind(id);
            let _ = writeln!(out, "## {heading}\n\n{text}\n");
        }
        let _ = writeln!(out, "### {}\n\nReferences: {}\n", rule_heading(id), id.reference());
        let params: Vec<P> = read.iter().filter(|(r, _)| *r == id).map(|(_, p)| *p).collect();
        if params.is_empty() {
            out.push_str("Parameters: none.\n\n");
        } else {
            let _ = writeln!(out, "Parameters ({}):\n", params.len());
            for p in params {
                parameter(&mut out, book, p);
            }
        }
        out.push_str("Cases:\n\n");
        let mut any = false;
        for (rank, outcome) in OUTCOMES.iter().enumerate() {
            let ids: Vec<String> =
                covered.iter().filter(|(r, o, _)| *r == id && *o == rank).map(|(_, _, c)| format!("`{c}`")).collect();
            if !ids.is_empty() {
                let _ = writeln!(out, "- {outcome} ({}): {}", ids.len(), ids.join(", "));
                any = true;
            }
        }
        out.push_str(if any { "\n" } else { "- none\n\n" });
    }

    let _ = writeln!(
        out,
        "## {UNREAD}\n\nNo rule's trace names these parameters in any case: the evaluation reads \
         them outside the rules, or only on a path no case takes, or nothing reads them.\n"
    );
    for &p in &unread {
        parameter(&mut out, book, p);
    }
    if unread.is_empty() {
        out.push_str("None.\n\n");
    }

    let _ = writeln!(out, "## {CONFIDENCE}\n\nDated values per parameter file and confidence.\n");
    let levels = [Confidence::Official, Confidence::Secondary, Confidence::Assumption];
    out.push_str("| File | Official | Secondary | Assumption | Total |\n| --- | --- | --- | --- | --- |\n");
    let mut files: Vec<&str> = Vec::new();
    for s in SPECS {
        if !files.contains(&book.origin(s.id)) {
            files.push(book.origin(s.id));
        }
    }
    let count = |file: Option<&str>, level: Option<Confidence>| {
        SPECS
            .iter()
            .filter(|s| file.is_none_or(|f| book.origin(s.id) == f))
            .flat_map(|s| book.series(s.id))
            .filter(|step| level.is_none_or(|l| step.provenance.confidence == l))
            .count()
    };
    for file in files.iter().map(|f| Some(*f)).chain([None]) {
        let counts: Vec<String> =
            levels.iter().map(|l| Some(*l)).chain([None]).map(|l| count(file, l).to_string()).collect();
        let _ = writeln!(out, "| {} | {} |", file.map_or("All".to_owned(), |f| format!("`{f}`")), counts.join(" | "));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_cases(cases: &str) -> Result<String, String> {
        render(&RuleBook::embedded().expect("embedded"), cases)
    }

    /// The section whose heading starts with `heading`, up to the next heading of any level.
    fn section<'t>(text: &'t str, heading: &str) -> &'t str {
        let start = text.find(&format!("\n{heading}")).expect("section") + 1;
        let end = text[start..].find("\n#").map_or(text.len(), |n| start + n);
        &text[start..end]
    }

    const SECTOR_1: &str = "[[case]]\nid = \"gp\"\nkind = \"individual\"\n[case.input]\nsigned_on = \"2024-09-01\"\n\
        option = \"ONE_ETP\"\ndoctor = { specialty = \"GENERAL_PRACTICE\", sector = \"SECTOR_1\", activity = { pmt = 1300 } }\n";

    #[test]
    fn anchors_are_the_ones_github_derives() {
        assert_eq!(rule_heading(RuleId::IndSector), "IND-SECTOR — Sector 1, or sector 2 with OPTAM");
        assert_eq!(anchor(&rule_heading(RuleId::IndSector)), "ind-sector--sector-1-or-sector-2-with-optam");
        assert_eq!(
            anchor("AM-QUALIFICATION — Assistant's qualification"),
            "am-qualification--assistants-qualification"
        );
        assert_eq!(anchor("Snake_case (é)"), "snake_case-é");
        assert_eq!(cell("a|b\nc"), "a\\|b c");
    }

    #[test]
    fn without_cases_no_rule_reads_a_parameter_nor_is_covered() {
        let text = render_cases("case = []").expect("renders");
        assert_eq!(text.matches("Parameters: none.").count(), RuleId::ALL.len());
        assert_eq!(text.matches("Cases:\n\n- none\n").count(), RuleId::ALL.len());
        let unread = section(&text, "## Parameters not read");
        assert!(SPECS.iter().all(|s| unread.contains(&format!("**`{}`**", s.key))));
        let book = RuleBook::embedded().expect("embedded");
        let total: usize = SPECS.iter().map(|s| book.series(s.id).len()).sum();
        let all = text.lines().find(|l| l.starts_with("| All |")).expect("totals row");
        assert!(all.ends_with(&format!(" | {total} |")), "{all}");
    }

    #[test]
    fn a_case_lists_what_its_rules_read_and_the_outcomes_it_expects() {
        let text = render_cases(&format!("{SECTOR_1}[case.expect]\nrules = {{ \"IND-SECTOR\" = \"PASS\" }}\n"))
            .expect("renders");
        let sector = section(&text, "### IND-SECTOR ");
        assert!(sector.starts_with("### IND-SECTOR — Sector 1, or sector 2 with OPTAM\n"), "{sector}");
        assert!(sector.ends_with("Parameters: none.\n\nCases:\n\n- PASS (1): `gp`\n"), "{sector}");
        let floor = section(&text, "### IND-ACTIVITY-FLOOR");
        assert!(floor.contains("Parameters (2):\n\n**`eligibility.gp_floor_indicator`**"), "{floor}");
        assert!(floor.contains("**`eligibility.gp_floor`** (`eligibility.toml`): "), "{floor}");
        assert!(floor.ends_with("Cases:\n\n- none\n"), "{floor}");
        assert!(!section(&text, "## Parameters not read").contains("`eligibility.gp_floor`"));
    }

    #[test]
    fn bad_cases_are_refused_unless_a_refusal_is_expected() {
        let refused = SECTOR_1.replace("2024-09-01", "2019-01-01");
        let err = render_cases(&refused).expect_err("no regime");
        assert!(err.starts_with("case gp: no regime"), "{err}");
        assert!(render_cases(&format!("{refused}[case.expect]\nerror = \"no regime\"\n")).is_ok());
        for (cases, message) in [
            (SECTOR_1.replace("individual", "group"), "case gp: unknown kind `group`"),
            (SECTOR_1.replace("SECTOR_1", "SECTOR_9"), "case gp: input: "),
            (
                format!("{SECTOR_1}[case.expect]\nrules = {{ \"IND-SECTORS\" = \"PASS\" }}\n"),
                "case gp: unknown rule id",
            ),
            (format!("{SECTOR_1}[case.expect]\nrules = {{ \"IND-SECTOR\" = \"OK\" }}\n"), "case gp: unknown outcome"),
            ("case = 3".to_owned(), "case file: "),
        ] {
            let err = render_cases(&cases).expect_err(message);
            assert!(err.starts_with(message), "{err}");
        }
    }
}
