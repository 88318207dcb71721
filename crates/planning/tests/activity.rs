//! The assistant's traced activity as the use cases handle it, on SQLite and (with
//! `TEST_DATABASE_URL`) PostgreSQL: checks, the CSV import (all lines or none, every refused
//! line reported), corrections, and each assistant's months in the dashboard.

use chrono::NaiveDate;
use domain::rules::assistant::YearMonth;
use domain::rules::{RuleBook, RuleId};
use domain::{
    AidOption, AssistantId, ContractStatus, ConventionSector, Etp, InseeCommune, LegalForm, Optam, Period,
    PracticeMode, PractitionerFields, PractitionerId, Qualification, Rpps, Specialty, StructureFields, StructureId,
    StructureKind, WeeklyTime,
};
use persistence::import::{Dataset, ImportAssistant, ImportContract, ImportEmployer, ImportPractitioner, ImportTerms};
use persistence::{MissionFamily, Store, Visibility};
use planning::activity::{self, Corrected, Field, LineInput, Problem, Recorded};
use planning::{dashboard, load};
use rust_decimal::Decimal;

fn day(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

fn d(s: &str) -> Decimal {
    s.parse().expect("a decimal")
}

fn ym(year: i32, month: u32) -> YearMonth {
    YearMonth { year, month }
}

const TODAY: &str = "2026-12-01";
const RPPS: [&str; 3] = ["10000000001", "10000000002", "10000000003"];

/// One SISA; doctors 1 and 2 members since 2019, doctor 3 a member of another structure;
/// Alice Martin (35 h, hired 2025-02-01) works 17 h 30 for each of doctors 1 and 2; doctor 1
/// holds a 1/2-ETP contract signed 2025-03-01.
fn dataset() -> Dataset {
    let structure = |name: &str| StructureFields {
        kind: StructureKind::Msp,
        legal_form: LegalForm::Sisa,
        name: name.to_owned(),
        finess: None,
        siret: None,
        commune: InseeCommune::parse("69123").expect("a commune"),
        projet_sante_validated_on: Some(day("2020-01-01")),
        sisa_employer_group: true,
        training_site: None,
    };
    let practitioners = RPPS
        .iter()
        .enumerate()
        .map(|(i, rpps)| ImportPractitioner {
            fields: PractitionerFields {
                rpps: Rpps::parse(rpps).expect("11 digits"),
                first_name: format!("Prénom{i}"),
                last_name: format!("Nom{i}"),
                specialty: Specialty::GeneralPractice,
                sector: ConventionSector::Sector1,
                optam: Optam::None,
                practice_mode: PracticeMode::Liberal,
                mep: false,
                installed_on: Some(day("2012-09-01")),
                birth_year: Some(1975),
                rqth: None,
            },
            memberships: vec![(usize::from(i == 2), true, Period::new(day("2019-01-01"), None).expect("a period"))],
            figures: Vec::new(),
        })
        .collect();
    let half = WeeklyTime::from_minutes(17 * 60 + 30).expect("17 h 30");
    let assistant = ImportAssistant {
        structure: 0,
        employer: ImportEmployer::Structure(0),
        first_name: "Alice".into(),
        last_name: "Martin".into(),
        qualification: Qualification::Cqp,
        qualified_on: Some(day("2025-06-01")),
        hired_on: day("2025-02-01"),
        contractual_time: WeeklyTime::FULL_TIME,
        former_secretary: false,
        assignments: (0..2).map(|i| (i, half, Period::new(day("2025-02-01"), None).expect("a period"))).collect(),
    };
    let contract = ImportContract {
        terms: ImportTerms::Individual { practitioner: 0, option: AidOption::HalfEtp },
        signed_on: day("2025-03-01"),
        status: ContractStatus::Active,
        ends_on: None,
        cpam_reference: None,
    };
    Dataset {
        structures: vec![structure("MSP des Tilleuls"), structure("Cabinet voisin")],
        practitioners,
        assistants: vec![assistant],
        contracts: vec![contract],
    }
}

const STRUCTURE: StructureId = StructureId(1);
const ALICE: AssistantId = AssistantId(1);
const DOCTOR_1: PractitionerId = PractitionerId(1);

async fn setup(store: &Store) {
    store.import(&dataset()).await.expect("the dataset imports");
}

/// `n` good lines for Alice: months from 2025-02, each month's 3 doctors (1, 2, none) × 5
/// families, 5,5 hours each (82.5 h a month at most).
fn good_file(n: usize, separator: char) -> (String, Vec<String>) {
    let mut rows = Vec::with_capacity(n);
    let doctors = [RPPS[0], RPPS[1], ""];
    'months: for month in activity::month_range(ym(2025, 2), ym(2026, 11)) {
        for doctor in doctors {
            for family in MissionFamily::ALL {
                if rows.len() == n {
                    break 'months;
                }
                let hours = if separator == ';' { "5,5" } else { "\"5,5\"" };
                rows.push(format!(
                    "Alice Martin{s}{}{s}{doctor}{s}{}{s}{hours}",
                    activity::format_month(month),
                    family.code(),
                    s = separator
                ));
            }
        }
    }
    assert_eq!(rows.len(), n, "enough distinct lines");
    (format!("assistant{s}month{s}doctor{s}family{s}hours", s = separator), rows)
}

fn file(header: &str, rows: &[String]) -> String {
    std::iter::once(header.to_owned()).chain(rows.iter().cloned()).collect::<Vec<_>>().join("\n")
}

async fn one_bad_line_among_100_writes_nothing(store: Store) {
    setup(&store).await;
    let (header, mut rows) = good_file(100, ';');
    // Data line 57 is line 58 of the file (the header is line 1).
    rows[56] = rows[56].replace("5,5", "5,555");
    let report = activity::import_csv(&store, STRUCTURE, &file(&header, &rows), day(TODAY), "coordinatrice")
        .await
        .expect("imports");
    assert_eq!(report.lines_read, 100);
    assert!(report.written.is_empty());
    assert_eq!(report.refused.len(), 1, "{:?}", report.refused);
    let refusal = &report.refused[0];
    assert_eq!((refusal.line, refusal.field, &refusal.problem), (58, Field::Hours, &Problem::HoursTooPrecise));
    assert_eq!(refusal.problem.to_string(), "hours have at most 2 decimals");
    assert_eq!(store.count_rows("activity_records").await.expect("count"), 0, "nothing written");
}

async fn a_good_file_writes_all_its_lines(store: Store) {
    setup(&store).await;
    let (header, rows) = good_file(100, ',');
    let text = format!("\u{feff}{}\n\n", file(&header, &rows));
    let report = activity::import_csv(&store, STRUCTURE, &text, day(TODAY), "coordinatrice").await.expect("imports");
    assert!(report.refused.is_empty(), "{:?}", report.refused);
    assert_eq!((report.lines_read, report.written.len()), (100, 100));
    assert_eq!(store.count_rows("activity_records").await.expect("count"), 100);
    let lines = store.activity_of(&[ALICE], Some((ym(2025, 2), ym(2025, 2)))).await.expect("reads");
    assert_eq!(lines.len(), 15, "3 doctors (one of them none) × 5 families in the first month");
    assert!(lines.iter().all(|l| l.current().hours == d("5.5") && l.current().recorded_by == "coordinatrice"));
    assert_eq!(lines.iter().filter(|l| l.current().practitioner_id == Some(DOCTOR_1)).count(), 5);
    // The same file again: every line is a duplicate of a current one, nothing more is written.
    let again = activity::import_csv(&store, STRUCTURE, &text, day(TODAY), "c").await.expect("imports");
    assert_eq!(again.refused.len(), 100);
    assert!(again.refused.iter().all(|r| matches!(r.problem, Problem::DuplicateOfCurrent { .. })));
    assert_eq!(store.count_rows("activity_records").await.expect("count"), 100);
}

async fn every_refused_line_is_reported_with_its_field(store: Store) {
    setup(&store).await;
    let rows = [
        "Alice Martin;2026-11;10000000001;CONSULTATION;60", // 2: good
        "Bob Leroy;2026-11;10000000001;CONSULTATION;60",    // 3: unknown assistant
        "alice  MARTIN;2026-13;;ADMINISTRATIVE;1",          // 4: month malformed (name matches)
        "Martin Alice;2027-01;;ADMINISTRATIVE;1",           // 5: month in the future
        "Alice Martin;2025-01;;ADMINISTRATIVE;1",           // 6: before the hire
        "Alice Martin;2026-11;10000000003;CONSULTATION;1",  // 7: doctor of another structure
        "Alice Martin;2026-11;1234;CONSULTATION;1",         // 8: RPPS malformed
        "Alice Martin;2026-11;;SECRETARIAT;1",              // 9: unknown family
        "Alice Martin;2026-11;;OTHER_FUNCTION;0",           // 10: zero hours
        "Alice Martin;2026-11;10000000001;CONSULTATION;10", // 11: duplicate of line 2
        "Alice Martin;2026-11",                             // 12: two columns
        "Alice Martin;2026-10;;COORDINATION;250",           // 13: over the ceiling
    ];
    let text = format!("assistant;month;doctor;family;hours\n{}", rows.join("\n"));
    let report = activity::import_csv(&store, STRUCTURE, &text, day(TODAY), "c").await.expect("imports");
    let got: Vec<(usize, Field)> = report.refused.iter().map(|r| (r.line, r.field)).collect();
    assert_eq!(
        got,
        [
            (3, Field::Assistant),
            (4, Field::Month),
            (5, Field::Month),
            (6, Field::Month),
            (7, Field::Doctor),
            (8, Field::Doctor),
            (9, Field::Family),
            (10, Field::Hours),
            (11, Field::Family),
            (12, Field::Line),
            (13, Field::Hours),
        ]
    );
    assert!(matches!(report.refused[2].problem, Problem::MonthInFuture { .. }));
    assert!(matches!(report.refused[3].problem, Problem::MonthBeforeHire { .. }));
    assert_eq!(report.refused[8].problem, Problem::DuplicateInBatch { first: 2 });
    assert_eq!(
        report.refused[10].problem,
        Problem::HoursOverCeiling { month: ym(2026, 10), total: d("250"), ceiling: d("212.57") }
    );
    assert_eq!(store.count_rows("activity_records").await.expect("count"), 0);
    // A file that is not one.
    for bad in ["", "name;month;hours\nx;y;z", "assistant;month;doctor;family;hours\n"] {
        let r = activity::import_csv(&store, STRUCTURE, bad, day(TODAY), "c").await.expect("imports");
        assert_eq!(r.refused.len(), 1, "{bad:?}");
        assert_eq!(r.refused[0].field, Field::Line);
    }
}

fn input(doctor: Option<PractitionerId>, family: MissionFamily, hours: &str) -> LineInput {
    LineInput { assistant: ALICE, month: ym(2026, 11), doctor, family, label: None, hours: d(hours) }
}

async fn a_correction_keeps_the_original_readable(store: Store) {
    setup(&store).await;
    let lines = [input(Some(DOCTOR_1), MissionFamily::Consultation, "60")];
    let Recorded::Written(written) =
        activity::record_lines(&store, STRUCTURE, &lines, &[0], day(TODAY), "c").await.expect("records")
    else {
        panic!("a good line")
    };
    let id = written[0].id;
    // Recording the same line again is refused: correct it instead.
    let again = activity::record_lines(&store, STRUCTURE, &lines, &[0], day(TODAY), "c").await.expect("answers");
    assert_eq!(
        again,
        Recorded::Refused(vec![activity::Refusal {
            line: 0,
            field: Field::Family,
            problem: Problem::DuplicateOfCurrent { current: id }
        }])
    );
    let fixed =
        activity::correct(&store, &Visibility::All, id, d("64.5"), "  relevé corrigé ", "d").await.expect("corrects");
    let Corrected::Written(fix) = fixed else { panic!("a good correction: {fixed:?}") };
    assert_eq!((fix.corrects, fix.reason.as_deref()), (Some(id), Some("relevé corrigé")));
    let read = activity::lines_of(&store, ALICE, None).await.expect("reads");
    assert_eq!(read.len(), 1);
    let history: Vec<Decimal> = read[0].history().iter().map(|r| r.hours).collect();
    assert_eq!(history, [d("60"), d("64.5")], "the original stays readable");
    // The old record is superseded; a reason is required; outside the viewer's scope reads as absent.
    let stale = activity::correct(&store, &Visibility::All, id, d("1"), "x", "d").await.expect("answers");
    assert_eq!(stale, Corrected::Refused(vec![(Field::Line, Problem::Superseded { by: fix.id })]));
    let silent = activity::correct(&store, &Visibility::All, fix.id, d("1"), "  ", "d").await.expect("answers");
    assert_eq!(silent, Corrected::Refused(vec![(Field::Reason, Problem::ReasonRequired)]));
    let elsewhere = Visibility::Structures(vec![StructureId(2)]);
    assert_eq!(
        activity::correct(&store, &elsewhere, fix.id, d("1"), "x", "d").await.expect("answers"),
        Corrected::NotFound
    );
    let over = activity::correct(&store, &Visibility::All, fix.id, d("300"), "x", "d").await.expect("answers");
    assert!(matches!(&over, Corrected::Refused(p) if matches!(p[0].1, Problem::HoursOverCeiling { .. })), "{over:?}");
    // Zero withdraws the line; its history keeps every value.
    let withdrawn =
        activity::correct(&store, &Visibility::All, fix.id, d("0"), "saisie en double", "d").await.expect("answers");
    assert!(matches!(withdrawn, Corrected::Written(_)));
    let read = activity::lines_of(&store, ALICE, None).await.expect("reads");
    assert_eq!(read[0].history().len(), 3);
    assert_eq!(read[0].current().hours, Decimal::ZERO);
}

/// Each assistant's months in the dashboard: employed, funded, assigned and traced hours, and
/// the months without records.
async fn the_months_of_an_assistant(store: Store) {
    setup(&store).await;
    let lines = [
        input(Some(DOCTOR_1), MissionFamily::Consultation, "60.5"),
        input(Some(DOCTOR_1), MissionFamily::Administrative, "30"),
        input(Some(PractitionerId(2)), MissionFamily::Coordination, "25.25"),
        input(None, MissionFamily::AciCoordination, "20"),
        LineInput { label: Some("accueil".into()), ..input(None, MissionFamily::OtherFunction, "10") },
        LineInput { month: ym(2026, 10), ..input(Some(DOCTOR_1), MissionFamily::Consultation, "140") },
    ];
    let numbers: Vec<usize> = (0..lines.len()).collect();
    let recorded = activity::record_lines(&store, STRUCTURE, &lines, &numbers, day(TODAY), "c").await.expect("records");
    assert!(matches!(recorded, Recorded::Written(ref w) if w.len() == 6), "{recorded:?}");

    let book = RuleBook::embedded().expect("rules load");
    let structure = store.structure(STRUCTURE).await.expect("reads").expect("exists");
    let team = load::team(&store, &Visibility::All, &structure, day(TODAY)).await.expect("loads");
    let read = activity::lines_of_team(&store, &team).await.expect("reads");
    let board = dashboard::dashboard_with_activity(&book, &team, &read, day(TODAY)).expect("a dashboard");
    let alice = &board.assistants[0];
    assert!(alice.activity_recorded);
    let months: Vec<YearMonth> = alice.months.iter().map(|m| m.month).collect();
    assert_eq!(months, activity::month_range(ym(2026, 1), ym(2026, 12)), "the last 12 months");
    let november = alice.months.iter().find(|m| m.month == ym(2026, 11)).expect("November");
    // 35 h × 52 / 12 = 151.67; assigned 2 × 17 h 30 = 35 h; funded: the 1/2-ETP contract of
    // doctor 1, whose only assistant she is: 1/2 × 151.67 = 75.835 → 75.84.
    assert_eq!(november.employed_hours, d("151.67"));
    assert_eq!(november.assigned_hours, d("151.67"));
    assert_eq!(november.funded_etp, Etp::new(1, 2));
    assert_eq!(november.funded_hours, d("75.84"));
    let t = &november.traced;
    assert_eq!(
        (t.total, t.aid_missions, t.aci_coordination, t.other_functions),
        (d("145.75"), d("115.75"), d("20"), d("10"))
    );
    assert_eq!(t.by_doctor, [(Some(DOCTOR_1), d("90.5")), (Some(PractitionerId(2)), d("25.25")), (None, d("30"))]);
    let october = alice.months.iter().find(|m| m.month == ym(2026, 10)).expect("October");
    assert_eq!((october.traced.total, october.recorded), (d("140"), true));
    let december = alice.months.iter().find(|m| m.month == ym(2026, 12)).expect("December");
    assert!(!december.recorded && december.traced.total.is_zero());
    // Every month from the hire (2025-02) to the one before the day, except October and November.
    let missing = activity::month_range(ym(2025, 2), ym(2026, 9));
    assert_eq!(missing.len(), 20);
    assert_eq!(alice.missing_months, missing);
    let traceability =
        alice.assessed.explanation.rules.iter().find(|r| r.rule == RuleId::AmTraceability).expect("rule");
    assert_eq!(traceability.outcome, domain::rules::Outcome::Fail);

    // Without records in the product, the months are shown and AM-TRACEABILITY is undecided.
    let bare = dashboard::dashboard(&book, &team, day(TODAY)).expect("a dashboard");
    let alice = &bare.assistants[0];
    assert!(!alice.activity_recorded && alice.missing_months.is_empty());
    assert_eq!(alice.months.len(), 12);
    let rule = alice.assessed.explanation.rules.iter().find(|r| r.rule == RuleId::AmTraceability).expect("rule");
    assert_eq!(rule.outcome, domain::rules::Outcome::Undecided);
}

/// The traced hours CMP-SAME-HOURS reads, per assistant and month, in one query.
async fn hours_split_for_the_compatibility_rule(store: Store) {
    setup(&store).await;
    let lines =
        [input(Some(DOCTOR_1), MissionFamily::Consultation, "100"), input(None, MissionFamily::AciCoordination, "40")];
    activity::record_lines(&store, STRUCTURE, &lines, &[0, 1], day(TODAY), "c").await.expect("records");
    let before = store.statements_executed();
    let split = activity::traced_hours(&store, &[ALICE], (ym(2026, 1), ym(2026, 12))).await.expect("reads");
    assert_eq!(store.statements_executed() - before, 1);
    assert_eq!(split.len(), 1);
    let (assistant, month, hours) = &split[0];
    assert_eq!((*assistant, *month), (ALICE, ym(2026, 11)));
    assert_eq!((hours.aid_missions, hours.aci_coordination, hours.other_functions), (d("100"), d("40"), Decimal::ZERO));
}

persistence::backend_tests!(
    one_bad_line_among_100_writes_nothing,
    a_good_file_writes_all_its_lines,
    every_refused_line_is_reported_with_its_field,
    a_correction_keeps_the_original_readable,
    the_months_of_an_assistant,
    hours_split_for_the_compatibility_rule,
);
