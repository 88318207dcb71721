//! recordAssistantActivity, correctAssistantActivity, importAssistantActivity: the assistant's
//! traced monthly hours (AM-TRACEABILITY). Nothing is written when any line is refused.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use domain::rules::assistant::YearMonth;
use domain::{AssistantId, StructureId};
use persistence::Store;
use planning::activity::{
    self as use_case, Corrected, Field, HoursError, LineInput, Recorded, Refusal, clean_text, parse_hours, parse_month,
};

use super::{decode_id, find_practitioner, find_structure, not_found, payload, session};
use crate::access;
use crate::activity::{ActivityLineObject, MissionFamily, code, decode_record_id, input_field};
use crate::error::{ApiError, UserError, UserErrorCode as Code, UserWarning};
use crate::ids::NodeType;
use crate::validate::Checker;

payload!(
    /// Result of recordAssistantActivity: the assistant's lines of the month once written.
    RecordActivityPayload { lines: Vec<ActivityLineObject> }
);
payload!(
    /// Result of correctAssistantActivity: the corrected line, with its history.
    CorrectActivityPayload { line: ActivityLineObject }
);

#[derive(Debug, InputObject)]
pub struct ActivityLineInput {
    /// The doctor the hours were for; omit for hours not for a doctor.
    pub practitioner_id: Option<ID>,
    pub family: MissionFamily,
    /// What an OTHER_FUNCTION (or any) line is about, e.g. `accueil`.
    pub label: Option<String>,
    /// Hours, more than zero, at most two decimals: `"12"`, `"7.5"`, `"7,25"`.
    pub hours: String,
}

#[derive(Debug, InputObject)]
pub struct RecordAssistantActivityInput {
    pub assistant_id: ID,
    /// `YYYY-MM`, not after the current month nor before the hiring month.
    pub month: String,
    pub lines: Vec<ActivityLineInput>,
}

#[derive(Debug, InputObject)]
pub struct CorrectAssistantActivityInput {
    /// The line's current record (`ActivityLine.id`).
    pub record_id: ID,
    /// The line's new hours; `"0"` withdraws a line recorded by mistake.
    pub hours: String,
    pub reason: String,
}

#[derive(Debug, InputObject)]
pub struct ImportAssistantActivityInput {
    pub structure_id: ID,
    /// The file's text: header `assistant,month,doctor,family,hours` (optionally `,label`),
    /// `,` or `;` separated; the assistant by name, the doctor by RPPS (empty for hours not for
    /// a doctor), the month `YYYY-MM`, hours with a decimal point or comma.
    pub csv: String,
}

/// A line of the file that was refused, and why.
#[derive(Debug, Clone, SimpleObject)]
pub struct RefusedActivityLine {
    /// Line number in the file; 1 is the header.
    pub line: i32,
    /// The column: `assistant`, `month`, `doctor`, `family`, `hours`, `label`, or `line`.
    pub field: String,
    pub message: String,
    pub code: Code,
}

/// Result of importAssistantActivity: every line written, or none and every refused line.
#[derive(Debug, SimpleObject)]
pub struct ImportActivityPayload {
    /// Data lines read (header and blank lines left out).
    pub lines_read: i32,
    pub lines_written: i32,
    pub refused_lines: Vec<RefusedActivityLine>,
    /// The refused lines again as user errors, with paths `["input", "csv", "<line>", "<column>"]`.
    pub user_errors: Vec<UserError>,
    pub warnings: Vec<UserWarning>,
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn hours_of(c: &mut Checker, field: &[&str], input: &str) -> Option<rust_decimal::Decimal> {
    match parse_hours(input) {
        Ok(h) => Some(h),
        Err(HoursError::Malformed) => {
            c.error(field, Code::HoursMalformed, "hours are a number such as 12, 7.5 or 7,25");
            None
        }
        Err(HoursError::TooPrecise) => {
            c.error(field, Code::HoursTooPrecise, "hours have at most two decimals");
            None
        }
    }
}

/// The assistant's lines of `month`, after a write.
async fn month_lines(
    store: &Store,
    assistant: AssistantId,
    month: YearMonth,
) -> async_graphql::Result<Vec<ActivityLineObject>> {
    let lines = use_case::lines_of(store, assistant, Some((month, month))).await.map_err(ApiError::from)?;
    Ok(lines.into_iter().map(ActivityLineObject).collect())
}

fn line_path(refusal: &Refusal) -> Vec<String> {
    match refusal.field {
        Field::Assistant => vec!["assistantId".into()],
        Field::Month => vec!["month".into()],
        field => vec!["lines".into(), refusal.line.to_string(), input_field(field).into()],
    }
}

#[derive(Debug, Default)]
pub struct ActivityMutations;

#[Object]
impl ActivityMutations {
    /// Records an assistant's lines for one month, in one transaction: hours per doctor and
    /// mission family. A line whose doctor and family already have a current line is refused:
    /// correct that line instead.
    async fn record_assistant_activity(
        &self,
        ctx: &Context<'_>,
        input: RecordAssistantActivityInput,
    ) -> async_graphql::Result<RecordActivityPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let assistant = match decode_id(&mut c, &["assistantId"], NodeType::Assistant, &input.assistant_id) {
            Some(n) => {
                let found = access::assistant(store, viewer, AssistantId(n)).await?.map(access::Visible::into_inner);
                if found.is_none() {
                    not_found(&mut c, &["assistantId"], NodeType::Assistant);
                }
                found
            }
            None => None,
        };
        let month = parse_month(&input.month);
        if month.is_none() {
            c.error(&["month"], Code::MonthMalformed, "a month is written YYYY-MM, e.g. 2026-03");
        }
        if input.lines.is_empty() {
            c.error(&["lines"], Code::Required, "give at least one line");
        }
        let mut parsed = Vec::with_capacity(input.lines.len());
        for (i, line) in input.lines.iter().enumerate() {
            let index = i.to_string();
            let doctor = match &line.practitioner_id {
                None => Some(None),
                Some(id) => find_practitioner(&mut c, store, viewer, &["lines", &index, "practitionerId"], id)
                    .await?
                    .map(|p| Some(p.id)),
            };
            let hours = hours_of(&mut c, &["lines", &index, "hours"], &line.hours);
            let label = clean_text(line.label.as_deref())
                .map_err(|_| {
                    c.error(
                        &["lines", &index, "label"],
                        Code::TextInvalid,
                        "at most 200 characters, no control characters",
                    )
                })
                .ok();
            if let (Some((structure_id, a)), Some(month), Some(doctor), Some(hours), Some(label)) =
                (&assistant, month, doctor, hours, label)
            {
                parsed.push((
                    *structure_id,
                    LineInput { assistant: a.id, month, doctor, family: line.family.into(), label, hours },
                ));
            }
        }
        let (Some((structure_id, a)), Some(month), true) = (assistant, month, c.is_ok()) else {
            return Ok(RecordActivityPayload::rejected(c));
        };
        let lines: Vec<LineInput> = parsed.into_iter().map(|(_, l)| l).collect();
        let numbers: Vec<usize> = (0..lines.len()).collect();
        match use_case::record_lines(store, structure_id, &lines, &numbers, today(), &viewer.name)
            .await
            .map_err(ApiError::from)?
        {
            Recorded::Written(_) => Ok(RecordActivityPayload::done(month_lines(store, a.id, month).await?, c)),
            Recorded::Refused(refusals) => {
                for r in &refusals {
                    let path = line_path(r);
                    let path: Vec<&str> = path.iter().map(String::as_str).collect();
                    c.error(&path, code(&r.problem), r.problem.to_string());
                }
                Ok(RecordActivityPayload::rejected(c))
            }
        }
    }

    /// Gives a line new hours, with the reason: a correction record is appended and the
    /// original stays readable in the line's history.
    async fn correct_assistant_activity(
        &self,
        ctx: &Context<'_>,
        input: CorrectAssistantActivityInput,
    ) -> async_graphql::Result<CorrectActivityPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let id = decode_record_id(input.record_id.as_str());
        if id.is_none() {
            c.error(
                &["recordId"],
                Code::ActivityRecordNotFound,
                "no activity record with this id among your structures",
            );
        }
        let hours = hours_of(&mut c, &["hours"], &input.hours);
        let (Some(id), Some(hours), true) = (id, hours, c.is_ok()) else {
            return Ok(CorrectActivityPayload::rejected(c));
        };
        match use_case::correct(store, &viewer.visibility, id, hours, &input.reason, &viewer.name)
            .await
            .map_err(ApiError::from)?
        {
            Corrected::NotFound => {
                c.error(
                    &["recordId"],
                    Code::ActivityRecordNotFound,
                    "no activity record with this id among your structures",
                );
                Ok(CorrectActivityPayload::rejected(c))
            }
            Corrected::Refused(problems) => {
                for (field, problem) in &problems {
                    let name = if *field == Field::Line { "recordId" } else { input_field(*field) };
                    c.error(&[name], code(problem), problem.to_string());
                }
                Ok(CorrectActivityPayload::rejected(c))
            }
            Corrected::Written(record) => {
                let lines = month_lines(store, record.assistant_id, record.month).await?;
                let line = lines
                    .into_iter()
                    .find(|l| l.0.current().id == record.id)
                    .ok_or(ApiError::NotFound("activity line"))?;
                Ok(CorrectActivityPayload::done(line, c))
            }
        }
    }

    /// Imports a coordinator's file of lines for a structure: all of them in one transaction,
    /// or none when any line is refused, with every refused line, its column and why.
    async fn import_assistant_activity(
        &self,
        ctx: &Context<'_>,
        input: ImportAssistantActivityInput,
    ) -> async_graphql::Result<ImportActivityPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let structure: Option<StructureId> =
            find_structure(&mut c, store, viewer, &["structureId"], &input.structure_id).await?.map(|s| s.id);
        let Some(structure_id) = structure else {
            let (user_errors, warnings) = c.into_parts();
            return Ok(ImportActivityPayload {
                lines_read: 0,
                lines_written: 0,
                refused_lines: Vec::new(),
                user_errors,
                warnings,
            });
        };
        let report = use_case::import_csv(store, structure_id, &input.csv, today(), &viewer.name)
            .await
            .map_err(ApiError::from)?;
        let mut refused_lines = Vec::with_capacity(report.refused.len());
        for r in &report.refused {
            let line = r.line.to_string();
            c.error(&["csv", &line, r.field.name()], code(&r.problem), r.problem.to_string());
            refused_lines.push(RefusedActivityLine {
                line: i32::try_from(r.line).unwrap_or(i32::MAX),
                field: r.field.name().to_owned(),
                message: r.problem.to_string(),
                code: code(&r.problem),
            });
        }
        let (user_errors, warnings) = c.into_parts();
        Ok(ImportActivityPayload {
            lines_read: i32::try_from(report.lines_read).unwrap_or(i32::MAX),
            lines_written: i32::try_from(report.written.len()).unwrap_or(i32::MAX),
            refused_lines,
            user_errors,
            warnings,
        })
    }
}
