//! TEMPORAL-COVERAGE (RULES.md §2): every month from 2019-08 to 2030-12, each parameter the
//! code needs on that date resolves to exactly one value, and dates before 2019-08-21 have no
//! regime.

use chrono::{Datelike, NaiveDate};
use domain::rules::individual::{self, Doctor, IndividualCase};
use domain::rules::params::{INDIVIDUAL_START, SPECS};
use domain::rules::{NoTrace, RuleBook, RuleError};
use domain::{AidOption, ConventionSector, Specialty};

fn months() -> impl Iterator<Item = NaiveDate> {
    let mut day = INDIVIDUAL_START;
    std::iter::from_fn(move || {
        let current = day;
        if current > NaiveDate::from_ymd_opt(2030, 12, 31)? {
            return None;
        }
        let (y, m) =
            if current.month() == 12 { (current.year() + 1, 1) } else { (current.year(), current.month() + 1) };
        day = NaiveDate::from_ymd_opt(y, m, 1)?;
        Some(current)
    })
}

fn doctor() -> Doctor {
    serde_json::from_value(serde_json::json!({
        "specialty": "GENERAL_PRACTICE", "sector": "SECTOR_1", "band": "P50_P70",
        "grouped_practice": true, "coordinated_practice": true,
        "activity": { "pmt": 1200, "adult_pmt": 1100, "file_active": 2000 }
    }))
    .expect("valid doctor")
}

#[test]
fn every_parameter_has_exactly_one_value_every_month() {
    let book = RuleBook::embedded().expect("embedded parameters load");
    let mut checked = 0u32;
    for day in months() {
        for spec in SPECS {
            if day < spec.needed_from {
                continue;
            }
            let series = book.series(spec.id);
            let in_force = series
                .iter()
                .enumerate()
                .filter(|(i, s)| s.from <= day && series.get(i + 1).is_none_or(|next| next.from > day))
                .count();
            assert_eq!(in_force, 1, "{} on {day}: {in_force} values in force", spec.key);
            assert!(book.step(spec.id, day).is_some());
            checked += 1;
        }
        // And a whole evaluation runs on that date, under exactly one regime.
        let case = IndividualCase {
            signed_on: day,
            option: AidOption::HalfEtp,
            doctor: doctor(),
            as_of: Some(day),
            actual: None,
            ended_on: None,
            renewals: 0,
        };
        let result = individual::evaluate(&book, &case, &mut NoTrace).unwrap_or_else(|e| panic!("{day}: {e}"));
        assert!(["R2019", "R2020", "R2023", "R2024"].contains(&result.regime));
    }
    assert!(checked > 5_000, "only {checked} parameter-months checked");
    println!("{checked} parameter-months checked, each with exactly one value");
}

#[test]
fn no_regime_before_the_first_avenant() {
    let book = RuleBook::embedded().expect("embedded parameters load");
    for day in ["2019-08-20", "2019-01-01", "2010-06-15"] {
        let signed_on: NaiveDate = day.parse().expect("date");
        let case = IndividualCase {
            signed_on,
            option: AidOption::HalfEtp,
            doctor: doctor(),
            as_of: None,
            actual: None,
            ended_on: None,
            renewals: 0,
        };
        let err = individual::evaluate(&book, &case, &mut NoTrace).expect_err("no regime");
        assert!(matches!(err, RuleError::NoRegime { .. }), "{err:?}");
        assert!(err.to_string().starts_with("no regime"), "{err}");
    }
    // Sanity: the fixture doctor really is a plain eligible GP.
    let _ = (Specialty::GeneralPractice, ConventionSector::Sector1);
}
