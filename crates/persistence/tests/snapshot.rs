//! A read snapshot: one consistent state over several statements, and no write. On a SQLite
//! file (an in-memory database has one connection: nothing could write beside the snapshot)
//! and, with `TEST_DATABASE_URL`, on PostgreSQL.

use chrono::{NaiveDate, Utc};
use domain::*;
use persistence::{FiguresUpsert, Store, Visibility};

fn msp(name: &str) -> StructureFields {
    StructureFields {
        kind: StructureKind::Msp,
        legal_form: LegalForm::Sisa,
        name: name.to_owned(),
        finess: None,
        siret: None,
        commune: InseeCommune::parse("33063").expect("valid commune"),
        projet_sante_validated_on: NaiveDate::from_ymd_opt(2021, 6, 1),
        sisa_employer_group: true,
        training_site: None,
    }
}

async fn names(store: &Store) -> Vec<String> {
    let page = store.list_structures(&Visibility::All, None, 10).await.expect("list");
    page.items.into_iter().map(|s| s.fields.name).collect()
}

async fn a_read_snapshot_sees_one_state_and_refuses_writes(store: Store) {
    let first = store.create_structure(&msp("MSP des Tilleuls")).await.expect("create");
    let snapshot = store.read_snapshot();
    assert!(snapshot.is_snapshot() && !store.is_snapshot());
    assert_eq!(names(&snapshot).await, ["MSP des Tilleuls"]);

    // Committed beside the snapshot, after its first read: the pool sees it, the snapshot not.
    store.create_structure(&msp("MSP du Port")).await.expect("create beside the snapshot");
    assert_eq!(names(&store).await, ["MSP des Tilleuls", "MSP du Port"]);
    assert_eq!(names(&snapshot).await, ["MSP des Tilleuls"]);
    // A snapshot of a snapshot is the same one, not a newer state.
    assert_eq!(names(&snapshot.read_snapshot()).await, ["MSP des Tilleuls"]);

    // Every kind of write is refused, and none reaches the database.
    assert!(snapshot.create_structure(&msp("MSP de la Gare")).await.is_err(), "insert");
    assert!(snapshot.update_structure(first.id, &msp("Renamed")).await.is_err(), "update");
    let (doctor, _) = store
        .create_practitioner(&persistence::testing::general_practitioner("10000000008"), None)
        .await
        .expect("doctor");
    let figures = ActivityFiguresFields {
        year: 2025,
        pmt: Some(900),
        adult_pmt: None,
        file_active: None,
        ccam_share_bp: None,
        band: None,
        origin: FiguresOrigin::Cpam,
        obtained_at: Utc::now(),
    };
    let upsert = [FiguresUpsert { practitioner_id: doctor.id, fields: figures }];
    assert!(snapshot.upsert_figures(&upsert).await.is_err(), "write transaction");
    assert!(snapshot.record_cpam_failure(doctor.id, Utc::now(), "X", "y").await.is_err(), "insert of a helper");
    drop(snapshot);

    assert_eq!(names(&store).await, ["MSP des Tilleuls", "MSP du Port"]);
    assert_eq!(store.count_rows("activity_figures").await.expect("count"), 0);
    assert_eq!(store.count_rows("cpam_refreshes").await.expect("count"), 0);
    // A new snapshot starts from what is committed now.
    assert_eq!(names(&store.read_snapshot()).await, ["MSP des Tilleuls", "MSP du Port"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_file_read_snapshot() {
    let dir =
        std::env::temp_dir().join(format!("amp-snapshot-{}-{}", std::process::id(), Utc::now().timestamp_micros()));
    let store = Store::connect(&format!("sqlite://{}/am.db?mode=rwc", dir.display())).await.expect("connect");
    store.migrate().await.expect("migrate");
    a_read_snapshot_sees_one_state_and_refuses_writes(store).await;
    std::fs::remove_dir_all(&dir).ok();
}

persistence::postgres_tests!(a_read_snapshot_sees_one_state_and_refuses_writes);
