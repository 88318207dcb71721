//! The assistant's traced activity over GraphQL (AM-TRACEABILITY): lines with their history,
//! the dashboard's months, and how planning's refusals read as user errors.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use domain::rules::assistant::YearMonth;
use persistence::{ActivityLine, ActivityRecord, ActivityRecordId};
use planning::activity::{Field, MonthFigures, Problem, TracedHours, format_month};
use rust_decimal::Decimal;

use crate::access::load;
use crate::error::UserErrorCode as Code;
use crate::ids::{self, NodeType};
use crate::types::PractitionerObject;

/// What the hours were spent on: the assistant's three missions (funded by the aid), the ACI
/// coordination function, or another function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "persistence::MissionFamily")]
pub enum MissionFamily {
    Administrative,
    Consultation,
    Coordination,
    AciCoordination,
    OtherFunction,
}

const RECORD_PREFIX: &str = "ActivityRecord:";

/// The opaque id of an activity record, in the same form as the other global ids. (Records
/// are not `Node`s: they are read through their assistant.)
pub fn record_id(id: ActivityRecordId) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{RECORD_PREFIX}{}", id.0)))
}

pub fn decode_record_id(id: &str) -> Option<ActivityRecordId> {
    let text = String::from_utf8(URL_SAFE_NO_PAD.decode(id.trim()).ok()?).ok()?;
    let n: i64 = text.strip_prefix(RECORD_PREFIX)?.parse().ok()?;
    (n > 0).then_some(ActivityRecordId(n))
}

/// Hours as a string with two decimals, like amounts: `"7.50"`.
pub fn hours(h: Decimal) -> String {
    format!("{:.2}", h)
}

pub fn month(m: YearMonth) -> String {
    format_month(m)
}

/// The user error code of a refused line.
pub fn code(problem: &Problem) -> Code {
    match problem {
        Problem::AssistantNotInStructure | Problem::UnknownAssistant(_) => Code::AssistantNotFound,
        Problem::AmbiguousAssistant(_) => Code::AssistantAmbiguous,
        Problem::MonthMalformed => Code::MonthMalformed,
        Problem::MonthInFuture { .. } => Code::ActivityMonthInFuture,
        Problem::MonthBeforeHire { .. } => Code::ActivityMonthBeforeHire,
        Problem::RppsMalformed(_) => Code::RppsMalformed,
        Problem::DoctorNotMember => Code::DoctorNotMember,
        Problem::UnknownFamily(_) => Code::MissionFamilyUnknown,
        Problem::LabelInvalid | Problem::ReasonInvalid => Code::TextInvalid,
        Problem::HoursMalformed => Code::HoursMalformed,
        Problem::HoursTooPrecise => Code::HoursTooPrecise,
        Problem::HoursNotPositive => Code::HoursNotPositive,
        Problem::HoursOverCeiling { .. } => Code::HoursOverCeiling,
        Problem::DuplicateInBatch { .. } | Problem::DuplicateOfCurrent { .. } => Code::ActivityLineExists,
        Problem::Superseded { .. } => Code::ActivityRecordSuperseded,
        Problem::ReasonRequired => Code::Required,
        Problem::WrongColumnCount { .. } | Problem::UnterminatedQuote => Code::CsvLineMalformed,
        Problem::HeaderInvalid => Code::CsvHeaderInvalid,
        Problem::NoLines => Code::CsvEmpty,
        Problem::TooManyLines => Code::CsvTooManyLines,
    }
}

/// The input field a refused line's field is given in.
pub fn input_field(field: Field) -> &'static str {
    match field {
        Field::Assistant => "assistantId",
        Field::Doctor => "practitionerId",
        other => other.name(),
    }
}

/// One record of a line: the original, or a correction.
#[derive(Debug, Clone)]
pub struct ActivityRecordObject(pub ActivityRecord);

#[Object(name = "ActivityRecord")]
impl ActivityRecordObject {
    async fn id(&self) -> ID {
        record_id(self.0.id)
    }
    /// Hours, two decimals: `"7.50"`.
    async fn hours(&self) -> String {
        hours(self.0.hours)
    }
    /// The record this one corrects; null for the original line.
    async fn corrects(&self) -> Option<ID> {
        self.0.corrects.map(record_id)
    }
    /// Why the correction was made; null for the original line.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// Who recorded it (the account's name).
    async fn recorded_by(&self) -> &str {
        &self.0.recorded_by
    }
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

/// A line of an assistant's month: hours for one doctor (or none) and one mission family. Its
/// value is its current record; corrections are appended, never replace.
#[derive(Debug, Clone)]
pub struct ActivityLineObject(pub ActivityLine);

#[Object(name = "ActivityLine")]
impl ActivityLineObject {
    /// The current record's id: the one to correct.
    async fn id(&self) -> ID {
        record_id(self.0.current().id)
    }
    /// `YYYY-MM`.
    async fn month(&self) -> String {
        month(self.0.current().month)
    }
    /// The doctor the hours were for; null for hours not for a doctor, or a doctor outside your
    /// structures.
    async fn practitioner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<PractitionerObject>> {
        let Some(id) = self.0.current().practitioner_id else { return Ok(None) };
        Ok(load(ctx, id).await?.map(PractitionerObject))
    }
    async fn family(&self) -> MissionFamily {
        self.0.current().family.into()
    }
    async fn label(&self) -> Option<&str> {
        self.0.current().label.as_deref()
    }
    /// Current hours, two decimals.
    async fn hours(&self) -> String {
        hours(self.0.current().hours)
    }
    /// Whether the line was corrected since first recorded.
    async fn corrected(&self) -> bool {
        self.0.history().len() > 1
    }
    /// Every record of the line, the original first, the current last.
    async fn history(&self) -> Vec<ActivityRecordObject> {
        self.0.history().iter().cloned().map(ActivityRecordObject).collect()
    }
}

#[derive(Debug, Clone, SimpleObject)]
pub struct FamilyHours {
    pub family: MissionFamily,
    pub hours: String,
}

#[derive(Debug, Clone, SimpleObject)]
pub struct DoctorHours {
    /// Null for hours not for a doctor.
    pub practitioner_id: Option<ID>,
    pub hours: String,
}

/// One month of an assistant, in hours (two decimals).
#[derive(Debug, Clone, SimpleObject)]
pub struct AssistantMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// The contractual weekly time × 52 / 12.
    pub employed_hours: String,
    /// The ETP aid contracts fund for the assistant × the hours of a full-time month.
    pub funded_hours: String,
    pub funded_etp: String,
    /// The time assigned to doctors × 52 / 12.
    pub assigned_hours: String,
    /// Every current line of the month.
    pub traced_hours: String,
    /// Administrative, consultation and coordination missions: the aid-funded work.
    pub aid_mission_hours: String,
    pub aci_coordination_hours: String,
    pub other_function_hours: String,
    pub by_family: Vec<FamilyHours>,
    pub by_doctor: Vec<DoctorHours>,
    /// Whether any line is recorded for the month.
    pub recorded: bool,
}

fn by_family(t: &TracedHours) -> Vec<FamilyHours> {
    t.by_family.iter().map(|(f, h)| FamilyHours { family: (*f).into(), hours: hours(*h) }).collect()
}

impl From<MonthFigures> for AssistantMonth {
    fn from(m: MonthFigures) -> Self {
        let t = &m.traced;
        Self {
            month: month(m.month),
            employed_hours: hours(m.employed_hours),
            funded_hours: hours(m.funded_hours),
            funded_etp: m.funded_etp.to_string(),
            assigned_hours: hours(m.assigned_hours),
            traced_hours: hours(t.total),
            aid_mission_hours: hours(t.aid_missions),
            aci_coordination_hours: hours(t.aci_coordination),
            other_function_hours: hours(t.other_functions),
            by_family: by_family(t),
            by_doctor: t
                .by_doctor
                .iter()
                .map(|(d, h)| DoctorHours {
                    practitioner_id: d.map(|d| ids::encode(NodeType::Practitioner, d.0)),
                    hours: hours(*h),
                })
                .collect(),
            recorded: m.recorded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ids_round_trip_and_are_not_other_ids() {
        let id = record_id(ActivityRecordId(42));
        assert_eq!(decode_record_id(id.as_str()), Some(ActivityRecordId(42)));
        assert_eq!(decode_record_id(ids::encode(NodeType::Assistant, 42).as_str()), None);
        assert_eq!(decode_record_id("not an id"), None);
        assert_eq!(decode_record_id(URL_SAFE_NO_PAD.encode("ActivityRecord:0").as_str()), None);
    }
}
