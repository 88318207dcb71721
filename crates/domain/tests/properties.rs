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
        rqth: Some(false),
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
        ended_on: None,
        renewals: 0,
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
        for years in 0..5 {
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

// ---- Exact parsing of assistant time and ETP (issue 8, item 4): random digit strings never
// panic, never wrap, and never parse to a value other than the exact decimal they spell.

/// The exact value of a digit string, when `rust_decimal` holds it without rounding.
fn exact(text: &str) -> Option<Decimal> {
    Decimal::from_str_exact(text).ok()
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn etp_parsers_never_panic(text in "[0-9.,/ h:]{0,40}") {
        let _ = domain::Etp::parse(&text);
        let _ = domain::WeeklyTime::parse(&text);
    }

    #[test]
    fn a_decimal_etp_is_the_decimal_it_spells_or_refused(text in "[0-9]{1,26}(\\.[0-9]{1,12})?") {
        let bounds = domain::Etp::MAX;
        match (domain::Etp::parse(&text), exact(&text)) {
            (Ok(etp), Some(d)) => {
                prop_assert_eq!(d * Decimal::from(etp.denominator()), Decimal::from(etp.numerator()), "{} parsed as {}", text, etp);
                prop_assert!(etp <= bounds, "{} accepted above the bound", text);
            }
            (Ok(etp), None) => prop_assert!(false, "{} accepted as {} but is no exact decimal", text, etp),
            (Err(_), Some(d)) => {
                let in_range = d <= Decimal::from(100) && d.normalize().scale() <= 6;
                prop_assert!(!in_range, "{} refused though in range", text);
            }
            (Err(_), None) => {}
        }
    }

    #[test]
    fn a_fraction_etp_is_the_fraction_it_spells_or_refused(n in "[0-9]{1,26}", d in "[0-9]{1,26}") {
        let text = format!("{n}/{d}");
        let (n, d): (u128, u128) = (n.parse().expect("26 digits fit u128"), d.parse().expect("26 digits fit u128"));
        match domain::Etp::parse(&text) {
            Ok(etp) => {
                prop_assert!(d != 0);
                prop_assert_eq!(n * u128::from(etp.denominator()), u128::from(etp.numerator()) * d, "{} parsed as {}", text, etp);
                prop_assert!(etp <= domain::Etp::MAX, "{} accepted above the bound", text);
            }
            Err(_) => {
                let g = gcd(n, d).max(1);
                // Each written term must fit 64 bits (`0/20000000000000000000` is refused).
                let fits = n <= u128::from(u64::MAX) && d <= u128::from(u64::MAX);
                let in_range = fits && d != 0 && n <= 100 * d && d / g <= 1_000_000;
                prop_assert!(!in_range, "{} refused though in range", text);
            }
        }
    }

    #[test]
    fn decimal_weekly_hours_are_the_minutes_they_spell_or_refused(text in "[0-9]{1,24}(\\.[0-9]{1,9})?") {
        match (domain::WeeklyTime::parse(&text), exact(&text)) {
            (Ok(t), Some(hours)) => prop_assert_eq!(hours * Decimal::from(60), Decimal::from(t.minutes()), "{}", text),
            (Ok(t), None) => prop_assert!(false, "{} accepted as {} but is no exact decimal", text, t),
            (Err(_), Some(hours)) => {
                let minutes = hours * Decimal::from(60);
                let valid = minutes.fract().is_zero() && minutes > Decimal::ZERO && minutes <= Decimal::from(35 * 60);
                prop_assert!(!valid, "{} refused though a whole number of minutes within a week", text);
            }
            (Err(_), None) => {}
        }
    }
}
