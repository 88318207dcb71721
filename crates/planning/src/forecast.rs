//! Contract years ahead: each year's maximum and the payable projected at the current
//! achievement, from the rules engine evaluated at each year's start (term, renewal,
//! revaluation and end-of-contract proration included), and the cash it brings per
//! PAY-SCHEDULE.

use chrono::{Datelike, Days, Months, NaiveDate};
use domain::rules::collective::{self, CollectiveCase};
use domain::rules::individual::{self, IndividualCase};
use domain::rules::{
    Activity, NoTrace, Objectives, RuleBook, RuleError, contract_year_on, contract_year_start, times_fraction,
};
use rust_decimal::Decimal;

/// One contract year in a forecast.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectedYear {
    pub contract_year: u32,
    pub starts_on: NaiveDate,
    /// Last day the year covers: the day before the next anniversary, or the contract's end.
    pub ends_on: NaiveDate,
    pub maximum: Decimal,
    /// Payable at the current achievement, prorated when the contract ends within the year.
    pub payable: Decimal,
    /// The achievement is not known yet: the payable assumes the objectives met.
    pub assumes_objectives_met: bool,
}

/// A payment expected on a day (PAY-SCHEDULE).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payment {
    pub on: NaiveDate,
    pub contract_year: u32,
    pub amount: Decimal,
}

/// Activity that meets every target: the projection when the real one is unknown.
fn meeting(objectives: &Objectives) -> Activity {
    let mut a = Activity::default();
    for t in objectives.iter() {
        match t.indicator {
            domain::rules::Indicator::Pmt => a.pmt = Some(t.target),
            domain::rules::Indicator::AdultPmt => a.adult_pmt = Some(t.target),
            domain::rules::Indicator::FileActive => a.file_active = Some(t.target),
        }
    }
    a
}

/// `day` plus `months`, the far future when out of range.
pub fn add_months(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// The end of the contract year `k`, bounded by the contract's own end.
fn year_end(signed: NaiveDate, k: u32, ended_on: Option<NaiveDate>) -> Result<NaiveDate, RuleError> {
    let next = contract_year_start(signed, k + 1).ok_or(RuleError::Invalid("contract year out of range"))?;
    let last = next.pred_opt().unwrap_or(next);
    Ok(ended_on.map_or(last, |end| end.min(last)))
}

/// The years of an individual contract that overlap `[from, until)`, at the achievement of
/// `case.actual` (or the objectives met when it is unknown).
pub fn individual_years(
    book: &RuleBook,
    case: &IndividualCase,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<ProjectedYear>, RuleError> {
    let signed = case.signed_on;
    let first = contract_year_on(signed, from.max(signed)).unwrap_or(1);
    let mut probe = case.clone();
    let assumes = case.actual.is_none();
    if assumes {
        probe.actual = Some(meeting(&individual::evaluate(book, case, &mut NoTrace)?.objectives));
    }
    let mut years = Vec::new();
    for k in first.. {
        let starts_on = contract_year_start(signed, k).ok_or(RuleError::Invalid("contract year out of range"))?;
        if starts_on >= until {
            break;
        }
        probe.as_of = Some(starts_on);
        let r = individual::evaluate(book, &probe, &mut NoTrace)?;
        // No year: the option is closed or the contract is over (ended, past its term).
        let Some(year) = r.year else { break };
        years.push(ProjectedYear {
            contract_year: k,
            starts_on,
            ends_on: year_end(signed, k, case.ended_on)?,
            maximum: year.maximum,
            payable: r.payable.unwrap_or(year.maximum),
            assumes_objectives_met: assumes && k >= 3,
        });
    }
    Ok(years)
}

/// The years of a collective contract that overlap `[from, until)`.
pub fn collective_years(
    book: &RuleBook,
    case: &CollectiveCase,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<ProjectedYear>, RuleError> {
    let signed = case.signed_on;
    let first = contract_year_on(signed, from.max(signed)).unwrap_or(1);
    let mut probe = case.clone();
    probe.as_of = Some(signed);
    let at_signature = collective::evaluate(book, &probe, &mut NoTrace)?;
    let assumes = case.actual.is_none();
    if assumes {
        probe.actual = Some(meeting(&at_signature.objectives));
    }
    let mut years = Vec::new();
    for y in at_signature.schedule.iter().filter(|y| y.contract_year >= first && y.starts_on < until) {
        probe.as_of = Some(y.starts_on);
        let r = collective::evaluate(book, &probe, &mut NoTrace)?;
        years.push(ProjectedYear {
            contract_year: y.contract_year,
            starts_on: y.starts_on,
            ends_on: year_end(signed, y.contract_year, at_signature.ends_on)?,
            maximum: y.maximum,
            payable: r.payable.unwrap_or(y.maximum),
            assumes_objectives_met: assumes && y.contract_year >= 3,
        });
    }
    Ok(years)
}

fn half(amount: Decimal) -> Result<Decimal, RuleError> {
    times_fraction(amount, 1, 2).ok_or(RuleError::Invalid("amount out of range"))
}

/// PAY-SCHEDULE, secondary, the dates an assumption: year 1 in full the month after its start
/// (or, under the 2019 calendar, `first_share` within 15 days and the balance at the first
/// anniversary); year 2 at its start; later years in two halves, six months in and at the next
/// anniversary. A year cut short by the contract's end pays its balance the day after it.
pub fn payments(years: &[ProjectedYear], first_share: Decimal) -> Result<Vec<Payment>, RuleError> {
    let mut out = Vec::with_capacity(years.len() * 2);
    for y in years {
        let anniversary = y.ends_on.succ_opt().unwrap_or(y.ends_on);
        let after = |months: u32| y.starts_on.checked_add_months(Months::new(months)).unwrap_or(anniversary);
        let mut pay = |on: NaiveDate, amount: Decimal| out.push(Payment { on, contract_year: y.contract_year, amount });
        match y.contract_year {
            1 if first_share == Decimal::ONE => pay(after(1).min(anniversary), y.payable),
            1 => {
                let first =
                    times_fraction(y.payable, first_share.mantissa().unsigned_abs(), 10u128.pow(first_share.scale()))
                        .ok_or(RuleError::Invalid("amount out of range"))?;
                pay((y.starts_on + Days::new(15)).min(anniversary), first);
                pay(anniversary, y.payable - first);
            }
            2 => pay(y.starts_on, y.payable),
            _ => {
                let first = half(y.payable)?;
                pay(after(6).min(anniversary), first);
                pay(anniversary, y.payable - first);
            }
        }
    }
    Ok(out)
}

/// Cash per calendar year, for the calendar years of `[from, until)`.
pub fn by_calendar_year(payments: &[Payment], from: NaiveDate, until: NaiveDate) -> Vec<(i32, Decimal)> {
    let last = until.pred_opt().unwrap_or(until).year();
    (from.year()..=last)
        .map(|year| {
            let cash =
                payments.iter().filter(|p| p.on.year() == year && from <= p.on && p.on < until).map(|p| p.amount).sum();
            (year, cash)
        })
        .collect()
}

/// The window of five years from `from`.
pub fn five_years(from: NaiveDate) -> NaiveDate {
    add_months(from, 60)
}

/// The part of a year's payable that falls in `[from, until)`, spread evenly over the days it
/// covers: how much of it a comparison year receives.
pub fn accrued(y: &ProjectedYear, from: NaiveDate, until: NaiveDate) -> Result<Decimal, RuleError> {
    let start = y.starts_on.max(from);
    let end = y.ends_on.min(until.pred_opt().unwrap_or(until));
    if end < start {
        return Ok(Decimal::ZERO);
    }
    let covered = (y.ends_on - y.starts_on).num_days() + 1;
    let inside = (end - start).num_days() + 1;
    if inside == covered {
        return Ok(y.payable);
    }
    times_fraction(y.payable, inside as u128, covered as u128).ok_or(RuleError::Invalid("amount out of range"))
}
