//! Assistants médicaux and their assignments to practitioners.

use chrono::Utc;
use domain::{
    Assignment, AssignmentId, Assistant, AssistantFields, AssistantId, Employer, Period, PractitionerId, StructureId,
    WeeklyTime,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, NotSet, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::convert::RowContext;
use crate::entities::{assignment, assistant};
use crate::{Page, Store, StoreError, StoreResult, db_id, exists, updated};

/// An assignment to create: time per week for one practitioner over a period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssignment {
    pub practitioner_id: PractitionerId,
    pub weekly_time: WeeklyTime,
    pub period: Period,
}

pub(crate) fn assistant_from_row(row: assistant::Model) -> StoreResult<(StructureId, Assistant)> {
    let cx = RowContext::new("assistants", row.id);
    let employer = match (row.employer_structure_id, row.employer_practitioner_id) {
        (Some(s), None) => Employer::Structure(StructureId(i64::from(s))),
        (None, Some(p)) => Employer::Practitioner(PractitionerId(i64::from(p))),
        _ => return Err(cx.corrupt("exactly one employer must be set")),
    };
    Ok((
        StructureId(i64::from(row.structure_id)),
        Assistant {
            id: AssistantId(i64::from(row.id)),
            fields: AssistantFields {
                employer,
                first_name: row.first_name,
                last_name: row.last_name,
                qualification: cx.code(domain::Qualification::from_code, &row.qualification)?,
                qualified_on: row.qualified_on,
                hired_on: row.hired_on,
                contractual_time: cx.weekly_time(row.weekly_minutes)?,
                former_secretary: row.former_secretary,
            },
        },
    ))
}

fn assignment_from_row(row: assignment::Model) -> StoreResult<Assignment> {
    let cx = RowContext::new("assistant_assignments", row.id);
    Ok(Assignment {
        id: AssignmentId(i64::from(row.id)),
        assistant_id: AssistantId(i64::from(row.assistant_id)),
        practitioner_id: PractitionerId(i64::from(row.practitioner_id)),
        weekly_time: cx.weekly_time(row.weekly_minutes)?,
        period: cx.period(row.valid_from, row.valid_to)?,
    })
}

fn minutes(t: WeeklyTime) -> i32 {
    // At most 2 100 minutes by construction of `WeeklyTime`.
    i32::try_from(t.minutes()).unwrap_or(i32::MAX)
}

async fn check_employer<C: ConnectionTrait>(conn: &C, employer: Employer) -> StoreResult<(Option<i32>, Option<i32>)> {
    match employer {
        Employer::Structure(id) => {
            let id = db_id(id.0, "employer structure")?;
            if !exists(conn, "structures", id).await? {
                return Err(StoreError::NotFound("employer structure"));
            }
            Ok((Some(id), None))
        }
        Employer::Practitioner(id) => {
            let id = db_id(id.0, "employer practitioner")?;
            if !exists(conn, "practitioners", id).await? {
                return Err(StoreError::NotFound("employer practitioner"));
            }
            Ok((None, Some(id)))
        }
    }
}

impl Store {
    /// Creates an assistant working in `structure_id`, with initial assignments, in one
    /// transaction.
    pub async fn create_assistant(
        &self,
        structure_id: StructureId,
        fields: &AssistantFields,
        assignments: &[NewAssignment],
    ) -> StoreResult<(Assistant, Vec<Assignment>)> {
        let txn = self.write_transaction().await?;
        let created = insert_assistant(&txn, structure_id, fields, assignments).await?;
        txn.commit().await?;
        Ok(created)
    }

    pub async fn update_assistant(&self, id: AssistantId, fields: &AssistantFields) -> StoreResult<Assistant> {
        let txn = self.write_transaction().await?;
        let (employer_structure_id, employer_practitioner_id) = check_employer(&txn, fields.employer).await?;
        let am = assistant::ActiveModel {
            id: sea_orm::ActiveValue::Unchanged(db_id(id.0, "assistant")?),
            employer_structure_id: Set(employer_structure_id),
            employer_practitioner_id: Set(employer_practitioner_id),
            first_name: Set(fields.first_name.clone()),
            last_name: Set(fields.last_name.clone()),
            qualification: Set(fields.qualification.code().to_owned()),
            qualified_on: Set(fields.qualified_on),
            hired_on: Set(fields.hired_on),
            weekly_minutes: Set(minutes(fields.contractual_time)),
            former_secretary: Set(fields.former_secretary),
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        let row = updated(am.update(&txn).await, "assistant")?;
        txn.commit().await?;
        Ok(assistant_from_row(row)?.1)
    }

    /// The assistant and the structure it works in.
    pub async fn assistant(&self, id: AssistantId) -> StoreResult<Option<(StructureId, Assistant)>> {
        let row = assistant::Entity::find_by_id(db_id(id.0, "assistant")?).one(self.db()).await?;
        row.map(assistant_from_row).transpose()
    }

    pub async fn list_assistants(
        &self,
        structure_id: StructureId,
        after: Option<AssistantId>,
        first: u64,
    ) -> StoreResult<Page<Assistant>> {
        let mut query = assistant::Entity::find()
            .filter(assistant::Column::StructureId.eq(db_id(structure_id.0, "structure")?))
            .order_by_asc(assistant::Column::Id)
            .limit(first + 1);
        if let Some(after) = after {
            query = query.filter(assistant::Column::Id.gt(after.0));
        }
        let rows = query.all(self.db()).await?;
        let items = rows.into_iter().map(|r| assistant_from_row(r).map(|(_, a)| a)).collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::from_overfetch(items, first))
    }

    pub async fn create_assignment(&self, assistant_id: AssistantId, new: &NewAssignment) -> StoreResult<Assignment> {
        let txn = self.write_transaction().await?;
        if !exists(&txn, "assistants", db_id(assistant_id.0, "assistant")?).await? {
            return Err(StoreError::NotFound("assistant"));
        }
        let created = insert_assignment(&txn, assistant_id, new).await?;
        txn.commit().await?;
        Ok(created)
    }

    pub async fn update_assignment(
        &self,
        id: AssignmentId,
        weekly_time: WeeklyTime,
        period: Period,
    ) -> StoreResult<Assignment> {
        let am = assignment::ActiveModel {
            id: sea_orm::ActiveValue::Unchanged(db_id(id.0, "assignment")?),
            weekly_minutes: Set(minutes(weekly_time)),
            valid_from: Set(period.from()),
            valid_to: Set(period.to()),
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        assignment_from_row(updated(am.update(self.writer()?).await, "assignment")?)
    }

    pub async fn assignment(&self, id: AssignmentId) -> StoreResult<Option<Assignment>> {
        let row = assignment::Entity::find_by_id(db_id(id.0, "assignment")?).one(self.db()).await?;
        row.map(assignment_from_row).transpose()
    }

    /// Assignments of several assistants at once (for DataLoaders), ordered by id.
    pub async fn assignments_of(&self, assistant_ids: &[AssistantId]) -> StoreResult<Vec<Assignment>> {
        let ids: Vec<i32> = assistant_ids.iter().filter_map(|id| i32::try_from(id.0).ok()).collect();
        let rows = assignment::Entity::find()
            .filter(assignment::Column::AssistantId.is_in(ids))
            .order_by_asc(assignment::Column::Id)
            .all(self.db())
            .await?;
        rows.into_iter().map(assignment_from_row).collect()
    }
}

pub(crate) async fn insert_assistant<C: ConnectionTrait>(
    conn: &C,
    structure_id: StructureId,
    fields: &AssistantFields,
    assignments: &[NewAssignment],
) -> StoreResult<(Assistant, Vec<Assignment>)> {
    let sid = db_id(structure_id.0, "structure")?;
    if !exists(conn, "structures", sid).await? {
        return Err(StoreError::NotFound("structure"));
    }
    let (employer_structure_id, employer_practitioner_id) = check_employer(conn, fields.employer).await?;
    let now = Utc::now();
    let row = assistant::ActiveModel {
        id: NotSet,
        structure_id: Set(sid),
        employer_structure_id: Set(employer_structure_id),
        employer_practitioner_id: Set(employer_practitioner_id),
        first_name: Set(fields.first_name.clone()),
        last_name: Set(fields.last_name.clone()),
        qualification: Set(fields.qualification.code().to_owned()),
        qualified_on: Set(fields.qualified_on),
        hired_on: Set(fields.hired_on),
        weekly_minutes: Set(minutes(fields.contractual_time)),
        former_secretary: Set(fields.former_secretary),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    let (_, assistant) = assistant_from_row(row)?;
    let mut created = Vec::with_capacity(assignments.len());
    for new in assignments {
        created.push(insert_assignment(conn, assistant.id, new).await?);
    }
    Ok((assistant, created))
}

async fn insert_assignment<C: ConnectionTrait>(
    conn: &C,
    assistant_id: AssistantId,
    new: &NewAssignment,
) -> StoreResult<Assignment> {
    let pid = db_id(new.practitioner_id.0, "practitioner")?;
    if !exists(conn, "practitioners", pid).await? {
        return Err(StoreError::NotFound("practitioner"));
    }
    let now = Utc::now();
    let row = assignment::ActiveModel {
        id: NotSet,
        assistant_id: Set(db_id(assistant_id.0, "assistant")?),
        practitioner_id: Set(pid),
        weekly_minutes: Set(minutes(new.weekly_time)),
        valid_from: Set(new.period.from()),
        valid_to: Set(new.period.to()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    assignment_from_row(row)
}
