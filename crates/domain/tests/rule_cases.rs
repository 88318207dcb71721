//! Runs every case of `cases/rules.toml` (format in its header) and checks that each rule id
//! has at least one case where it passes and one where it fails.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use domain::rules::aci::{self, AciCase, AciEstimate, AciIndicator};
use domain::rules::assistant::{self, AssistantCase};
use domain::rules::collective::{self, CollectiveCase};
use domain::rules::compatibility::{self, CompatibilityCase, Finding};
use domain::rules::individual::{self, IndividualCase};
use domain::rules::params::{P, SPECS};
use domain::rules::structure::{self, StructureCase};
use domain::rules::{Explanation, Objectives, Outcome, Recorder, RuleBook, RuleId, RuleSet, Verdict};
use rust_decimal::Decimal;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct CaseFile {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    #[serde(default)]
    example: Option<String>,
    kind: String,
    input: toml::Value,
    expect: Expect,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    verdict: Option<String>,
    failing: Option<Vec<String>>,
    #[serde(default)]
    rules: BTreeMap<String, String>,
    /// Rule → input name → the value as an explanation shows it (some trace of the rule).
    #[serde(default)]
    inputs: BTreeMap<String, BTreeMap<String, String>>,
    /// Rule → words its note contains (some trace of the rule).
    #[serde(default)]
    notes: BTreeMap<String, String>,
    /// Rules the evaluation must not trace (they do not concern the case).
    #[serde(default)]
    absent: Vec<String>,
    /// Rule → the confidence its trace shows (its own and its parameters', the weakest).
    #[serde(default)]
    confidence: BTreeMap<String, String>,
    contract_year: Option<u32>,
    year_maximum: Option<String>,
    payable: Option<String>,
    achievement_rate: Option<String>,
    targets: Option<Vec<ExpectTarget>>,
    schedule: Option<Vec<String>>,
    mean_pmt: Option<String>,
    etp_cap: Option<String>,
    funded_etp: Option<String>,
    error: Option<String>,
    missing: Option<Vec<String>>,
    regime: Option<String>,
    year_starts_on: Option<String>,
    ends_on: Option<String>,
    due_by: Option<String>,
    qualification_deadline: Option<String>,
    missing_months: Option<Vec<String>>,
    /// (compatibility) findings that must be among those produced.
    findings: Option<Vec<ExpectFinding>>,
    /// (compatibility) rules traced without a finding.
    #[serde(default)]
    no_findings: Vec<String>,
    /// (aci) Indicator → the points of its line / its euros before the uplift.
    #[serde(default)]
    points: BTreeMap<String, String>,
    #[serde(default)]
    euros: BTreeMap<String, String>,
    /// (aci) Totals and the payment.
    total_points: Option<String>,
    uplift: Option<String>,
    full_year_amount: Option<String>,
    amount: Option<String>,
    advance: Option<String>,
    advance_due_on: Option<String>,
    balance: Option<String>,
    balance_due_on: Option<String>,
    unmet_prerequisites: Option<Vec<String>>,
}

/// A compatibility finding: its rule and severity, some of the labels it is about, some of its
/// figures, and optionally its confidence and missing inputs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectFinding {
    rule: String,
    severity: String,
    #[serde(default)]
    about: Vec<String>,
    #[serde(default)]
    figures: BTreeMap<String, String>,
    confidence: Option<String>,
    missing: Option<Vec<String>>,
}

impl ExpectFinding {
    fn matches(&self, f: &Finding) -> bool {
        f.rule.code() == self.rule
            && f.severity.code() == self.severity
            && self.about.iter().all(|a| f.about.contains(a))
            && self.figures.iter().all(|(k, v)| f.figures.get(k.as_str()) == Some(v))
            && self.confidence.as_ref().is_none_or(|c| f.confidence.code() == c)
            && self.missing.as_ref().is_none_or(|m| m.iter().map(String::as_str).eq(f.missing.iter().copied()))
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectTarget {
    indicator: String,
    target: u32,
}

/// What one evaluation produced, whatever its kind.
#[derive(Default)]
struct Observed {
    verdict: Option<Verdict>,
    failing: RuleSet,
    contract_year: Option<u32>,
    year_maximum: Option<Decimal>,
    payable: Option<Decimal>,
    achievement_rate: Option<Decimal>,
    objectives: Option<Objectives>,
    schedule: Vec<Decimal>,
    mean_pmt: Option<Decimal>,
    etp_cap: Option<String>,
    funded_etp: Option<String>,
    regime: Option<&'static str>,
    year_starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    qualification_deadline: Option<NaiveDate>,
    missing_months: Option<Vec<String>>,
    findings: Vec<Finding>,
    aci: Option<AciEstimate>,
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|_| panic!("`{s}` is a decimal"))
}

/// Runs a case. A collective explanation borrows the case it names members from: `slot` keeps
/// the parsed case alive as long as the explanation.
fn run<'b>(
    book: &'b RuleBook,
    case: &Case,
    slot: &'b mut Option<CollectiveCase>,
    structure_slot: &'b mut Option<StructureCase>,
    compatibility_slot: &'b mut Option<CompatibilityCase>,
) -> Result<(Observed, Explanation<'b>), String> {
    let input = case.input.clone();
    let mut o = Observed::default();
    let explanation = match case.kind.as_str() {
        "individual" => {
            let c: IndividualCase = input.try_into().map_err(|e| format!("input: {e}"))?;
            let (r, e) = individual::explain(book, &c).map_err(|e| e.to_string())?;
            o.verdict = Some(r.verdict);
            o.failing = r.failing;
            o.regime = Some(r.regime);
            o.contract_year = r.year.map(|y| y.contract_year);
            o.year_starts_on = r.year.map(|y| y.starts_on);
            o.year_maximum = r.year.map(|y| y.maximum);
            o.payable = r.payable;
            o.achievement_rate = r.achievement_rate.map(|r| r.to_decimal());
            o.objectives = Some(r.objectives);
            e
        }
        "schedule" => {
            let c: IndividualCase = input.try_into().map_err(|e| format!("input: {e}"))?;
            let mut rec = Recorder::new();
            let (years, _) = individual::schedule(book, &c, &mut rec).map_err(|e| e.to_string())?;
            o.schedule = years.iter().map(|y| y.maximum).collect();
            Explanation::new(Verdict::Eligible, rec)
        }
        "collective" => {
            let c: &CollectiveCase = slot.insert(input.try_into().map_err(|e| format!("input: {e}"))?);
            let (r, e) = collective::explain(book, c).map_err(|e| e.to_string())?;
            o.verdict = Some(r.verdict);
            o.failing = r.failing;
            o.contract_year = r.year.map(|y| y.contract_year);
            o.year_starts_on = r.year.map(|y| y.starts_on);
            o.year_maximum = r.year.map(|y| y.maximum);
            o.payable = r.payable;
            o.achievement_rate = r.achievement_rate.map(|r| r.to_decimal());
            o.objectives = Some(r.objectives);
            o.ends_on = r.ends_on;
            o.schedule = r.schedule.iter().map(|y| y.maximum).collect();
            o.mean_pmt = r.mean_pmt;
            o.etp_cap = Some(r.etp_cap.to_string());
            e
        }
        "assistant" => {
            let c: AssistantCase = input.try_into().map_err(|e| format!("input: {e}"))?;
            let (r, e) = assistant::explain(book, &c).map_err(|e| e.to_string())?;
            o.verdict = Some(r.verdict);
            o.funded_etp = Some(r.funded_etp.to_string());
            o.qualification_deadline = r.qualification_deadline;
            o.missing_months = Some(r.missing_months.iter().map(|m| format!("{}-{:02}", m.year, m.month)).collect());
            o.failing = failing_of(&e);
            e
        }
        "structure" => {
            let c: &StructureCase = structure_slot.insert(input.try_into().map_err(|e| format!("input: {e}"))?);
            let (r, e) = structure::explain(c);
            o.verdict = Some(r.verdict);
            o.failing = failing_of(&e);
            e
        }
        "compatibility" => {
            let c: &CompatibilityCase = compatibility_slot.insert(input.try_into().map_err(|e| format!("input: {e}"))?);
            let (findings, e) = compatibility::explain(book, c).map_err(|e| e.to_string())?;
            o.verdict = Some(e.verdict);
            o.failing = failing_of(&e);
            o.findings = findings;
            e
        }
        "aci" => {
            let c: AciCase = input.try_into().map_err(|e| format!("input: {e}"))?;
            let (r, e) = aci::explain(book, &c).map_err(|e| e.to_string())?;
            o.verdict = Some(r.verdict);
            o.failing = failing_of(&e);
            o.aci = Some(r);
            e
        }
        other => return Err(format!("unknown kind {other}")),
    };
    Ok((o, explanation))
}

/// The rules an explanation shows failing, for kinds whose result does not list them.
fn failing_of(e: &Explanation<'_>) -> RuleSet {
    let mut failing = RuleSet::default();
    for trace in e.rules().filter(|t| t.outcome == Outcome::Fail) {
        failing.insert(trace.id);
    }
    failing
}

fn outcome_code(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "PASS",
        Outcome::Fail => "FAIL",
        Outcome::Warn => "WARN",
        Outcome::NotApplicable => "NOT_APPLICABLE",
        Outcome::Undecided => "UNDECIDED",
    }
}

fn verdict_code(v: Verdict) -> &'static str {
    match v {
        Verdict::Eligible => "ELIGIBLE",
        Verdict::NotEligible => "NOT_ELIGIBLE",
        Verdict::Undecided => "UNDECIDED",
    }
}

/// The ACI expectations: line points and euros, totals, the payment.
fn check_aci(r: &AciEstimate, e: &Expect, problems: &mut Vec<String>) {
    let mut expect_eq = |what: &str, got: String, want: &str| {
        let want = if want == "-" {
            want.to_owned()
        } else {
            want.parse::<Decimal>().map_or(want.to_owned(), |d| d.normalize().to_string())
        };
        if got != want {
            problems.push(format!("{what}: got {got}, want {want}"));
        }
    };
    let shown = |d: Decimal| d.normalize().to_string();
    for (table, pick) in
        [(&e.points, (|l: &aci::AciLine| l.points) as fn(&aci::AciLine) -> Decimal), (&e.euros, |l| l.euros)]
    {
        for (code, want) in table {
            let got = AciIndicator::from_code(code)
                .and_then(|i| r.lines.iter().find(|l| l.indicator == i))
                .map_or("-".to_owned(), |l| shown(pick(l)));
            expect_eq(&format!("line {code}"), got, want);
        }
    }
    for (what, got, want) in [
        ("total_points", r.total_points, &e.total_points),
        ("uplift", r.uplift, &e.uplift),
        ("full_year_amount", r.full_year_amount, &e.full_year_amount),
        ("amount", r.amount, &e.amount),
        ("advance", r.advance, &e.advance),
        ("balance", r.balance, &e.balance),
    ] {
        if let Some(w) = want {
            expect_eq(what, shown(got), w);
        }
    }
    for (what, got, want) in [
        ("advance_due_on", r.advance_due_on, &e.advance_due_on),
        ("balance_due_on", r.balance_due_on, &e.balance_due_on),
    ] {
        if let Some(w) = want {
            expect_eq(what, got.to_string(), w);
        }
    }
    if let Some(want) = &e.unmet_prerequisites {
        let got: Vec<&str> = r.unmet_prerequisites.iter().map(|i| i.code()).collect();
        expect_eq("unmet_prerequisites", got.join(", "), &want.join(", "));
    }
}

/// What a case proved: (rule, outcome) pairs, and the parameter-table cells (parameter, first
/// day of its value) whose value it read and checked.
#[derive(Default)]
struct Proof {
    rules: Vec<(RuleId, &'static str)>,
    cells: Vec<(P, NaiveDate)>,
}

/// The parameter tables whose every cell a case must check: the objective percentages by band
/// and option (R2019/R2020), the individual amounts by option, year and band (before and after
/// the 2024 revaluation), the collective amounts per ETP.
fn table_cell(p: P) -> bool {
    let key = p.spec().key;
    key.starts_with("amount.") || key.starts_with("collective.amount.") || key.starts_with("objective.percent.")
}

/// Checks one case; returns the problems found and what it proved.
fn check(book: &RuleBook, case: &Case) -> (Vec<String>, Proof) {
    let mut problems = Vec::new();
    let mut proved = Proof::default();
    let e = &case.expect;
    let (mut slot, mut structure_slot, mut compatibility_slot) = (None, None, None);
    let (o, explanation) = match run(book, case, &mut slot, &mut structure_slot, &mut compatibility_slot) {
        Err(msg) => {
            match &e.error {
                Some(want) if msg.contains(want.as_str()) => {}
                Some(want) => problems.push(format!("error `{msg}` does not contain `{want}`")),
                None => problems.push(format!("unexpected error: {msg}")),
            }
            return (problems, proved);
        }
        Ok(x) => x,
    };
    if let Some(want) = &e.error {
        problems.push(format!("expected the error `{want}`, got a result"));
    }
    let mut expect_eq = |what: &str, got: String, want: String| {
        if got != want {
            problems.push(format!("{what}: got {got}, want {want}"));
        }
    };
    if let Some(v) = &e.verdict {
        expect_eq("verdict", o.verdict.map(verdict_code).unwrap_or("-").into(), v.clone());
    }
    if let Some(f) = &e.failing {
        let got: BTreeSet<&str> = o.failing.iter().map(RuleId::code).collect();
        let want: BTreeSet<&str> = f.iter().map(String::as_str).collect();
        expect_eq("failing", format!("{got:?}"), format!("{want:?}"));
    }
    let opt = |d: Option<Decimal>| d.map_or("-".to_owned(), |d| d.normalize().to_string());
    if let Some(y) = e.contract_year {
        expect_eq("contract_year", format!("{:?}", o.contract_year), format!("{:?}", Some(y)));
    }
    for (what, got, want) in [
        ("year_maximum", o.year_maximum, &e.year_maximum),
        ("payable", o.payable, &e.payable),
        ("achievement_rate", o.achievement_rate, &e.achievement_rate),
        ("mean_pmt", o.mean_pmt.map(|m| m.round_dp(2)), &e.mean_pmt),
    ] {
        if let Some(w) = want {
            let want = if w == "-" { w.clone() } else { dec(w).normalize().to_string() };
            expect_eq(what, opt(got), want);
        }
    }
    if let Some(s) = &e.schedule {
        let got: Vec<String> = o.schedule.iter().map(|d| d.normalize().to_string()).collect();
        let want: Vec<String> = s.iter().map(|w| dec(w).normalize().to_string()).collect();
        expect_eq("schedule", got.join(", "), want.join(", "));
    }
    if let Some(c) = &e.etp_cap {
        expect_eq("etp_cap", o.etp_cap.clone().unwrap_or_default(), c.clone());
    }
    if let Some(f) = &e.funded_etp {
        expect_eq("funded_etp", o.funded_etp.clone().unwrap_or_default(), f.clone());
    }
    let day = |d: Option<NaiveDate>| d.map_or("-".to_owned(), |d| d.to_string());
    for (what, got, want) in [
        ("regime", o.regime.map(str::to_owned), &e.regime),
        ("year_starts_on", o.year_starts_on.map(|d| d.to_string()), &e.year_starts_on),
        ("ends_on", o.ends_on.map(|d| d.to_string()), &e.ends_on),
        ("due_by", Some(day(o.objectives.and_then(|obj| obj.due_by))), &e.due_by),
        ("qualification_deadline", o.qualification_deadline.map(|d| d.to_string()), &e.qualification_deadline),
    ] {
        if let Some(w) = want {
            expect_eq(what, got.unwrap_or_else(|| "-".into()), w.clone());
        }
    }
    if let Some(m) = &e.missing_months {
        expect_eq("missing_months", o.missing_months.clone().unwrap_or_default().join(", "), m.join(", "));
    }
    if let Some(targets) = &e.targets {
        let got: Vec<String> = o
            .objectives
            .iter()
            .flat_map(|obj| obj.iter())
            .map(|t| format!("{}={}", t.indicator.code(), t.target))
            .collect();
        let want: Vec<String> = targets.iter().map(|t| format!("{}={}", t.indicator, t.target)).collect();
        expect_eq("targets", got.join(", "), want.join(", "));
    }
    if let Some(r) = &o.aci {
        check_aci(r, e, &mut problems);
    }
    if let Some(m) = &e.missing {
        let got = explanation.missing();
        for name in m {
            if !got.contains(&name.as_str()) {
                problems.push(format!("missing: `{name}` not named among {got:?}"));
            }
        }
    }
    for (rule, want) in &e.rules {
        let Some(id) = RuleId::from_code(rule) else {
            problems.push(format!("unknown rule id {rule}"));
            continue;
        };
        let seen: Vec<&str> = explanation.rules().filter(|t| t.id == id).map(|t| outcome_code(t.outcome)).collect();
        if seen.contains(&want.as_str()) {
            proved.rules.push((
                id,
                // A compatibility rule's coverage is its findings (an info finding traces PASS).
                if compatibility::RULES.contains(&id) {
                    "OTHER"
                } else if want == "PASS" {
                    "PASS"
                } else if want == "FAIL" {
                    "FAIL"
                } else {
                    "OTHER"
                },
            ));
        } else {
            problems.push(format!("{rule}: want {want}, traced {seen:?}"));
        }
    }
    for (rule, want) in &e.inputs {
        let Some(id) = RuleId::from_code(rule) else {
            problems.push(format!("unknown rule id {rule}"));
            continue;
        };
        for (name, value) in want {
            let seen: Vec<String> = explanation
                .rules()
                .filter(|t| t.id == id)
                .flat_map(|t| t.inputs.iter().filter(|(n, _)| n == name).map(|(_, v)| v.to_string()))
                .collect();
            if !seen.contains(value) {
                problems.push(format!("{rule} input {name}: want {value}, traced {seen:?}"));
            }
        }
    }
    for (rule, words) in &e.notes {
        let notes: Vec<&str> = explanation.rules().filter(|t| t.id.code() == rule.as_str()).map(|t| t.note).collect();
        if !notes.iter().any(|n| n.contains(words.as_str())) {
            problems.push(format!("{rule} note: want one containing `{words}`, traced {notes:?}"));
        }
    }
    // Table cells: the amounts read for a checked maximum or schedule, the percentages read for
    // checked targets.
    for trace in explanation.rules() {
        let checked = match trace.id {
            RuleId::AmtRevaluation => e.year_maximum.is_some() || e.schedule.is_some(),
            RuleId::ColAmounts => e.schedule.is_some(),
            RuleId::ObjTargets => e.targets.is_some(),
            _ => false,
        };
        if checked && problems.is_empty() {
            proved.cells.extend(trace.params.iter().filter(|(p, _)| table_cell(*p)).map(|(p, s)| (*p, s.from)));
        }
    }
    // A compatibility rule fires in a case that expects its finding, and holds in one that
    // expects none while tracing it: the coverage below counts these as its FAIL and PASS.
    for want in e.findings.iter().flatten() {
        match (RuleId::from_code(&want.rule), o.findings.iter().any(|f| want.matches(f))) {
            (Some(id), true) => proved.rules.push((id, "FAIL")),
            (None, _) => problems.push(format!("unknown rule id {}", want.rule)),
            (Some(_), false) => problems.push(format!("finding {want:?} not among {:#?}", o.findings)),
        }
    }
    for rule in &e.no_findings {
        let Some(id) = RuleId::from_code(rule) else {
            problems.push(format!("unknown rule id {rule}"));
            continue;
        };
        let fired: Vec<&Finding> = o.findings.iter().filter(|f| f.rule == id).collect();
        if !fired.is_empty() {
            problems.push(format!("{rule}: want no finding, found {fired:#?}"));
        } else if !explanation.rules().any(|t| t.id == id) {
            problems.push(format!("{rule}: want no finding, but the rule is not traced"));
        } else {
            proved.rules.push((id, "PASS"));
        }
    }
    for rule in &e.absent {
        if explanation.rules().any(|t| t.id.code() == rule.as_str()) {
            problems.push(format!("{rule} is traced, but does not concern this case"));
        }
    }
    for (rule, want) in &e.confidence {
        let seen: Vec<&str> =
            explanation.rules().filter(|t| t.id.code() == rule.as_str()).map(|t| t.confidence().code()).collect();
        if !seen.contains(&want.as_str()) {
            problems.push(format!("{rule} confidence: want {want}, traced {seen:?}"));
        }
    }
    // FAIL means a condition is not met: a rule that only computes never says it.
    for trace in explanation.rules().filter(|t| t.outcome == Outcome::Fail && !t.id.can_fail()) {
        problems.push(format!("{} is FAIL, but it computes rather than checks: `{}`", trace.id.code(), trace.note));
    }
    // Every explanation is complete: a version, and each rule a note.
    assert_eq!(explanation.format_version, "2.0");
    assert!(explanation.rules().all(|r| !r.note.is_empty() && !r.id.reference().is_empty()));
    (problems, proved)
}

#[test]
fn rule_cases() {
    let book = RuleBook::embedded().expect("embedded parameters load");
    let file: CaseFile = toml::from_str(include_str!("cases/rules.toml")).expect("case file parses");
    let mut failures = Vec::new();
    let mut proved: BTreeSet<(RuleId, &'static str)> = BTreeSet::new();
    let mut cells: BTreeSet<(P, NaiveDate)> = BTreeSet::new();
    let mut ids = BTreeSet::new();
    for case in &file.case {
        assert!(ids.insert(case.id.clone()), "duplicate case id {}", case.id);
        let (problems, p) = check(&book, case);
        proved.extend(p.rules);
        cells.extend(p.cells);
        if !problems.is_empty() {
            failures.push(format!(
                "{} ({}):\n  {}",
                case.id,
                case.example.as_deref().unwrap_or("-"),
                problems.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{} case(s) failed:\n{}", failures.len(), failures.join("\n"));

    let examples: BTreeSet<&str> = file.case.iter().filter_map(|c| c.example.as_deref()).collect();
    for n in 1..=18 {
        assert!(examples.contains(format!("E{n}").as_str()), "worked example E{n} has a case");
    }
    // A rule that checks a condition has a case where it holds and one where it does not; a
    // rule that computes has a case where its adjustment applies.
    let uncovered: Vec<String> = RuleId::ALL
        .iter()
        .flat_map(|id| {
            let wanted: &[&'static str] = if id.can_fail() { &["PASS", "FAIL"] } else { &["PASS"] };
            wanted.iter().map(move |o| (*id, *o))
        })
        .filter(|pair| !proved.contains(pair))
        .map(|(id, o)| format!("{} {o}", id.code()))
        .collect();
    assert!(uncovered.is_empty(), "rules without a passing/failing case: {uncovered:?}");

    let all_cells: Vec<(P, NaiveDate)> = SPECS
        .iter()
        .filter(|spec| table_cell(spec.id))
        .flat_map(|spec| book.series(spec.id).iter().map(|step| (spec.id, step.from)))
        .collect();
    let unchecked: Vec<String> = all_cells
        .iter()
        .filter(|c| !cells.contains(c))
        .map(|(p, from)| format!("{} from {from}", p.spec().key))
        .collect();
    assert!(unchecked.is_empty(), "table cells no case checks ({}): {unchecked:#?}", unchecked.len());
    println!(
        "{} rule cases passed, covering all {} rule ids and all {} table cells",
        file.case.len(),
        RuleId::ALL.len(),
        all_cells.len()
    );
}
