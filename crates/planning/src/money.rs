//! All the structure's public money in one table: per calendar year, per payee and per source
//! (the aid, individual and collective, per PAY-SCHEDULE; the ACI and the other grants as
//! recorded), and per employee, the employment cost against the public money attributed to it.

use chrono::{Datelike, NaiveDate};
use domain::funding::{CoordinationHolder, FundingScheme, Grant, GrantShare};
use domain::rules::{RuleBook, RuleError, times_fraction};
use domain::{ContractStatus, Etp, Period};
use rust_decimal::Decimal;

use crate::dashboard::{Dashboard, first_share};
use crate::forecast;
use crate::funding::Funding;
use crate::team::Team;

/// Calendar years the table covers, from the report day's.
pub const YEARS: i32 = 5;

/// Who receives the money.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Payee {
    /// A doctor (individual aid, a demographic contract), by member id.
    Doctor { id: String, label: String },
    /// The structure's company: the signatory of the collective aid, the SISA of the ACI, the
    /// holder of the grants.
    Structure,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    IndividualAid,
    CollectiveAid,
    Aci,
    /// ARS grants, the FIR and local authorities.
    Regional,
    Cpts,
    DemographicContract,
    Other,
}

impl Source {
    fn of(scheme: FundingScheme) -> Self {
        use FundingScheme::*;
        match scheme {
            ArsGrant | Fir | LocalAuthority => Source::Regional,
            Cpts => Source::Cpts,
            Caim | Coscom | Cotram | Cstm => Source::DemographicContract,
            FundingScheme::Other => Source::Other,
        }
    }
}

/// Whether an amount is a record (paid, decided) or the rules' projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Cash expected per PAY-SCHEDULE at the current achievement.
    Forecast,
    /// As recorded: an ACI year paid, a grant's decision prorated to the calendar year.
    Recorded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoneyLine {
    pub year: i32,
    pub payee: Payee,
    pub source: Source,
    /// The contract or grant, by id.
    pub origin: String,
    pub amount: Decimal,
    pub basis: Basis,
}

/// One employee's year: what they cost and the public money that pays for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmployeeYear {
    pub assistant_id: String,
    pub label: String,
    pub year: i32,
    /// Salary plus employer charges; none when not recorded.
    pub cost: Option<Decimal>,
    /// The aid of the contracts funding them, in proportion to the ETP each funds for them.
    pub aid: Decimal,
    /// The ACI's coordination share, when they hold the function.
    pub aci_coordination: Decimal,
    /// Regional, CPTS and other grants' shares for them.
    pub grants: Decimal,
}

impl EmployeeYear {
    pub fn public_money(&self) -> Decimal {
        self.aid + self.aci_coordination + self.grants
    }

    /// Cost left to the employer; negative when public money exceeds the cost (CMP-COST-CAP).
    pub fn left_to_employer(&self) -> Option<Decimal> {
        self.cost.map(|c| c - self.public_money())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoneyTable {
    pub years: Vec<i32>,
    pub lines: Vec<MoneyLine>,
    pub employees: Vec<EmployeeYear>,
}

impl MoneyTable {
    pub fn total(&self, year: i32) -> Decimal {
        self.lines.iter().filter(|l| l.year == year).map(|l| l.amount).sum()
    }

    pub fn employee(&self, assistant_id: &str, year: i32) -> Option<&EmployeeYear> {
        self.employees.iter().find(|e| e.assistant_id == assistant_id && e.year == year)
    }
}

fn jan_1(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// The part of `amount`, spread evenly over `period`, that falls in `year`. An open-ended
/// period's amount is per calendar year (the grant is renewed yearly until it ends).
pub fn in_year(amount: Decimal, period: &Period, year: i32) -> Result<Decimal, RuleError> {
    let (first, last) = (jan_1(year), jan_1(year + 1).pred_opt().unwrap_or(NaiveDate::MAX));
    let start = period.from().max(first);
    let end = period.to().map_or(last, |to| to.min(last));
    if end < start {
        return Ok(Decimal::ZERO);
    }
    let inside = (end - start).num_days() + 1;
    let (whole_start, whole_end) = match period.to() {
        Some(to) => (period.from(), to),
        None => (first, last),
    };
    let whole = (whole_end - whole_start).num_days() + 1;
    if inside == whole {
        return Ok(amount);
    }
    let cents =
        times_fraction(amount, inside as u128, whole as u128).ok_or(RuleError::Invalid("amount out of range"))?;
    Ok(cents)
}

fn ratio(amount: Decimal, part: Etp, whole: Etp) -> Result<Decimal, RuleError> {
    if whole.is_zero() {
        return Ok(Decimal::ZERO);
    }
    let (n, d) = (part.numerator() * whole.denominator(), part.denominator() * whole.numerator());
    times_fraction(amount, u128::from(n), u128::from(d)).ok_or(RuleError::Invalid("amount out of range"))
}

/// A contract's id, payee and source, and its cash per calendar year.
type ContractCash = (String, Payee, Source, Vec<(i32, Decimal)>);

/// Cash of each signed contract per calendar year of `years`, by contract id.
fn contract_cash(book: &RuleBook, team: &Team, years: &[i32]) -> Result<Vec<ContractCash>, RuleError> {
    let (from, until) = (jan_1(years[0]), jan_1(years[years.len() - 1] + 1));
    let mut out = Vec::new();
    for m in &team.members {
        for c in m.contracts.iter().filter(|c| c.signed() && c.case.signed_on < until) {
            let y = forecast::individual_years(book, &c.case, from, until)?;
            let payments = forecast::payments(&y, first_share(book, c.case.signed_on)?)?;
            let payee = Payee::Doctor { id: m.id.clone(), label: m.label.clone() };
            out.push((c.id.clone(), payee, Source::IndividualAid, forecast::by_calendar_year(&payments, from, until)));
        }
    }
    for h in team.collective_contracts.iter().filter(|h| h.status != ContractStatus::Draft && h.case.signed_on < until)
    {
        let y = forecast::collective_years(book, &h.case, from, until)?;
        // Ended or terminated: nothing is due any more (as in the dashboard).
        let y: Vec<_> = if h.status == ContractStatus::Active { y } else { Vec::new() };
        let payments = forecast::payments(&y, first_share(book, h.case.signed_on)?)?;
        out.push((
            h.id.clone(),
            Payee::Structure,
            Source::CollectiveAid,
            forecast::by_calendar_year(&payments, from, until),
        ));
    }
    Ok(out)
}

fn share_in_year(g: &Grant, s: &GrantShare, year: i32) -> Result<Decimal, RuleError> {
    in_year(s.amount, &g.fields.period, year)
}

/// The money table from the report day's calendar year, five years long. The aid's
/// attribution to employees is the dashboard's on the report day (each contract's ETP shared
/// among the assistants assigned to its doctors).
pub fn money(book: &RuleBook, team: &Team, dashboard: &Dashboard, funding: &Funding) -> Result<MoneyTable, RuleError> {
    let first = dashboard.as_of.year();
    let years: Vec<i32> = (first..first + YEARS).collect();
    let mut lines = Vec::new();
    let cash = contract_cash(book, team, &years)?;
    for (id, payee, source, per_year) in &cash {
        for (year, amount) in per_year.iter().filter(|(_, a)| !a.is_zero()) {
            lines.push(MoneyLine {
                year: *year,
                payee: payee.clone(),
                source: *source,
                origin: id.clone(),
                amount: *amount,
                basis: Basis::Forecast,
            });
        }
    }
    for aci in &funding.aci {
        for y in aci.years.iter().filter(|y| years.contains(&y.year)) {
            if let Some(paid) = y.paid {
                lines.push(MoneyLine {
                    year: y.year,
                    payee: Payee::Structure,
                    source: Source::Aci,
                    origin: aci.id.0.to_string(),
                    amount: paid,
                    basis: Basis::Recorded,
                });
            }
        }
    }
    for g in &funding.grants {
        let payee = match g.fields.practitioner_id.and_then(|p| team.members.iter().find(|m| m.id == p.0.to_string())) {
            Some(m) => Payee::Doctor { id: m.id.clone(), label: m.label.clone() },
            None => Payee::Structure,
        };
        for &year in &years {
            let amount = in_year(g.fields.amount, &g.fields.period, year)?;
            if !amount.is_zero() {
                lines.push(MoneyLine {
                    year,
                    payee: payee.clone(),
                    source: Source::of(g.fields.scheme),
                    origin: g.id.0.to_string(),
                    amount,
                    basis: Basis::Recorded,
                });
            }
        }
    }
    lines.sort_by(|a, b| (a.year, &a.payee, a.source, &a.origin).cmp(&(b.year, &b.payee, b.source, &b.origin)));

    let mut employees = Vec::new();
    for a in &dashboard.assistants {
        for &year in &years {
            let mut aid = Decimal::ZERO;
            for (contract, etp) in &a.funded_by {
                let whole = dashboard
                    .members
                    .iter()
                    .flat_map(|m| &m.contracts)
                    .chain(&dashboard.collective_contracts)
                    .find(|c| &c.id == contract)
                    .map(|c| c.funded_etp);
                let contract_year_cash = cash
                    .iter()
                    .find(|(id, ..)| id == contract)
                    .and_then(|(.., per_year)| per_year.iter().find(|(y, _)| *y == year))
                    .map_or(Decimal::ZERO, |(_, c)| *c);
                if let Some(whole) = whole {
                    aid += ratio(contract_year_cash, *etp, whole)?;
                }
            }
            let holds_coordination = |aci: &&domain::funding::AciContract| matches!(&aci.fields.coordination.holder, Some(CoordinationHolder::Assistant(id)) if id.0.to_string() == a.id);
            let aci_coordination = funding
                .aci
                .iter()
                .filter(holds_coordination)
                .flat_map(|aci| aci.years.iter().filter(|y| y.year == year))
                .filter_map(|y| y.coordination_paid)
                .sum();
            let mut grants = Decimal::ZERO;
            for g in &funding.grants {
                for s in g.fields.employees.iter().filter(|s| s.assistant_id.0.to_string() == a.id) {
                    grants += share_in_year(g, s, year)?;
                }
            }
            let cost = funding
                .costs
                .iter()
                .find(|c| c.assistant_id.0.to_string() == a.id && c.year == year)
                .map(|c| c.total());
            employees.push(EmployeeYear {
                assistant_id: a.id.clone(),
                label: a.label.clone(),
                year,
                cost,
                aid,
                aci_coordination,
                grants,
            });
        }
    }
    Ok(MoneyTable { years, lines, employees })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn a_grant_is_spread_over_its_days() {
        let p = Period::new(day(2026, 7, 1), Some(day(2027, 6, 30))).expect("period");
        // 184 days of 365 in 2026: 10 000 × 184 / 365 = 5 041.10.
        assert_eq!(in_year(Decimal::from(10_000), &p, 2026), Ok("5041.10".parse().expect("dec")));
        assert_eq!(in_year(Decimal::from(10_000), &p, 2027), Ok("4958.90".parse().expect("dec")));
        assert_eq!(in_year(Decimal::from(10_000), &p, 2028), Ok(Decimal::ZERO));
    }

    #[test]
    fn an_open_ended_grant_is_per_year() {
        let p = Period::new(day(2026, 10, 1), None).expect("period");
        assert_eq!(in_year(Decimal::from(12_000), &p, 2027), Ok(Decimal::from(12_000)));
        // 92 days of 365 in its first year: 12 000 × 92 / 365 = 3 024.66.
        assert_eq!(in_year(Decimal::from(12_000), &p, 2026), Ok("3024.66".parse().expect("dec")));
    }
}
