//! The assistant's traced monthly activity (AM-TRACEABILITY): lines of hours per month, doctor
//! and mission family, append-only. A correction is a new record referencing the one it
//! replaces; the current value of a line is the last record of its chain, and the whole chain
//! stays readable.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::rules::assistant::YearMonth;
use domain::{AssistantId, PractitionerId, UnknownCode};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet, QueryFilter,
    QueryOrder,
};

use crate::convert::RowContext;
use crate::entities::activity_record::{ActiveModel, Column, Entity, Model};
use crate::{Store, StoreError, StoreResult, db_id};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActivityRecordId(pub i64);

/// What the hours were spent on. The first three are the assistant's missions the aid funds
/// (RULES.md §1, §6); the last two are other functions the same person may hold, kept apart
/// so that no hour is counted twice (CMP-SAME-HOURS, §9.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MissionFamily {
    Administrative,
    Consultation,
    Coordination,
    /// The ACI MSP coordination function (§9.1), funded by the ACI, not by the aid.
    AciCoordination,
    /// Any other function (reception, secretary…), named by the line's label.
    OtherFunction,
}

impl MissionFamily {
    pub const ALL: [MissionFamily; 5] =
        [Self::Administrative, Self::Consultation, Self::Coordination, Self::AciCoordination, Self::OtherFunction];

    pub fn code(self) -> &'static str {
        match self {
            Self::Administrative => "ADMINISTRATIVE",
            Self::Consultation => "CONSULTATION",
            Self::Coordination => "COORDINATION",
            Self::AciCoordination => "ACI_COORDINATION",
            Self::OtherFunction => "OTHER_FUNCTION",
        }
    }

    pub fn from_code(code: &str) -> Result<Self, UnknownCode> {
        Self::ALL
            .into_iter()
            .find(|f| f.code() == code)
            .ok_or_else(|| UnknownCode { vocabulary: "mission family", code: code.to_owned() })
    }

    /// One of the assistant médical's own missions, which the aid funds.
    pub fn is_aid_mission(self) -> bool {
        matches!(self, Self::Administrative | Self::Consultation | Self::Coordination)
    }
}

/// A line to record: hours of one assistant in one month, for one doctor (or none) and family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewActivityLine {
    pub assistant_id: AssistantId,
    pub month: YearMonth,
    pub practitioner_id: Option<PractitionerId>,
    pub family: MissionFamily,
    pub label: Option<String>,
    pub hours: Decimal,
}

/// One stored record: an original line, or a correction of `corrects`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRecord {
    pub id: ActivityRecordId,
    pub assistant_id: AssistantId,
    pub month: YearMonth,
    pub practitioner_id: Option<PractitionerId>,
    pub family: MissionFamily,
    pub label: Option<String>,
    pub hours: Decimal,
    pub corrects: Option<ActivityRecordId>,
    /// Why a correction was made; none on an original line.
    pub reason: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// A line with its history: the original record first, each correction after it; the last
/// record is the line's current value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityLine {
    history: Vec<ActivityRecord>,
}

impl ActivityLine {
    pub fn current(&self) -> &ActivityRecord {
        // A line is built from at least its original record.
        &self.history[self.history.len() - 1]
    }

    pub fn original(&self) -> &ActivityRecord {
        &self.history[0]
    }

    /// Every record of the line, oldest first.
    pub fn history(&self) -> &[ActivityRecord] {
        &self.history
    }
}

/// The result of a batch write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivityWrite {
    Recorded(Vec<ActivityRecord>),
    /// Line `index` of the batch has the key (assistant, month, doctor, family) of a current
    /// line, `current`, recorded in between: nothing was written.
    Conflict {
        index: usize,
        current: ActivityRecordId,
    },
}

/// The result of a correction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Correction {
    Recorded(ActivityRecord),
    /// The record was corrected already, by `by`: correct the current record instead.
    Superseded {
        by: ActivityRecordId,
    },
}

/// The day a month is stored as: its first.
fn first_day(month: YearMonth) -> StoreResult<NaiveDate> {
    NaiveDate::from_ymd_opt(month.year, month.month, 1)
        .ok_or_else(|| StoreError::Database(DbErr::Custom(format!("{}-{} is not a month", month.year, month.month))))
}

fn record_from_row(row: Model) -> StoreResult<ActivityRecord> {
    let cx = RowContext::new("activity_records", row.id);
    if row.month.day() != 1 {
        return Err(cx.corrupt("month is not the first day of a month"));
    }
    let hours = Decimal::from_str(&row.hours).map_err(|e| cx.corrupt(e))?;
    if hours.is_sign_negative() {
        return Err(cx.corrupt("negative hours"));
    }
    Ok(ActivityRecord {
        id: ActivityRecordId(i64::from(row.id)),
        assistant_id: AssistantId(i64::from(row.assistant_id)),
        month: YearMonth::of(row.month),
        practitioner_id: row.practitioner_id.map(|p| PractitionerId(i64::from(p))),
        family: cx.code(MissionFamily::from_code, &row.family)?,
        label: row.label,
        hours,
        corrects: row.corrects.map(|c| ActivityRecordId(i64::from(c))),
        reason: row.reason,
        recorded_by: row.recorded_by,
        recorded_at: row.recorded_at,
    })
}

/// The key two current lines may not share: a second line for it is a correction.
pub fn line_key(r: &ActivityRecord) -> (AssistantId, YearMonth, Option<PractitionerId>, MissionFamily) {
    (r.assistant_id, r.month, r.practitioner_id, r.family)
}

/// Records grouped into lines, each chain followed from its original to its last correction.
fn chains(records: Vec<ActivityRecord>) -> StoreResult<Vec<ActivityLine>> {
    let mut by_id: HashMap<ActivityRecordId, ActivityRecord> = HashMap::with_capacity(records.len());
    let mut correction_of: HashMap<ActivityRecordId, ActivityRecordId> = HashMap::new();
    let mut originals = Vec::new();
    for r in records {
        match r.corrects {
            Some(c) => {
                correction_of.insert(c, r.id);
            }
            None => originals.push(r.id),
        }
        by_id.insert(r.id, r);
    }
    let mut lines = Vec::with_capacity(originals.len());
    for original in originals {
        let mut history = Vec::new();
        let mut next = Some(original);
        while let Some(id) = next {
            let record = by_id.remove(&id).ok_or_else(|| StoreError::CorruptRow {
                table: "activity_records",
                id: id.0,
                reason: "broken correction chain".into(),
            })?;
            history.push(record);
            next = correction_of.get(&id).copied();
        }
        lines.push(ActivityLine { history });
    }
    // A record left over corrects a record outside the rows read: the chain is broken.
    if let Some(orphan) = by_id.keys().next() {
        return Err(StoreError::CorruptRow {
            table: "activity_records",
            id: orphan.0,
            reason: "corrects a record of another assistant or month".into(),
        });
    }
    lines.sort_by_key(|l| (l.original().assistant_id, l.original().month, l.original().id));
    Ok(lines)
}

async fn records_of<C: ConnectionTrait>(
    conn: &C,
    assistant_ids: &[AssistantId],
    months: Option<(YearMonth, YearMonth)>,
) -> StoreResult<Vec<ActivityRecord>> {
    let keys: Vec<i32> = assistant_ids.iter().filter_map(|id| i32::try_from(id.0).ok()).collect();
    let mut query = Entity::find().filter(Column::AssistantId.is_in(keys)).order_by_asc(Column::Id);
    if let Some((from, to)) = months {
        query = query.filter(Column::Month.gte(first_day(from)?)).filter(Column::Month.lte(first_day(to)?));
    }
    query.all(conn).await?.into_iter().map(record_from_row).collect()
}

fn active_model(
    line: &NewActivityLine,
    corrects: Option<i32>,
    reason: Option<&str>,
    by: &str,
) -> StoreResult<ActiveModel> {
    Ok(ActiveModel {
        id: NotSet,
        assistant_id: Set(db_id(line.assistant_id.0, "assistant")?),
        month: Set(first_day(line.month)?),
        practitioner_id: Set(line.practitioner_id.map(|p| db_id(p.0, "practitioner")).transpose()?),
        family: Set(line.family.code().to_owned()),
        label: Set(line.label.clone()),
        hours: Set(line.hours.normalize().to_string()),
        corrects: Set(corrects),
        reason: Set(reason.map(str::to_owned)),
        recorded_by: Set(by.to_owned()),
        recorded_at: Set(Utc::now()),
    })
}

impl Store {
    /// Records a batch of lines in one transaction: all of them, or none when one cannot be
    /// written (a missing assistant or doctor, or a line whose key a current line holds).
    pub async fn record_activity(&self, lines: &[NewActivityLine], recorded_by: &str) -> StoreResult<ActivityWrite> {
        let txn = self.write_transaction().await?;
        let mut assistants: Vec<AssistantId> = lines.iter().map(|l| l.assistant_id).collect();
        assistants.sort();
        assistants.dedup();
        let (from, to) = match (lines.iter().map(|l| l.month).min(), lines.iter().map(|l| l.month).max()) {
            (Some(from), Some(to)) => (from, to),
            _ => return Ok(ActivityWrite::Recorded(Vec::new())),
        };
        // Checked again here, inside the transaction, for lines recorded since the caller looked.
        let current: HashMap<_, _> = chains(records_of(&txn, &assistants, Some((from, to))).await?)?
            .iter()
            .map(|l| (line_key(l.current()), l.current().id))
            .collect();
        let mut written = Vec::with_capacity(lines.len());
        for (index, line) in lines.iter().enumerate() {
            let key = (line.assistant_id, line.month, line.practitioner_id, line.family);
            if let Some(current) = current.get(&key) {
                return Ok(ActivityWrite::Conflict { index, current: *current });
            }
            written.push(record_from_row(active_model(line, None, None, recorded_by)?.insert(&txn).await?)?);
        }
        txn.commit().await?;
        Ok(ActivityWrite::Recorded(written))
    }

    /// Records new hours for the line of record `id`, which must be its current record.
    pub async fn correct_activity(
        &self,
        id: ActivityRecordId,
        hours: Decimal,
        reason: &str,
        recorded_by: &str,
    ) -> StoreResult<Correction> {
        let key = db_id(id.0, "activity record")?;
        let txn = self.write_transaction().await?;
        let target = Entity::find_by_id(key).one(&txn).await?.ok_or(StoreError::NotFound("activity record"))?;
        if let Some(by) = Entity::find().filter(Column::Corrects.eq(key)).one(&txn).await? {
            return Ok(Correction::Superseded { by: ActivityRecordId(i64::from(by.id)) });
        }
        let target = record_from_row(target)?;
        let line = NewActivityLine {
            assistant_id: target.assistant_id,
            month: target.month,
            practitioner_id: target.practitioner_id,
            family: target.family,
            label: target.label,
            hours,
        };
        // The unique index on `corrects` refuses a second correction written in between.
        let row = match active_model(&line, Some(key), Some(reason), recorded_by)?.insert(&txn).await {
            Ok(row) => row,
            Err(e) => match StoreError::from(e) {
                StoreError::Duplicate(_) => {
                    drop(txn);
                    let by = Entity::find().filter(Column::Corrects.eq(key)).one(self.db()).await?;
                    let by = by.ok_or(StoreError::NotFound("correction"))?;
                    return Ok(Correction::Superseded { by: ActivityRecordId(i64::from(by.id)) });
                }
                other => return Err(other),
            },
        };
        let saved = record_from_row(row)?;
        txn.commit().await?;
        Ok(Correction::Recorded(saved))
    }

    /// One record, and the record that corrects it if any.
    pub async fn activity_record(
        &self,
        id: ActivityRecordId,
    ) -> StoreResult<Option<(ActivityRecord, Option<ActivityRecordId>)>> {
        let key = db_id(id.0, "activity record")?;
        let rows = Entity::find()
            .filter(sea_orm::Condition::any().add(Column::Id.eq(key)).add(Column::Corrects.eq(key)))
            .all(self.db())
            .await?;
        let mut record = None;
        let mut corrected_by = None;
        for row in rows {
            if row.id == key {
                record = Some(record_from_row(row)?);
            } else {
                corrected_by = Some(ActivityRecordId(i64::from(row.id)));
            }
        }
        Ok(record.map(|r| (r, corrected_by)))
    }

    /// The lines of several assistants, with their history, over `months` (both included; all
    /// months when `None`), in one query whatever the number of assistants. Ordered by
    /// assistant, month, then the order the lines were first recorded.
    pub async fn activity_of(
        &self,
        assistant_ids: &[AssistantId],
        months: Option<(YearMonth, YearMonth)>,
    ) -> StoreResult<Vec<ActivityLine>> {
        if assistant_ids.is_empty() {
            return Ok(Vec::new());
        }
        chains(records_of(self.db(), assistant_ids, months).await?)
    }
}

#[cfg(test)]
mod tests {
    use domain::*;
    use sea_orm::{ConnectionTrait, Statement};

    use super::*;

    /// The triggers refuse UPDATE and DELETE, whoever issues them: history cannot be rewritten.
    async fn records_are_never_updated_nor_deleted(store: Store) {
        let structure = store
            .create_structure(&StructureFields {
                kind: StructureKind::Msp,
                legal_form: LegalForm::Sisa,
                name: "MSP".into(),
                finess: None,
                siret: None,
                commune: InseeCommune::parse("69123").expect("valid commune"),
                projet_sante_validated_on: None,
                sisa_employer_group: true,
                training_site: None,
            })
            .await
            .expect("structure");
        let fields = AssistantFields {
            employer: Employer::Structure(structure.id),
            first_name: "Alice".into(),
            last_name: "Durand".into(),
            qualification: Qualification::None,
            qualified_on: None,
            hired_on: NaiveDate::from_ymd_opt(2025, 2, 1).expect("date"),
            contractual_time: WeeklyTime::FULL_TIME,
            former_secretary: false,
        };
        let (assistant, _) = store.create_assistant(structure.id, &fields, &[]).await.expect("assistant");
        let line = NewActivityLine {
            assistant_id: assistant.id,
            month: YearMonth { year: 2026, month: 11 },
            practitioner_id: None,
            family: MissionFamily::OtherFunction,
            label: None,
            hours: Decimal::from(10),
        };
        store.record_activity(&[line], "c").await.expect("writes");
        let backend = store.db().get_database_backend();
        for sql in ["UPDATE activity_records SET hours = '1'", "DELETE FROM activity_records"] {
            let result = store.db().execute_raw(Statement::from_string(backend, sql)).await;
            let message = result.expect_err(sql).to_string();
            assert!(message.contains("append-only"), "{sql}: {message}");
        }
        let lines = store.activity_of(&[assistant.id], None).await.expect("reads");
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].current().hours, Decimal::from(10));
    }

    crate::backend_tests!(records_are_never_updated_nor_deleted);
}
