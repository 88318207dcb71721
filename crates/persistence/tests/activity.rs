//! The assistant's traced activity in the store, on SQLite and (with `TEST_DATABASE_URL`) on
//! PostgreSQL: batches written whole or not at all, corrections appended with the original kept,
//! and a read of many assistants in one statement.

use chrono::NaiveDate;
use domain::rules::assistant::YearMonth;
use domain::*;
use persistence::{
    ActivityRecordId, ActivityWrite, Correction, MissionFamily, NewActivityLine, NewMembership, Store, StoreError,
};
use rust_decimal::Decimal;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn hours(s: &str) -> Decimal {
    s.parse().expect("a decimal")
}

const NOVEMBER: YearMonth = YearMonth { year: 2026, month: 11 };

/// A structure with one doctor and `assistants` assistants; their ids.
async fn setup(store: &Store, assistants: usize) -> (PractitionerId, Vec<AssistantId>) {
    let structure = store
        .create_structure(&StructureFields {
            kind: StructureKind::Msp,
            legal_form: LegalForm::Sisa,
            name: "MSP des Tilleuls".into(),
            finess: None,
            siret: None,
            commune: InseeCommune::parse("69123").expect("valid commune"),
            projet_sante_validated_on: Some(day(2021, 6, 1)),
            sisa_employer_group: true,
            training_site: None,
        })
        .await
        .expect("structure");
    let rpps = format!("{:011}", 10_000_000_000u64 + u64::try_from(assistants).expect("small"));
    let (doctor, _) = store
        .create_practitioner(
            &persistence::testing::general_practitioner(&rpps),
            Some(&NewMembership {
                structure_id: structure.id,
                partner: true,
                period: Period::new(day(2020, 1, 1), None).expect("period"),
                hosts_docteur_junior: None,
            }),
        )
        .await
        .expect("doctor");
    let mut ids = Vec::new();
    for k in 0..assistants {
        let fields = AssistantFields {
            employer: Employer::Structure(structure.id),
            first_name: format!("Assistante{k}"),
            last_name: "Durand".into(),
            qualification: Qualification::None,
            qualified_on: None,
            hired_on: day(2025, 2, 1),
            contractual_time: WeeklyTime::FULL_TIME,
            former_secretary: false,
        };
        ids.push(store.create_assistant(structure.id, &fields, &[]).await.expect("assistant").0.id);
    }
    (doctor.id, ids)
}

fn line(assistant: AssistantId, doctor: Option<PractitionerId>, family: MissionFamily, h: &str) -> NewActivityLine {
    NewActivityLine {
        assistant_id: assistant,
        month: NOVEMBER,
        practitioner_id: doctor,
        family,
        label: None,
        hours: hours(h),
    }
}

async fn a_batch_is_written_whole(store: Store) {
    let (doctor, assistants) = setup(&store, 1).await;
    let a = assistants[0];
    let lines = [
        line(a, Some(doctor), MissionFamily::Consultation, "60.5"),
        line(a, Some(doctor), MissionFamily::Administrative, "40"),
        NewActivityLine { label: Some("accueil".into()), ..line(a, None, MissionFamily::OtherFunction, "12.25") },
    ];
    let ActivityWrite::Recorded(written) = store.record_activity(&lines, "coordinatrice").await.expect("writes") else {
        panic!("no conflict expected");
    };
    assert_eq!(written.len(), 3);
    assert_eq!(written[2].label.as_deref(), Some("accueil"));
    let read = store.activity_of(&[a], Some((NOVEMBER, NOVEMBER))).await.expect("reads");
    let current: Vec<(MissionFamily, Decimal, &str)> =
        read.iter().map(|l| (l.current().family, l.current().hours, l.current().recorded_by.as_str())).collect();
    assert_eq!(
        current,
        [
            (MissionFamily::Consultation, hours("60.5"), "coordinatrice"),
            (MissionFamily::Administrative, hours("40"), "coordinatrice"),
            (MissionFamily::OtherFunction, hours("12.25"), "coordinatrice"),
        ]
    );
    // Other months are not read.
    let october = YearMonth { year: 2026, month: 10 };
    assert!(store.activity_of(&[a], Some((october, october))).await.expect("reads").is_empty());
}

async fn a_batch_with_a_bad_line_writes_nothing(store: Store) {
    let (doctor, assistants) = setup(&store, 1).await;
    let a = assistants[0];
    let lines = [
        line(a, Some(doctor), MissionFamily::Consultation, "10"),
        // A doctor that does not exist: the foreign key refuses the second insert.
        line(a, Some(PractitionerId(9_999)), MissionFamily::Consultation, "10"),
    ];
    let result = store.record_activity(&lines, "c").await;
    assert!(matches!(result, Err(StoreError::MissingReference)), "{result:?}");
    assert_eq!(store.count_rows("activity_records").await.expect("count"), 0, "the first line was rolled back");
    // A line whose key a current line holds is a conflict, and nothing of the batch is written.
    let first = [line(a, Some(doctor), MissionFamily::Consultation, "10")];
    let ActivityWrite::Recorded(done) = store.record_activity(&first, "c").await.expect("writes") else { panic!() };
    let again =
        [line(a, None, MissionFamily::Coordination, "3"), line(a, Some(doctor), MissionFamily::Consultation, "11")];
    assert_eq!(
        store.record_activity(&again, "c").await.expect("answers"),
        ActivityWrite::Conflict { index: 1, current: done[0].id }
    );
    assert_eq!(store.count_rows("activity_records").await.expect("count"), 1);
}

async fn a_correction_keeps_the_original_readable(store: Store) {
    let (doctor, assistants) = setup(&store, 1).await;
    let a = assistants[0];
    let ActivityWrite::Recorded(done) =
        store.record_activity(&[line(a, Some(doctor), MissionFamily::Consultation, "60")], "c").await.expect("writes")
    else {
        panic!("no conflict expected")
    };
    let original = done[0].id;
    let Correction::Recorded(fix) =
        store.correct_activity(original, hours("62.5"), "feuille de temps de novembre", "d").await.expect("corrects")
    else {
        panic!("the original is current")
    };
    assert_eq!(
        (fix.corrects, fix.hours, fix.reason.as_deref()),
        (Some(original), hours("62.5"), Some("feuille de temps de novembre"))
    );
    assert_eq!((fix.month, fix.practitioner_id, fix.family), (NOVEMBER, Some(doctor), MissionFamily::Consultation));
    let Correction::Recorded(second) =
        store.correct_activity(fix.id, hours("61"), "recompté", "d").await.expect("corrects")
    else {
        panic!("the correction is current")
    };
    let lines = store.activity_of(&[a], None).await.expect("reads");
    assert_eq!(lines.len(), 1, "one line, three records");
    let history: Vec<(ActivityRecordId, Decimal)> = lines[0].history().iter().map(|r| (r.id, r.hours)).collect();
    assert_eq!(history, [(original, hours("60")), (fix.id, hours("62.5")), (second.id, hours("61"))]);
    assert_eq!(lines[0].current().hours, hours("61"));
    assert_eq!(lines[0].original().reason, None);
    // A record corrected already cannot be corrected again: its chain stays linear.
    assert_eq!(
        store.correct_activity(original, hours("1"), "again", "d").await.expect("answers"),
        Correction::Superseded { by: fix.id }
    );
    assert_eq!(store.count_rows("activity_records").await.expect("count"), 3);
    assert_eq!(
        store.activity_record(fix.id).await.expect("reads").map(|(r, by)| (r.hours, by)),
        Some((hours("62.5"), Some(second.id)))
    );
    assert!(matches!(
        store.correct_activity(ActivityRecordId(9_999), hours("1"), "x", "d").await,
        Err(StoreError::NotFound("activity record"))
    ));
}

/// One statement whatever the number of assistants read.
async fn many_assistants_are_read_in_one_statement(store: Store) {
    let mut costs = Vec::new();
    for n in [5, 50] {
        let (doctor, assistants) = setup(&store, n).await;
        let lines: Vec<NewActivityLine> = assistants
            .iter()
            .flat_map(|a| {
                [
                    line(*a, Some(doctor), MissionFamily::Consultation, "30"),
                    line(*a, None, MissionFamily::AciCoordination, "20"),
                ]
            })
            .collect();
        store.record_activity(&lines, "c").await.expect("writes");
        let before = store.statements_executed();
        let read = store.activity_of(&assistants, Some((NOVEMBER, NOVEMBER))).await.expect("reads");
        costs.push(store.statements_executed() - before);
        assert_eq!(read.len(), 2 * n);
    }
    assert_eq!(costs, [1, 1], "statements for 5 and 50 assistants");
}

persistence::backend_tests!(
    a_batch_is_written_whole,
    a_batch_with_a_bad_line_writes_nothing,
    a_correction_keeps_the_original_readable,
    many_assistants_are_read_in_one_statement,
);
