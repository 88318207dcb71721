//! createAssistant, updateAssistant, createAssignment, updateAssignment.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use domain::{
    AssignmentError, AssignmentId, AssistantFields, AssistantId, Employer, LegalForm, Period, Qualification, WeeklyTime,
};
use persistence::{NewAssignment, Store};

use super::{decode_id, find_practitioner, find_structure, not_found, payload, session};
use crate::access;
use crate::access::Visible;
use crate::auth::Viewer;
use crate::enums;
use crate::error::UserErrorCode as Code;
use crate::ids::NodeType;
use crate::scalars::Date;
use crate::types::{AssignmentObject, AssistantObject};
use crate::validate::Checker;

payload!(
    /// Result of createAssistant / updateAssistant.
    AssistantPayload { assistant: AssistantObject }
);
payload!(
    /// Result of createAssignment / updateAssignment.
    AssignmentPayload { assignment: AssignmentObject }
);

#[derive(Debug, InputObject)]
pub struct AssignmentInput {
    pub practitioner_id: ID,
    /// Time per week for this doctor: `17.5`, `17h30`, `11h40`…
    pub weekly_hours: String,
    pub from: Date,
    pub to: Option<Date>,
}

#[derive(Debug, InputObject)]
pub struct CreateAssistantInput {
    /// The structure the assistant works in.
    pub structure_id: ID,
    /// Employer when it is a company (SISA employer group, SCM…). Give this or `employerPractitionerId`.
    pub employer_structure_id: Option<ID>,
    /// Employer when it is a doctor.
    pub employer_practitioner_id: Option<ID>,
    pub first_name: String,
    pub last_name: String,
    #[graphql(default_with = "enums::Qualification::None")]
    pub qualification: enums::Qualification,
    pub qualified_on: Option<Date>,
    pub hired_on: Date,
    /// Contractual time per week, at most 35 h: `35`, `17.5`, `11h40`…
    pub weekly_hours: String,
    #[graphql(default)]
    pub former_secretary: bool,
    #[graphql(default)]
    pub assignments: Vec<AssignmentInput>,
}

/// Omitted fields keep their value; `null` clears an optional one.
#[derive(Debug, InputObject)]
pub struct UpdateAssistantInput {
    pub id: ID,
    pub employer_structure_id: Option<ID>,
    pub employer_practitioner_id: Option<ID>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub qualification: Option<enums::Qualification>,
    pub qualified_on: MaybeUndefined<Date>,
    pub hired_on: Option<Date>,
    pub weekly_hours: Option<String>,
    pub former_secretary: Option<bool>,
}

#[derive(Debug, InputObject)]
pub struct CreateAssignmentInput {
    pub assistant_id: ID,
    pub practitioner_id: ID,
    pub weekly_hours: String,
    pub from: Date,
    pub to: Option<Date>,
}

/// Omitted fields keep their value; `to: null` makes the assignment open-ended.
#[derive(Debug, InputObject)]
pub struct UpdateAssignmentInput {
    pub id: ID,
    pub weekly_hours: Option<String>,
    pub from: Option<Date>,
    pub to: MaybeUndefined<Date>,
}

/// The employer among the two optional ids, which must be exactly one, visible to the viewer.
async fn employer(
    c: &mut Checker,
    store: &Store,
    viewer: &Viewer,
    structure_id: Option<&ID>,
    practitioner_id: Option<&ID>,
) -> async_graphql::Result<Option<Employer>> {
    match (structure_id, practitioner_id) {
        (Some(id), None) => {
            let field = &["employerStructureId"];
            let Some(s) = find_structure(c, store, viewer, field, id).await? else { return Ok(None) };
            if s.fields.legal_form == LegalForm::Sisa && !s.fields.sisa_employer_group {
                c.warn(
                    field,
                    Code::SisaNotEmployerGroup,
                    "a SISA employs an assistant only if its statutes make it an employer group \
                     (ordonnance 2021-584, décret 2021-747): record the statutes change",
                );
            }
            Ok(Some(Employer::Structure(s.id)))
        }
        (None, Some(id)) => {
            let p = find_practitioner(c, store, viewer, &["employerPractitionerId"], id).await?;
            Ok(p.map(|p| Employer::Practitioner(p.id)))
        }
        (None, None) => {
            c.error(&["employerStructureId"], Code::EmployerRequired, "give the employing company or doctor");
            Ok(None)
        }
        (Some(_), Some(_)) => {
            c.error(&["employerPractitionerId"], Code::EmployerAmbiguous, "an assistant has one employer: give one id");
            Ok(None)
        }
    }
}

fn check_qualification(c: &mut Checker, fields: &AssistantFields) {
    match (fields.qualification, fields.qualified_on) {
        (Qualification::None, Some(_)) => c.error(
            &["qualifiedOn"],
            Code::QualifiedOnWithoutQualification,
            "a qualification date needs a qualification (CQP or FAE)",
        ),
        (Qualification::Cqp | Qualification::Fae, None) => {
            c.error(&["qualifiedOn"], Code::QualifiedOnRequired, "give the date the qualification was obtained")
        }
        _ => {}
    }
}

/// Reports on `field` what keeps the assignments from being the assistant's.
fn check_assignments(c: &mut Checker, assistant: &AssistantFields, items: &[(WeeklyTime, Period)], field: &[&str]) {
    for error in assistant.assignment_errors(items) {
        let code = match error {
            AssignmentError::BeforeHire => Code::AssignmentBeforeHire,
            AssignmentError::OverContract { .. } => Code::AssignmentsExceedContract,
        };
        c.error(field, code, error.to_string());
    }
}

async fn existing_assignments(store: &Store, id: AssistantId) -> async_graphql::Result<Vec<domain::Assignment>> {
    Ok(store.assignments_of(&[id]).await.map_err(crate::error::ApiError::from)?)
}

#[derive(Debug, Default)]
pub struct AssistantMutations;

#[Object]
impl AssistantMutations {
    /// Records an assistant médical and their first assignments, in one transaction.
    async fn create_assistant(
        &self,
        ctx: &Context<'_>,
        input: CreateAssistantInput,
    ) -> async_graphql::Result<AssistantPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let structure_id =
            find_structure(&mut c, store, viewer, &["structureId"], &input.structure_id).await?.map(|s| s.id);
        let employer = employer(
            &mut c,
            store,
            viewer,
            input.employer_structure_id.as_ref(),
            input.employer_practitioner_id.as_ref(),
        )
        .await?;
        let first_name = c.name(&["firstName"], &input.first_name);
        let last_name = c.name(&["lastName"], &input.last_name);
        let contractual_time = c.weekly_time(&["weeklyHours"], &input.weekly_hours);
        let mut assignments = Vec::with_capacity(input.assignments.len());
        for (i, a) in input.assignments.iter().enumerate() {
            let index = i.to_string();
            let practitioner = find_practitioner(
                &mut c,
                store,
                viewer,
                &["assignments", &index, "practitionerId"],
                &a.practitioner_id,
            )
            .await?
            .map(|p| p.id);
            let time = c.weekly_time(&["assignments", &index, "weeklyHours"], &a.weekly_hours);
            let period = c.period(&["assignments", &index], a.from, a.to);
            if let (Some(practitioner_id), Some(weekly_time), Some(period)) = (practitioner, time, period) {
                assignments.push(NewAssignment { practitioner_id, weekly_time, period });
            }
        }
        let (Some(structure_id), Some(employer), Some(first_name), Some(last_name), Some(contractual_time)) =
            (structure_id, employer, first_name, last_name, contractual_time)
        else {
            return Ok(AssistantPayload::rejected(c));
        };
        let fields = AssistantFields {
            employer,
            first_name,
            last_name,
            qualification: input.qualification.into(),
            qualified_on: input.qualified_on.map(|d| d.0),
            hired_on: input.hired_on.0,
            contractual_time,
            former_secretary: input.former_secretary,
        };
        check_qualification(&mut c, &fields);
        let items: Vec<_> = assignments.iter().map(|a| (a.weekly_time, a.period)).collect();
        check_assignments(&mut c, &fields, &items, &["assignments"]);
        if !c.is_ok() {
            return Ok(AssistantPayload::rejected(c));
        }
        let result = store.create_assistant(structure_id, &fields, &assignments).await;
        Ok(AssistantPayload::from_write(
            c,
            result.map(|(assistant, _)| AssistantObject(Visible::written((structure_id, assistant)))),
        )?)
    }

    async fn update_assistant(
        &self,
        ctx: &Context<'_>,
        input: UpdateAssistantInput,
    ) -> async_graphql::Result<AssistantPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let Some(id) = decode_id(&mut c, &["id"], NodeType::Assistant, &input.id) else {
            return Ok(AssistantPayload::rejected(c));
        };
        let Some((structure_id, current)) =
            access::assistant(store, viewer, AssistantId(id)).await?.map(Visible::into_inner)
        else {
            not_found(&mut c, &["id"], NodeType::Assistant);
            return Ok(AssistantPayload::rejected(c));
        };
        let mut fields = current.fields.clone();
        if input.employer_structure_id.is_some() || input.employer_practitioner_id.is_some() {
            let e = employer(
                &mut c,
                store,
                viewer,
                input.employer_structure_id.as_ref(),
                input.employer_practitioner_id.as_ref(),
            )
            .await?;
            if let Some(e) = e {
                fields.employer = e;
            }
        }
        if let Some(n) = input.first_name.as_deref().and_then(|n| c.name(&["firstName"], n)) {
            fields.first_name = n;
        }
        if let Some(n) = input.last_name.as_deref().and_then(|n| c.name(&["lastName"], n)) {
            fields.last_name = n;
        }
        if let Some(q) = input.qualification {
            fields.qualification = q.into();
        }
        match input.qualified_on {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => fields.qualified_on = None,
            MaybeUndefined::Value(d) => fields.qualified_on = Some(d.0),
        }
        if let Some(d) = input.hired_on {
            fields.hired_on = d.0;
        }
        if let Some(t) = input.weekly_hours.as_deref().and_then(|h| c.weekly_time(&["weeklyHours"], h)) {
            fields.contractual_time = t;
        }
        if let Some(f) = input.former_secretary {
            fields.former_secretary = f;
        }
        check_qualification(&mut c, &fields);
        let items: Vec<_> =
            existing_assignments(store, current.id).await?.into_iter().map(|a| (a.weekly_time, a.period)).collect();
        check_assignments(&mut c, &fields, &items, &["weeklyHours"]);
        if !c.is_ok() {
            return Ok(AssistantPayload::rejected(c));
        }
        let result = store.update_assistant(current.id, &fields).await;
        Ok(AssistantPayload::from_write(
            c,
            result.map(|assistant| AssistantObject(Visible::written((structure_id, assistant)))),
        )?)
    }

    /// Assigns an assistant's time to a doctor over a period.
    async fn create_assignment(
        &self,
        ctx: &Context<'_>,
        input: CreateAssignmentInput,
    ) -> async_graphql::Result<AssignmentPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let assistant = match decode_id(&mut c, &["assistantId"], NodeType::Assistant, &input.assistant_id) {
            Some(n) => {
                let found = access::assistant(store, viewer, AssistantId(n)).await?.map(Visible::into_inner);
                if found.is_none() {
                    not_found(&mut c, &["assistantId"], NodeType::Assistant);
                }
                found
            }
            None => None,
        };
        let practitioner =
            find_practitioner(&mut c, store, viewer, &["practitionerId"], &input.practitioner_id).await?.map(|p| p.id);
        let weekly_time = c.weekly_time(&["weeklyHours"], &input.weekly_hours);
        let period = c.period(&[], input.from, input.to);
        let (Some((_, assistant)), Some(practitioner_id), Some(weekly_time), Some(period)) =
            (assistant, practitioner, weekly_time, period)
        else {
            return Ok(AssignmentPayload::rejected(c));
        };
        let mut items: Vec<_> =
            existing_assignments(store, assistant.id).await?.into_iter().map(|a| (a.weekly_time, a.period)).collect();
        items.push((weekly_time, period));
        check_assignments(&mut c, &assistant.fields, &items, &["weeklyHours"]);
        if !c.is_ok() {
            return Ok(AssignmentPayload::rejected(c));
        }
        let new = NewAssignment { practitioner_id, weekly_time, period };
        let result = store.create_assignment(assistant.id, &new).await;
        Ok(AssignmentPayload::from_write(c, result.map(|a| AssignmentObject(Visible::written(a))))?)
    }

    async fn update_assignment(
        &self,
        ctx: &Context<'_>,
        input: UpdateAssignmentInput,
    ) -> async_graphql::Result<AssignmentPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let Some(id) = decode_id(&mut c, &["id"], NodeType::Assignment, &input.id) else {
            return Ok(AssignmentPayload::rejected(c));
        };
        let Some(current) = access::assignment(store, viewer, AssignmentId(id)).await? else {
            not_found(&mut c, &["id"], NodeType::Assignment);
            return Ok(AssignmentPayload::rejected(c));
        };
        let Some((_, assistant)) = store.assistant(current.assistant_id).await.map_err(crate::error::ApiError::from)?
        else {
            not_found(&mut c, &["id"], NodeType::Assignment);
            return Ok(AssignmentPayload::rejected(c));
        };
        let weekly_time = match input.weekly_hours.as_deref() {
            Some(h) => c.weekly_time(&["weeklyHours"], h),
            None => Some(current.weekly_time),
        };
        let from = input.from.unwrap_or(Date(current.period.from()));
        let to = match input.to {
            MaybeUndefined::Undefined => current.period.to().map(Date),
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(d) => Some(d),
        };
        let period = c.period(&[], from, to);
        let (Some(weekly_time), Some(period)) = (weekly_time, period) else {
            return Ok(AssignmentPayload::rejected(c));
        };
        let mut items: Vec<_> = existing_assignments(store, assistant.id)
            .await?
            .into_iter()
            .filter(|a| a.id != current.id)
            .map(|a| (a.weekly_time, a.period))
            .collect();
        items.push((weekly_time, period));
        check_assignments(&mut c, &assistant.fields, &items, &["weeklyHours"]);
        if !c.is_ok() {
            return Ok(AssignmentPayload::rejected(c));
        }
        let result = store.update_assignment(current.id, weekly_time, period).await;
        Ok(AssignmentPayload::from_write(c, result.map(|a| AssignmentObject(Visible::written(a))))?)
    }
}
