//! Properties of amounts over random cases: never negative, payable ≤ maximum, payable
//! monotone in achievement, and the P95-plus amount independent of the contract year.

use chrono::NaiveDate;
use domain::rules::individual::{self, Doctor, IndividualCase};
use domain::rules::{Activity, NoTrace, RuleBook};
use domain::{ActivityBand, AidOption, ConventionSector, Specialty};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn book() -> &'static RuleBook {
    static BOOK: std::sync::OnceLock<RuleBook> = std::sync::OnceLock::new();
    BOOK.get_or_init(|| RuleBook::embedded().expect("embedded parameters load"))
}

fn day(offset: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2019, 8, 21).expect("valid") + chrono::Days::new(u64::from(offset))
}

const BANDS: [ActivityBand; 5] =
    [ActivityBand::P30P50, ActivityBand::P50P70, ActivityBand::P70P90, ActivityBand::P90P95, ActivityBand::P95Plus];
const OPTIONS: [AidOption; 3] = [AidOption::OneThirdEtp, AidOption::HalfEtp, AidOption::OneEtp];

fn case(
    signed: u32,
    years_after: u32,
    band: usize,
    option: usize,
    specialty: bool,
    base: u32,
    actual: Activity,
) -> IndividualCase {
    let doctor = Doctor {
        specialty: if specialty { Specialty::GeneralPractice } else { Specialty::Cardiology },
        sector: ConventionSector::Sector1,
        optam: Default::default(),
        practice_mode: Default::default(),
        mep: false,
        installed_on: None,
        birth_year: None,
        rqth: false,
        children_share: None,
        zone: Some(domain::rules::individual::Zone::Zip),
        grouped_practice: Some(true),
        coordinated_practice: Some(true),
        underserved_departement: None,
        ccam_share: None,
        band: Some(BANDS[band]),
        activity: Activity { pmt: Some(base), adult_pmt: Some(base * 9 / 10), file_active: Some(base * 2) },
        specialty_median: None,
        in_collective_contract: false,
        collective_ended_on: None,
        first_contract: None,
    };
    let signed_on = day(signed);
    IndividualCase {
        signed_on,
        option: OPTIONS[option],
        doctor,
        as_of: Some(signed_on + chrono::Days::new(u64::from(years_after) * 365 + 10)),
        actual: Some(actual),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn payable_is_between_zero_and_the_maximum(
        signed in 0u32..2_600, years in 0u32..7, band in 0usize..5, option in 0usize..3, gp: bool,
        base in 200u32..3_000, gain in 0u32..800,
    ) {
        let actual = Activity { pmt: Some(base + gain), adult_pmt: Some(base * 9 / 10 + gain), file_active: Some(base * 2 + gain) };
        let r = individual::evaluate(book(), &case(signed, years, band, option, gp, base, actual), &mut NoTrace).expect("evaluates");
        // A closed option (1/3 ETP from 2023-05-01) has no amount at all.
        prop_assume!(r.year.is_some());
        let year = r.year.expect("year computed");
        prop_assert!(year.maximum >= Decimal::ZERO);
        if let Some(p) = r.payable {
            prop_assert!(p >= Decimal::ZERO, "payable {p} < 0");
            prop_assert!(p <= year.maximum, "payable {p} > maximum {}", year.maximum);
        }
    }

    #[test]
    fn payable_grows_with_achievement(
        signed in 0u32..2_600, years in 2u32..7, band in 0usize..4, option in 0usize..3, gp: bool,
        base in 200u32..3_000, low in 0u32..600, more in 0u32..600,
    ) {
        let at = |g: u32| Activity { pmt: Some(base + g), adult_pmt: Some(base * 9 / 10 + g), file_active: Some(base * 2 + g) };
        let a = individual::evaluate(book(), &case(signed, years, band, option, gp, base, at(low)), &mut NoTrace).expect("evaluates");
        let b = individual::evaluate(book(), &case(signed, years, band, option, gp, base, at(low + more)), &mut NoTrace).expect("evaluates");
        if let (Some(pa), Some(pb)) = (a.payable, b.payable) {
            prop_assert!(pa <= pb, "more activity paid less: {pa} > {pb}");
        }
    }

    #[test]
    fn the_p95_plus_amount_ignores_the_contract_year(signed in 0u32..2_600, option in 0usize..3) {
        let mut maxima = Vec::new();
        for years in 0..6 {
            let c = case(signed, years, 4, option, true, 2_500, Activity::default());
            let r = individual::evaluate(book(), &c, &mut NoTrace).expect("evaluates");
            prop_assume!(r.year.is_some());
            let y = r.year.expect("year computed");
            prop_assert_eq!(y.row, individual::AmountRow::P95Plus);
            maxima.push((y.revalued, y.maximum));
        }
        // Within one table (before or after the revaluation) the amount never changes.
        for w in maxima.windows(2) {
            if w[0].0 == w[1].0 {
                prop_assert_eq!(w[0].1, w[1].1);
            }
        }
    }
}
