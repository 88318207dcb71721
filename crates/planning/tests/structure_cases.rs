//! The structure cases (`tests/cases/structures.toml`): a team's records, a day, and what the
//! dashboard or the comparison must say. Expected figures are worked by hand from the rules
//! (RULES.md examples E13–E16 among them), never copied from an output.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::Etp;
use domain::rules::{Indicator, RuleBook, Target};
use planning::comparison::{self, Choice, ComparisonRequest};
use planning::dashboard::{self, Dashboard};
use planning::team::Team;
use rust_decimal::Decimal;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    /// "dashboard" or "comparison".
    kind: String,
    as_of: NaiveDate,
    #[serde(default)]
    request: Option<Request>,
    team: Team,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    start: Option<NaiveDate>,
    adhering: Option<Vec<String>>,
    funded_etp: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    // dashboard
    this_year_maximum: Option<String>,
    this_year_payable: Option<String>,
    payable: Option<BTreeMap<String, String>>,
    contract_year: Option<BTreeMap<String, u32>>,
    team_targets: Option<Vec<ExpectTarget>>,
    shares: Option<BTreeMap<String, String>>,
    offers: Option<BTreeMap<String, String>>,
    offer_reason_contains: Option<BTreeMap<String, String>>,
    structure_verdict: Option<String>,
    collective_verdict_today: Option<String>,
    adhering_today: Option<Vec<String>>,
    left_out_today: Option<BTreeMap<String, Vec<String>>>,
    etp_cap: Option<String>,
    funded_etp_today: Option<String>,
    assistants: Option<BTreeMap<String, ExpectAssistant>>,
    deadlines: Option<Vec<String>>,
    forecast_years: Option<BTreeMap<String, Vec<String>>>,
    forecast_total_payable: Option<String>,
    cash_by_calendar_year: Option<BTreeMap<String, String>>,
    // comparison
    individual_yearly: Option<Vec<String>>,
    collective_yearly: Option<Vec<String>>,
    individual_total: Option<String>,
    collective_total: Option<String>,
    total_difference: Option<String>,
    collective_verdict: Option<String>,
    mean_pmt: Option<String>,
    collective_targets: Option<Vec<ExpectTarget>>,
    individual_targets: Option<Vec<ExpectTarget>>,
    individual_left_out: Option<BTreeMap<String, Vec<String>>>,
    collective_left_out: Option<BTreeMap<String, Vec<String>>>,
    closings: Option<BTreeMap<String, ExpectClosing>>,
    collective_funded_etp: Option<String>,
    choice: Option<String>,
    confidence: Option<String>,
    conditions_not_met: Option<Vec<String>>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectTarget {
    indicator: String,
    baseline: u32,
    target: u32,
    #[serde(default)]
    actual: Option<u32>,
    #[serde(default)]
    rate: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectAssistant {
    contractual_etp: Option<String>,
    assigned_etp: Option<String>,
    funded_etp: Option<String>,
    failing: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectClosing {
    next_anniversary: NaiveDate,
    lost: String,
}

/// An indicator's baseline, target, actual and rate, as compared.
type Row = (Indicator, u32, u32, Option<u32>, Option<Decimal>);

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|_| panic!("`{s}` is a decimal"))
}

fn money(d: Option<Decimal>) -> String {
    d.map_or("-".to_owned(), |d| d.normalize().to_string())
}

struct Check {
    id: String,
    problems: Vec<String>,
}

impl Check {
    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, got: T, want: T) {
        if got != want {
            self.problems.push(format!("{}: {what}: got {got:?}, want {want:?}", self.id));
        }
    }

    fn money(&mut self, what: &str, got: Decimal, want: &str) {
        self.eq(what, got.normalize(), dec(want).normalize());
    }

    fn targets(&mut self, what: &str, got: &[Row], want: &[ExpectTarget]) {
        let got: Vec<String> = got
            .iter()
            .map(|(i, b, t, a, r)| format!("{} {b}->{t} actual {a:?} rate {}", i.code(), money(*r)))
            .collect();
        let want: Vec<String> = want
            .iter()
            .map(|t| {
                format!(
                    "{} {}->{} actual {:?} rate {}",
                    t.indicator,
                    t.baseline,
                    t.target,
                    t.actual,
                    t.rate.as_deref().map_or("-".to_owned(), |r| dec(r).normalize().to_string())
                )
            })
            .collect();
        self.eq(what, got, want);
    }
}

fn plain(targets: &[Target]) -> Vec<Row> {
    targets.iter().map(|t| (t.indicator, t.baseline, t.target, None, None)).collect()
}

fn verdict(v: domain::rules::Verdict) -> &'static str {
    match v {
        domain::rules::Verdict::Eligible => "ELIGIBLE",
        domain::rules::Verdict::NotEligible => "NOT_ELIGIBLE",
        domain::rules::Verdict::Undecided => "UNDECIDED",
    }
}

fn check_dashboard(c: &mut Check, d: &Dashboard, e: &Expect) {
    if let Some(want) = &e.this_year_maximum {
        c.money("this year's maximum", d.this_year.maximum, want);
    }
    if let Some(want) = &e.this_year_payable {
        c.money("this year's payable", d.this_year.payable, want);
    }
    let contracts: Vec<_> = d.members.iter().flat_map(|m| &m.contracts).chain(&d.collective_contracts).collect();
    // The totals are the sum of the contracts' own evaluations, whatever the case expects.
    let sum: Decimal = contracts.iter().filter_map(|c| c.payable).sum();
    c.eq("payable total is the sum of the contracts", d.this_year.payable, sum);
    for (id, want) in e.payable.iter().flatten() {
        let got = contracts.iter().find(|x| &x.id == id).map(|x| money(x.payable));
        c.eq(
            &format!("payable of {id}"),
            got,
            Some(if want == "-" { want.clone() } else { dec(want).normalize().to_string() }),
        );
    }
    for (id, want) in e.contract_year.iter().flatten() {
        let got = contracts.iter().find(|x| &x.id == id).and_then(|x| x.contract_year);
        c.eq(&format!("contract year of {id}"), got, Some(*want));
    }
    if let Some(want) = &e.team_targets {
        let got: Vec<_> = d
            .team_objectives
            .indicators
            .iter()
            .map(|t| (t.indicator, t.baseline, t.target, t.actual, t.rate.map(|r| r.to_decimal())))
            .collect();
        c.targets("team targets", &got, want);
    }
    for (contract, want) in e.shares.iter().flatten() {
        let got = d.team_objectives.indicators.iter().flat_map(|t| &t.shares).find(|s| &s.contract_id == contract);
        c.eq(&format!("share of {contract}"), got.map(|s| s.share.normalize()), Some(dec(want).normalize()));
    }
    for (member, want) in e.offers.iter().flatten() {
        let got = d.members.iter().find(|m| &m.id == member).map(|m| m.offer.option.map_or("NONE", |o| o.code()));
        c.eq(&format!("offer to {member}"), got, Some(want.as_str()));
    }
    for (member, want) in e.offer_reason_contains.iter().flatten() {
        let got = d.members.iter().find(|m| &m.id == member).map(|m| m.offer.reason.clone()).unwrap_or_default();
        if !got.contains(want.as_str()) {
            c.problems.push(format!("{}: offer reason of {member}: `{got}` lacks `{want}`", c.id));
        }
    }
    if let Some(want) = &e.structure_verdict {
        c.eq("structure verdict", verdict(d.standing.structure.verdict), want.as_str());
    }
    if let Some(today) = &d.standing.collective {
        check_standing(c, today, e);
    } else if e.collective_verdict_today.is_some() || e.etp_cap.is_some() {
        c.problems.push(format!("{}: no collective standing", c.id));
    }
    for (id, want) in e.assistants.iter().flatten() {
        let Some(a) = d.assistants.iter().find(|a| &a.id == id) else {
            c.problems.push(format!("{}: no assistant {id}", c.id));
            continue;
        };
        if let Some(w) = &want.contractual_etp {
            c.eq(&format!("{id} contractual ETP"), a.contractual_etp.to_string(), w.clone());
        }
        if let Some(w) = &want.assigned_etp {
            c.eq(&format!("{id} assigned ETP"), a.assigned_etp.to_string(), w.clone());
        }
        if let Some(w) = &want.funded_etp {
            c.eq(&format!("{id} funded ETP"), a.funded_etp.to_string(), w.clone());
        }
        if let Some(w) = &want.failing {
            let got: Vec<String> = a.assessed.failing.iter().map(|r| r.code().to_owned()).collect();
            c.eq(&format!("{id} failing"), &got, w);
        }
    }
    if let Some(want) = &e.deadlines {
        let got: Vec<String> =
            d.deadlines.iter().map(|x| format!("{} {:?} {}", x.on, x.kind, x.subject.id())).collect();
        for w in want {
            if !got.contains(w) {
                c.problems.push(format!("{}: deadline `{w}` not among {got:?}", c.id));
            }
        }
        let mut sorted = got.clone();
        sorted.sort_by_key(|s| s[..10].to_owned());
        c.eq("deadlines sorted by date", got, sorted);
    }
    for (id, want) in e.forecast_years.iter().flatten() {
        let got: Option<Vec<String>> = d.forecast.contracts.iter().find(|f| &f.contract_id == id).map(|f| {
            f.years
                .iter()
                .map(|y| format!("{} {} {}", y.contract_year, y.maximum.normalize(), y.payable.normalize()))
                .collect()
        });
        c.eq(&format!("forecast of {id}"), got, Some(want.clone()));
    }
    if let Some(want) = &e.forecast_total_payable {
        c.money("forecast total payable", d.forecast.total_payable, want);
    }
    let cash: Decimal = d.forecast.by_calendar_year.iter().map(|(_, c)| *c).sum();
    c.eq("total cash is the sum of the calendar years", d.forecast.total_cash, cash);
    for (year, want) in e.cash_by_calendar_year.iter().flatten() {
        let got = d.forecast.by_calendar_year.iter().find(|(y, _)| y.to_string() == *year).map(|(_, v)| v.normalize());
        c.eq(&format!("cash in {year}"), got, Some(dec(want).normalize()));
    }
}

fn check_standing(c: &mut Check, today: &dashboard::CollectiveStanding, e: &Expect) {
    if let Some(want) = &e.collective_verdict_today {
        c.eq("collective verdict today", verdict(today.assessed.verdict), want.as_str());
    }
    if let Some(want) = &e.adhering_today {
        c.eq("adhering today", &today.adhering, want);
    }
    if let Some(want) = &e.left_out_today {
        let got: BTreeMap<String, Vec<String>> = today
            .left_out
            .iter()
            .map(|l| (l.member_id.clone(), l.rules.iter().map(|r| (*r).to_owned()).collect()))
            .collect();
        c.eq("left out today", &got, want);
    }
    if let Some(want) = &e.etp_cap {
        c.eq("ETP cap", today.etp_cap.to_string(), want.clone());
    }
    if let Some(want) = &e.funded_etp_today {
        c.eq("funded ETP today", today.funded_etp.to_string(), want.clone());
    }
}

fn left_out_map(l: &[dashboard::LeftOut]) -> BTreeMap<String, Vec<String>> {
    l.iter().map(|l| (l.member_id.clone(), l.rules.iter().map(|r| (*r).to_owned()).collect())).collect()
}

fn check_comparison(c: &mut Check, r: &comparison::Comparison, e: &Expect) {
    let yearly = |v: &[Decimal]| v.iter().map(|d| d.normalize().to_string()).collect::<Vec<_>>();
    let norm = |v: &[String]| v.iter().map(|s| dec(s).normalize().to_string()).collect::<Vec<_>>();
    if let Some(want) = &e.individual_yearly {
        c.eq("individual yearly", yearly(&r.individual.yearly), norm(want));
    }
    if let Some(want) = &e.collective_yearly {
        c.eq("collective yearly", yearly(&r.collective.yearly), norm(want));
    }
    if let Some(want) = &e.individual_total {
        c.money("individual total", r.individual.total, want);
    }
    if let Some(want) = &e.collective_total {
        c.money("collective total", r.collective.total, want);
    }
    if let Some(want) = &e.total_difference {
        c.money("total difference", r.total_difference, want);
    }
    c.eq("difference is collective minus individual", r.total_difference, r.collective.total - r.individual.total);
    let assessed = r.collective.assessed.as_ref();
    if let Some(want) = &e.collective_verdict {
        c.eq("collective verdict", assessed.map(|a| verdict(a.verdict)), Some(want.as_str()));
    }
    if let Some(want) = &e.mean_pmt {
        let got = assessed
            .and_then(|a| a.explanation.rules.iter().find(|t| t.rule.code() == "COL-THRESHOLD"))
            .and_then(|t| t.inputs.iter().find(|(n, _)| *n == "mean_pmt").map(|(_, v)| v.clone()));
        c.eq("mean PMT", got, Some(want.clone()));
    }
    if let Some(want) = &e.collective_targets {
        c.targets("collective targets", &plain(&r.collective.objectives), want);
    }
    if let Some(want) = &e.individual_targets {
        c.targets("individual targets", &plain(&r.individual.objectives), want);
    }
    if let Some(want) = &e.individual_left_out {
        c.eq("left out of the individual aid", &left_out_map(&r.individual.left_out), want);
    }
    if let Some(want) = &e.collective_left_out {
        c.eq("left out of the collective", &left_out_map(&r.collective.left_out), want);
    }
    if let Some(want) = &e.closings {
        let got: BTreeMap<String, (NaiveDate, Decimal)> = r
            .collective
            .closings
            .iter()
            .map(|x| (x.contract_id.clone(), (x.next_anniversary, x.lost.normalize())))
            .collect();
        let want: BTreeMap<String, (NaiveDate, Decimal)> =
            want.iter().map(|(k, v)| (k.clone(), (v.next_anniversary, dec(&v.lost).normalize()))).collect();
        c.eq("closings", got, want);
    }
    if let Some(want) = &e.collective_funded_etp {
        let got = r
            .collective
            .lines
            .iter()
            .find(|l| l.kind == comparison::LineKind::Collective)
            .map(|l| l.funded_etp.to_string());
        c.eq("collective funded ETP", got, Some(want.clone()));
    }
    if let Some(want) = &e.choice {
        let got = match r.recommendation.choice {
            Choice::Collective => "COLLECTIVE",
            Choice::KeepIndividual => "KEEP_INDIVIDUAL",
            Choice::Undecided => "UNDECIDED",
        };
        c.eq("choice", got, want.as_str());
    }
    if let Some(want) = &e.confidence {
        c.eq("confidence", r.recommendation.confidence.code(), want.as_str());
    }
    for w in e.conditions_not_met.iter().flatten() {
        if !r.collective.conditions_not_met.iter().any(|x| x.starts_with(w.as_str())) {
            c.problems.push(format!("{}: condition `{w}` not among {:?}", c.id, r.collective.conditions_not_met));
        }
    }
}

#[test]
fn structure_cases() {
    let book = RuleBook::embedded().expect("embedded rules load");
    let file: File = toml::from_str(include_str!("cases/structures.toml")).expect("the case file parses");
    let mut problems = Vec::new();
    for case in &file.case {
        let mut c = Check { id: case.id.clone(), problems: Vec::new() };
        match case.kind.as_str() {
            "dashboard" => match dashboard::dashboard(&book, &case.team, case.as_of) {
                Ok(d) => check_dashboard(&mut c, &d, &case.expect),
                Err(err) => c.problems.push(format!("{}: {err}", case.id)),
            },
            "comparison" => {
                let r = case.request.as_ref();
                let request = ComparisonRequest {
                    start: r.and_then(|r| r.start).unwrap_or(case.as_of),
                    adhering: r.and_then(|r| r.adhering.clone()),
                    funded_etp: r.and_then(|r| r.funded_etp.as_deref()).map(|e| Etp::parse(e).expect("an ETP")),
                };
                match (comparison::compare(&book, &case.team, &request), &case.expect.error) {
                    (Ok(result), None) => check_comparison(&mut c, &result, &case.expect),
                    (Ok(_), Some(want)) => c.problems.push(format!("{}: expected error `{want}`", case.id)),
                    (Err(err), Some(want)) => c.eq("error", err.to_string().contains(want.as_str()), true),
                    (Err(err), None) => c.problems.push(format!("{}: {err}", case.id)),
                }
            }
            other => c.problems.push(format!("{}: unknown kind {other}", case.id)),
        }
        problems.extend(c.problems);
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
    println!("{} structure cases passed", file.case.len());
}
