//! `national_batch`: 60,000 synthetic individual situations, shaped like the national stock of
//! contracts (about 85 % GPs, signatures from 2019-09 to 2026-10, evaluation dates up to 2030,
//! every sector, band and option), evaluated without and with explanations on one core.
//!
//! Run: `cargo bench -p domain --bench national_batch`. Targets: 5,000,000 evaluations/s
//! without explanations, 500,000/s with them.

use std::hint::black_box;

use chrono::{Days, NaiveDate};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use domain::rules::individual::{self, Doctor, FirstContract, IndividualCase, Zone};
use domain::rules::{Activity, NoTrace, RuleBook};
use domain::{ActivityBand, AidOption, ConventionSector, Optam, PracticeMode, Specialty};

const SITUATIONS: usize = 60_000;

/// xorshift64*: deterministic, dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn situations() -> Vec<IndividualCase> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let first = date(2019, 9, 1);
    let span = (date(2026, 10, 31) - first).num_days() as u64;
    let specialists = [
        Specialty::Pediatrics,
        Specialty::Cardiology,
        Specialty::Dermatology,
        Specialty::Psychiatry,
        Specialty::Ophthalmology,
        Specialty::GeneralSurgery,
        Specialty::Ent,
        Specialty::Radiology,
        Specialty::Rheumatology,
    ];
    let bands = [
        ActivityBand::BelowP30,
        ActivityBand::P30P50,
        ActivityBand::P50P70,
        ActivityBand::P70P90,
        ActivityBand::P90P95,
        ActivityBand::P95Plus,
    ];
    let options =
        [AidOption::OneThirdEtp, AidOption::HalfEtp, AidOption::HalfEtp, AidOption::OneEtp, AidOption::TwoEtp];
    (0..SITUATIONS)
        .map(|_| {
            let gp = rng.chance(85);
            let signed_on = first + Days::new(rng.below(span));
            let as_of = signed_on + Days::new(rng.below((date(2030, 12, 31) - signed_on).num_days() as u64));
            let base = 300 + rng.below(2_200) as u32;
            let sector = rng.pick(&[
                ConventionSector::Sector1,
                ConventionSector::Sector1,
                ConventionSector::Sector2,
                ConventionSector::NotContracted,
            ]);
            let doctor = Doctor {
                specialty: if gp { Specialty::GeneralPractice } else { rng.pick(&specialists) },
                sector,
                optam: rng.pick(&[Optam::None, Optam::Optam, Optam::OptamCo]),
                practice_mode: rng.pick(&[PracticeMode::Liberal, PracticeMode::Liberal, PracticeMode::Mixed]),
                mep: rng.chance(2),
                installed_on: Some(signed_on - Days::new(rng.below(9_000))),
                birth_year: Some(1955 + rng.below(40) as i32),
                rqth: Some(rng.chance(1)),
                children_share: None,
                zone: Some(rng.pick(&[Zone::Zip, Zone::Zac, Zone::Hz])),
                grouped_practice: Some(rng.chance(80)),
                coordinated_practice: Some(rng.chance(70)),
                underserved_departement: Some(rng.chance(30)),
                ccam_share: Some(rust_decimal::Decimal::new(rng.below(40) as i64, 2)),
                band: Some(rng.pick(&bands)),
                activity: Activity { pmt: Some(base), adult_pmt: Some(base * 9 / 10), file_active: Some(base * 2) },
                specialty_median: None,
                in_collective_contract: rng.chance(3),
                collective_ended_on: None,
                first_contract: Some(FirstContract {
                    option: AidOption::OneEtp,
                    signed_on: date(2021, 1, 4),
                    objectives_met: true,
                }),
            };
            let gain = rng.below(400) as u32;
            IndividualCase {
                signed_on,
                option: rng.pick(&options),
                doctor,
                as_of: Some(as_of),
                actual: Some(Activity {
                    pmt: Some(base + gain),
                    adult_pmt: Some(base * 9 / 10 + gain),
                    file_active: Some(base * 2 + gain),
                }),
                ended_on: None,
                renewals: 0,
            }
        })
        .collect()
}

fn national_batch(c: &mut Criterion) {
    let book = RuleBook::embedded().expect("embedded parameters load");
    let cases = situations();
    let mut group = c.benchmark_group("national_batch");
    group.throughput(Throughput::Elements(SITUATIONS as u64));
    group.sample_size(20);
    group.bench_function("without_explanations", |b| {
        b.iter(|| {
            for case in &cases {
                let _ = black_box(individual::evaluate(&book, black_box(case), &mut NoTrace));
            }
        })
    });
    group.bench_function("with_explanations", |b| {
        b.iter(|| {
            for case in &cases {
                let _ = black_box(individual::explain(&book, black_box(case)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, national_batch);
criterion_main!(benches);
