//! The assistant's traced activity (AM-TRACEABILITY, RULES.md §6): the structure records, per
//! assistant and month, hours per doctor and per mission family. This module checks lines before
//! they are written (by the API or a coordinator's CSV file), writes them all or none, corrects
//! them by appending, and gives each assistant's months: hours employed, funded, assigned and
//! traced, the split CMP-SAME-HOURS needs (aid missions, ACI coordination, other functions).

use std::collections::{HashMap, HashSet};
use std::fmt;

use chrono::NaiveDate;
use domain::rules::assistant::YearMonth;
use domain::rules::{P, RuleBook, RuleError, Value};
use domain::{Assistant, AssistantId, Etp, Membership, PractitionerId, Rpps, StructureId};
use persistence::{
    ActivityLine, ActivityRecord, ActivityRecordId, ActivityWrite, Correction, MissionFamily, NewActivityLine, Store,
    Visibility, line_key,
};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::Result;
use crate::team::{Team, TeamAssistant};

/// Most decimals an hour figure may have: hundredths, as payslips count hours.
pub const HOURS_DECIMALS: u32 = 2;
/// Longest label or correction reason accepted.
pub const MAX_TEXT_LENGTH: usize = 200;
/// Most data lines one CSV import reads: a year of a large structure's lines, with room.
pub const MAX_IMPORT_LINES: usize = 5_000;
/// Longest legal working week, all hours included (Code du travail, art. L3121-20: 48 hours
/// in one week). No assistant can have worked more than 48 hours in each week of a month:
/// more traced hours than that in a month is a typing error, whatever the contract says.
pub const MAX_WEEKLY_HOURS: u32 = 48;
/// The CSV header, in this order; an optional `label` column may follow.
pub const CSV_COLUMNS: [&str; 5] = ["assistant", "month", "doctor", "family", "hours"];
/// More assistants than any structure has: one page holds them all.
const ALL: u64 = 10_000;

/// `YYYY-MM`.
pub fn format_month(m: YearMonth) -> String {
    format!("{:04}-{:02}", m.year, m.month)
}

/// Parses `YYYY-MM` (a month from 1 to 12, a four-digit year).
pub fn parse_month(input: &str) -> Option<YearMonth> {
    let (y, m) = input.trim().split_once('-')?;
    if y.len() != 4 || m.len() != 2 || !y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (year, month) = (y.parse().ok()?, m.parse().ok()?);
    (1..=12).contains(&month).then_some(YearMonth { year, month })
}

pub fn first_day(m: YearMonth) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(m.year, m.month, 1)
}

pub fn last_day(m: YearMonth) -> Option<NaiveDate> {
    first_day(next_month(m))?.pred_opt()
}

pub fn next_month(m: YearMonth) -> YearMonth {
    if m.month == 12 {
        YearMonth { year: m.year + 1, month: 1 }
    } else {
        YearMonth { year: m.year, month: m.month + 1 }
    }
}

/// `count` months back from `m` (0 is `m` itself).
pub fn months_before(m: YearMonth, count: u32) -> YearMonth {
    let index = i64::from(m.year) * 12 + i64::from(m.month) - 1 - i64::from(count);
    YearMonth {
        year: i32::try_from(index.div_euclid(12)).unwrap_or(i32::MIN),
        month: (index.rem_euclid(12) + 1) as u32,
    }
}

/// Every month from `from` to `to`, both included.
pub fn month_range(from: YearMonth, to: YearMonth) -> Vec<YearMonth> {
    std::iter::successors(Some(from), |m| Some(next_month(*m))).take_while(|m| *m <= to).collect()
}

/// The most hours one assistant can have worked in `month`: 48-hour weeks over its days,
/// rounded down to the hundredth.
pub fn monthly_ceiling(month: YearMonth) -> Decimal {
    let days = match (first_day(month), last_day(month)) {
        (Some(first), Some(last)) => (last - first).num_days() + 1,
        _ => 31,
    };
    (Decimal::from(MAX_WEEKLY_HOURS) * Decimal::from(days) / Decimal::from(7))
        .round_dp_with_strategy(HOURS_DECIMALS, RoundingStrategy::ToZero)
}

/// Hours of a full-time month on `day` (`assistant.monthly_full_time_hours`).
pub fn monthly_full_time(book: &RuleBook, day: NaiveDate) -> std::result::Result<Decimal, RuleError> {
    match book.step(P::MonthlyFullTimeHours, day).map(|s| &s.value) {
        Some(Value::Ratio(hours)) => Ok(*hours),
        _ => Err(RuleError::NoValue { key: "assistant.monthly_full_time_hours", date: day }),
    }
}

/// Hours of a month worked at `minutes` a week: the weekly time over 52 weeks, per month.
pub fn monthly_hours(weekly_minutes: u64) -> Decimal {
    round_hours(Decimal::from(weekly_minutes) * Decimal::from(52) / Decimal::from(12 * 60))
}

fn round_hours(h: Decimal) -> Decimal {
    h.round_dp_with_strategy(HOURS_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
}

/// Why an hours figure does not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HoursError {
    Malformed,
    TooPrecise,
}

/// Parses `7`, `7.5`, `7,50`: digits, then a point or a comma and at most two decimals.
pub fn parse_hours(input: &str) -> std::result::Result<Decimal, HoursError> {
    let s = input.trim().replace(',', ".");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let digits = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || int.len() > 6 || !digits(int) || !digits(frac) || (s.contains('.') && frac.is_empty()) {
        return Err(HoursError::Malformed);
    }
    if frac.trim_end_matches('0').len() > HOURS_DECIMALS as usize {
        return Err(HoursError::TooPrecise);
    }
    s.parse::<Decimal>().map(|d| d.normalize()).map_err(|_| HoursError::Malformed)
}

/// Which part of a line a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Assistant,
    Month,
    Doctor,
    Family,
    Label,
    Hours,
    Reason,
    /// The line as a whole (its number of columns, its quotes).
    Line,
}

impl Field {
    /// The name of the field in the API and the CSV header.
    pub fn name(self) -> &'static str {
        match self {
            Field::Assistant => "assistant",
            Field::Month => "month",
            Field::Doctor => "doctor",
            Field::Family => "family",
            Field::Label => "label",
            Field::Hours => "hours",
            Field::Reason => "reason",
            Field::Line => "line",
        }
    }
}

/// Why a line is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The assistant is not one of the structure's.
    AssistantNotInStructure,
    /// No assistant of the structure has this name.
    UnknownAssistant(String),
    /// Several assistants of the structure have this name.
    AmbiguousAssistant(String),
    MonthMalformed,
    MonthInFuture {
        month: YearMonth,
        today: NaiveDate,
    },
    MonthBeforeHire {
        month: YearMonth,
        hired_on: NaiveDate,
    },
    RppsMalformed(String),
    /// The doctor is not a member of the structure in that month.
    DoctorNotMember,
    UnknownFamily(String),
    LabelInvalid,
    HoursMalformed,
    HoursTooPrecise,
    HoursNotPositive,
    /// The assistant's month would hold more hours than 48-hour weeks allow.
    HoursOverCeiling {
        month: YearMonth,
        total: Decimal,
        ceiling: Decimal,
    },
    /// An earlier line of the same batch has the same key.
    DuplicateInBatch {
        first: usize,
    },
    /// A current line has the same key: correct it instead.
    DuplicateOfCurrent {
        current: ActivityRecordId,
    },
    /// The record was corrected already: correct its current record.
    Superseded {
        by: ActivityRecordId,
    },
    ReasonRequired,
    ReasonInvalid,
    /// The CSV line does not have the header's columns.
    WrongColumnCount {
        expected: usize,
        found: usize,
    },
    UnterminatedQuote,
    HeaderInvalid,
    NoLines,
    TooManyLines,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::AssistantNotInStructure => f.write_str("no assistant with this id in the structure"),
            Problem::UnknownAssistant(n) => write!(f, "no assistant of the structure is named `{n}`"),
            Problem::AmbiguousAssistant(n) => {
                write!(f, "several assistants of the structure are named `{n}`: record these lines in the application")
            }
            Problem::MonthMalformed => f.write_str("a month is written YYYY-MM, e.g. 2026-03"),
            Problem::MonthInFuture { month, today } => {
                write!(f, "{} is after the month of the report day ({today})", format_month(*month))
            }
            Problem::MonthBeforeHire { month, hired_on } => {
                write!(f, "{} is before the assistant was hired ({hired_on})", format_month(*month))
            }
            Problem::RppsMalformed(why) => write!(f, "the doctor is named by an RPPS of 11 digits: {why}"),
            Problem::DoctorNotMember => f.write_str("the doctor is not a member of the structure in that month"),
            Problem::UnknownFamily(v) => write!(
                f,
                "`{v}` is not a mission family: {}",
                MissionFamily::ALL.iter().map(|m| m.code()).collect::<Vec<_>>().join(", ")
            ),
            Problem::LabelInvalid => write!(
                f,
                "a label has at most {MAX_TEXT_LENGTH} characters, without control or text-direction characters"
            ),
            Problem::HoursMalformed => f.write_str("hours are a number such as 12, 7.5 or 7,25"),
            Problem::HoursTooPrecise => write!(f, "hours have at most {HOURS_DECIMALS} decimals"),
            Problem::HoursNotPositive => f.write_str("hours must be more than zero"),
            Problem::HoursOverCeiling { month, total, ceiling } => write!(
                f,
                "{total} hours in {} for this assistant: more than 48-hour weeks allow in that month ({ceiling} h, \
                 Code du travail art. L3121-20)",
                format_month(*month)
            ),
            Problem::DuplicateInBatch { first } => {
                write!(f, "same assistant, month, doctor and family as line {first}: write one line")
            }
            Problem::DuplicateOfCurrent { current } => write!(
                f,
                "a line with the same assistant, month, doctor and family is recorded (record {}): correct it instead",
                current.0
            ),
            Problem::Superseded { by } => {
                write!(f, "this record was corrected already (by record {}): correct that one", by.0)
            }
            Problem::ReasonRequired => f.write_str("a correction says why"),
            Problem::ReasonInvalid => write!(
                f,
                "a reason has at most {MAX_TEXT_LENGTH} characters, without control or text-direction characters"
            ),
            Problem::WrongColumnCount { expected, found } => {
                write!(f, "{found} columns where the header has {expected}")
            }
            Problem::UnterminatedQuote => f.write_str("a quoted value is not closed on its line"),
            Problem::HeaderInvalid => write!(
                f,
                "the first line must be the header `{}` (optionally followed by `,label`), separated by `,` or `;`",
                CSV_COLUMNS.join(",")
            ),
            Problem::NoLines => f.write_str("the file has no line after its header"),
            Problem::TooManyLines => write!(f, "a file holds at most {MAX_IMPORT_LINES} lines: split it"),
        }
    }
}

/// A refused line: its position (in the batch, or its line number in a file), the field and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub line: usize,
    pub field: Field,
    pub problem: Problem,
}

/// A line to record, already parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput {
    pub assistant: AssistantId,
    pub month: YearMonth,
    pub doctor: Option<PractitionerId>,
    pub family: MissionFamily,
    pub label: Option<String>,
    pub hours: Decimal,
}

/// A free text too long, or holding control or text-direction characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextInvalid;

/// A free text (label, reason): trimmed, `None` when empty, refused when too long or holding
/// control or text-direction characters (which could disguise what a page shows).
pub fn clean_text(input: Option<&str>) -> std::result::Result<Option<String>, TextInvalid> {
    let Some(t) = input.map(str::trim).filter(|t| !t.is_empty()) else { return Ok(None) };
    let forbidden =
        |c: char| c.is_control() || ('\u{202A}'..='\u{202E}').contains(&c) || ('\u{2066}'..='\u{2069}').contains(&c);
    if t.chars().count() > MAX_TEXT_LENGTH || t.chars().any(forbidden) {
        return Err(TextInvalid);
    }
    Ok(Some(t.to_owned()))
}

/// What checking lines of one structure needs: its assistants, its memberships, and the current
/// lines of the months concerned.
#[derive(Debug, Clone)]
pub struct Scope {
    pub structure_id: StructureId,
    pub assistants: Vec<Assistant>,
    pub memberships: Vec<Membership>,
    pub current: Vec<ActivityLine>,
}

impl Scope {
    /// Read in three queries: the structure's assistants, its memberships, and the lines of its
    /// assistants over `months`.
    pub async fn read(
        store: &Store,
        structure_id: StructureId,
        months: Option<(YearMonth, YearMonth)>,
    ) -> Result<Self> {
        let assistants = store.list_assistants(structure_id, None, ALL).await?.items;
        let memberships = store.memberships_in(&[structure_id]).await?;
        let ids: Vec<AssistantId> = assistants.iter().map(|a| a.id).collect();
        let current = match months {
            Some(range) => store.activity_of(&ids, Some(range)).await?,
            None => Vec::new(),
        };
        Ok(Self { structure_id, assistants, memberships, current })
    }

    fn assistant(&self, id: AssistantId) -> Option<&Assistant> {
        self.assistants.iter().find(|a| a.id == id)
    }

    fn member_in(&self, doctor: PractitionerId, month: YearMonth) -> bool {
        let (Some(first), Some(last)) = (first_day(month), last_day(month)) else { return false };
        let Ok(days) = domain::Period::new(first, Some(last)) else { return false };
        self.memberships.iter().any(|m| m.practitioner_id == doctor && m.period.overlaps(&days))
    }

    /// Current hours of an assistant's month, without the line of `except`.
    fn month_total(&self, assistant: AssistantId, month: YearMonth, except: Option<ActivityRecordId>) -> Decimal {
        self.current
            .iter()
            .map(ActivityLine::current)
            .filter(|r| r.assistant_id == assistant && r.month == month && Some(r.id) != except)
            .map(|r| r.hours)
            .sum()
    }
}

/// Checks a batch of lines against the structure's records on `today`: every problem of every
/// line, in line order. `numbers[i]` is how line `i` is named in the refusals (its position in
/// the batch, or its line in a file).
pub fn check(scope: &Scope, lines: &[LineInput], numbers: &[usize], today: NaiveDate) -> Vec<Refusal> {
    let mut refused = Vec::new();
    let number = |i: usize| numbers.get(i).copied().unwrap_or(i);
    let current: HashMap<_, _> = scope.current.iter().map(|l| (line_key(l.current()), l.current().id)).collect();
    let mut seen: HashMap<(AssistantId, YearMonth, Option<PractitionerId>, MissionFamily), usize> = HashMap::new();
    let mut totals: HashMap<(AssistantId, YearMonth), (Decimal, usize)> = HashMap::new();
    for (i, line) in lines.iter().enumerate() {
        let mut refuse = |field, problem| refused.push(Refusal { line: number(i), field, problem });
        match scope.assistant(line.assistant) {
            None => refuse(Field::Assistant, Problem::AssistantNotInStructure),
            Some(a) if line.month < YearMonth::of(a.fields.hired_on) => {
                refuse(Field::Month, Problem::MonthBeforeHire { month: line.month, hired_on: a.fields.hired_on })
            }
            Some(_) => {}
        }
        if line.month > YearMonth::of(today) {
            refuse(Field::Month, Problem::MonthInFuture { month: line.month, today });
        }
        if let Some(doctor) = line.doctor
            && !scope.member_in(doctor, line.month)
        {
            refuse(Field::Doctor, Problem::DoctorNotMember);
        }
        if line.label.as_deref().is_some_and(|l| clean_text(Some(l)).is_err()) {
            refuse(Field::Label, Problem::LabelInvalid);
        }
        if line.hours <= Decimal::ZERO {
            refuse(Field::Hours, Problem::HoursNotPositive);
        } else if line.hours.normalize().scale() > HOURS_DECIMALS {
            refuse(Field::Hours, Problem::HoursTooPrecise);
        }
        let key = (line.assistant, line.month, line.doctor, line.family);
        if let Some(first) = seen.get(&key) {
            refuse(Field::Family, Problem::DuplicateInBatch { first: number(*first) });
        } else {
            seen.insert(key, i);
            if let Some(current) = current.get(&key) {
                refuse(Field::Family, Problem::DuplicateOfCurrent { current: *current });
            }
        }
        let total = totals.entry((line.assistant, line.month)).or_insert((Decimal::ZERO, i));
        total.0 += line.hours.max(Decimal::ZERO);
        total.1 = i;
    }
    // One refusal per month over the ceiling, on its last line in the batch.
    let mut over: Vec<_> = totals
        .into_iter()
        .filter_map(|((assistant, month), (hours, last))| {
            let total = hours + scope.month_total(assistant, month, None);
            let ceiling = monthly_ceiling(month);
            (total > ceiling).then_some(Refusal {
                line: number(last),
                field: Field::Hours,
                problem: Problem::HoursOverCeiling { month, total, ceiling },
            })
        })
        .collect();
    refused.append(&mut over);
    refused.sort_by_key(|r| r.line);
    refused
}

/// What a write of lines came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    Written(Vec<ActivityRecord>),
    /// Nothing was written.
    Refused(Vec<Refusal>),
}

fn new_line(l: &LineInput) -> NewActivityLine {
    NewActivityLine {
        assistant_id: l.assistant,
        month: l.month,
        practitioner_id: l.doctor,
        family: l.family,
        label: l.label.clone(),
        hours: l.hours,
    }
}

fn month_span(lines: &[LineInput]) -> Option<(YearMonth, YearMonth)> {
    Some((lines.iter().map(|l| l.month).min()?, lines.iter().map(|l| l.month).max()?))
}

/// Checks then writes lines of `structure_id` in one transaction, or nothing when one is
/// refused. `numbers` names the lines in the refusals (see [`check`]).
pub async fn record_lines(
    store: &Store,
    structure_id: StructureId,
    lines: &[LineInput],
    numbers: &[usize],
    today: NaiveDate,
    recorded_by: &str,
) -> Result<Recorded> {
    let scope = Scope::read(store, structure_id, month_span(lines)).await?;
    let refused = check(&scope, lines, numbers, today);
    if !refused.is_empty() {
        return Ok(Recorded::Refused(refused));
    }
    let new: Vec<NewActivityLine> = lines.iter().map(new_line).collect();
    Ok(match store.record_activity(&new, recorded_by).await? {
        ActivityWrite::Recorded(records) => Recorded::Written(records),
        // A line recorded by someone else since the check.
        ActivityWrite::Conflict { index, current } => Recorded::Refused(vec![Refusal {
            line: numbers.get(index).copied().unwrap_or(index),
            field: Field::Family,
            problem: Problem::DuplicateOfCurrent { current },
        }]),
    })
}

/// What a correction came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Corrected {
    Written(ActivityRecord),
    Refused(Vec<(Field, Problem)>),
    /// No such record, or one outside the viewer's structures.
    NotFound,
}

/// The record `id` and the structure of its assistant, when the viewer sees that structure.
pub async fn visible_record(
    store: &Store,
    visibility: &Visibility,
    id: ActivityRecordId,
) -> Result<Option<(StructureId, ActivityRecord, Option<ActivityRecordId>)>> {
    let Some((record, corrected_by)) = store.activity_record(id).await? else { return Ok(None) };
    let Some((structure_id, _)) = store.assistant(record.assistant_id).await? else { return Ok(None) };
    Ok(visibility.allows(structure_id).then_some((structure_id, record, corrected_by)))
}

/// New hours for the line whose current record is `id`, with the reason. Zero hours withdraw a
/// line recorded by mistake; the history keeps what it said.
pub async fn correct(
    store: &Store,
    visibility: &Visibility,
    id: ActivityRecordId,
    hours: Decimal,
    reason: &str,
    recorded_by: &str,
) -> Result<Corrected> {
    let Some((structure_id, record, corrected_by)) = visible_record(store, visibility, id).await? else {
        return Ok(Corrected::NotFound);
    };
    let mut refused = Vec::new();
    if let Some(by) = corrected_by {
        refused.push((Field::Line, Problem::Superseded { by }));
    }
    if hours.is_sign_negative() {
        refused.push((Field::Hours, Problem::HoursNotPositive));
    } else if hours.normalize().scale() > HOURS_DECIMALS {
        refused.push((Field::Hours, Problem::HoursTooPrecise));
    }
    let reason = match clean_text(Some(reason)) {
        Ok(Some(r)) => Some(r),
        Ok(None) => {
            refused.push((Field::Reason, Problem::ReasonRequired));
            None
        }
        Err(TextInvalid) => {
            refused.push((Field::Reason, Problem::ReasonInvalid));
            None
        }
    };
    let scope = Scope::read(store, structure_id, Some((record.month, record.month))).await?;
    let total = scope.month_total(record.assistant_id, record.month, Some(record.id)) + hours.max(Decimal::ZERO);
    let ceiling = monthly_ceiling(record.month);
    if total > ceiling {
        refused.push((Field::Hours, Problem::HoursOverCeiling { month: record.month, total, ceiling }));
    }
    let Some(reason) = reason.filter(|_| refused.is_empty()) else { return Ok(Corrected::Refused(refused)) };
    Ok(match store.correct_activity(id, hours.normalize(), &reason, recorded_by).await? {
        Correction::Recorded(r) => Corrected::Written(r),
        Correction::Superseded { by } => Corrected::Refused(vec![(Field::Line, Problem::Superseded { by })]),
    })
}

/// What an import read and did: every line written, or none and every refused line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Data lines read (the header and blank lines left out).
    pub lines_read: usize,
    pub written: Vec<ActivityRecord>,
    /// Refused lines by line number in the file (1 is the header); empty when all were written.
    pub refused: Vec<Refusal>,
}

/// Splits one CSV line on `separator`, with RFC 4180 quotes (`"a;b"`, `""` for a quote).
fn split_csv_line(line: &str, separator: char) -> std::result::Result<Vec<String>, Problem> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (false, c) if c == separator => fields.push(std::mem::take(&mut field)),
            (false, c) => field.push(c),
        }
    }
    if quoted {
        return Err(Problem::UnterminatedQuote);
    }
    fields.push(field);
    Ok(fields.into_iter().map(|f| f.trim().to_owned()).collect())
}

/// A name as compared: case and spacing ignored, the rest as typed.
fn name_key(name: &str) -> String {
    name.split_whitespace().map(str::to_lowercase).collect::<Vec<_>>().join(" ")
}

/// Parses a coordinator's file of lines for `structure_id` and records them all in one
/// transaction, or none when any line is refused (then every refused line is reported).
///
/// Format: a header `assistant,month,doctor,family,hours` (optionally `,label`), `,` or `;` as
/// separator (the header's), one line per assistant, month, doctor and family. The assistant is
/// named as recorded, `first name last name` (or `last name first name`), case and spacing
/// ignored; the doctor by RPPS, empty for hours not for a doctor; the month `YYYY-MM`; the
/// family a code (`ADMINISTRATIVE`…); hours with a decimal point or comma (quote a comma when
/// the separator is one). Blank lines are skipped; line numbers are the file's.
pub async fn import_csv(
    store: &Store,
    structure_id: StructureId,
    text: &str,
    today: NaiveDate,
    recorded_by: &str,
) -> Result<ImportReport> {
    let refuse_file = |line, problem| ImportReport {
        lines_read: 0,
        written: Vec::new(),
        refused: vec![Refusal { line, field: Field::Line, problem }],
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut numbered = text.lines().enumerate().map(|(i, l)| (i + 1, l)).filter(|(_, l)| !l.trim().is_empty());
    let Some((header_number, header)) = numbered.next() else { return Ok(refuse_file(1, Problem::HeaderInvalid)) };
    let separator = if header.contains(';') { ';' } else { ',' };
    let columns: Vec<String> = match split_csv_line(header, separator) {
        Ok(c) => c.iter().map(|c| c.to_lowercase()).collect(),
        Err(_) => return Ok(refuse_file(header_number, Problem::HeaderInvalid)),
    };
    let with_label = columns.len() == CSV_COLUMNS.len() + 1 && columns.last().is_some_and(|c| c == "label");
    if columns.len() < CSV_COLUMNS.len()
        || columns[..CSV_COLUMNS.len()] != CSV_COLUMNS
        || (columns.len() > 5 && !with_label)
    {
        return Ok(refuse_file(header_number, Problem::HeaderInvalid));
    }
    let rows: Vec<(usize, &str)> = numbered.collect();
    if rows.is_empty() {
        return Ok(refuse_file(header_number, Problem::NoLines));
    }
    if rows.len() > MAX_IMPORT_LINES {
        return Ok(refuse_file(rows[MAX_IMPORT_LINES].0, Problem::TooManyLines));
    }

    let assistants = store.list_assistants(structure_id, None, ALL).await?.items;
    let mut by_name: HashMap<String, Vec<AssistantId>> = HashMap::new();
    for a in &assistants {
        let (first, last) = (&a.fields.first_name, &a.fields.last_name);
        let mut names: HashSet<String> = HashSet::new();
        names.insert(name_key(&format!("{first} {last}")));
        names.insert(name_key(&format!("{last} {first}")));
        for n in names {
            by_name.entry(n).or_default().push(a.id);
        }
    }
    let memberships = store.memberships_in(&[structure_id]).await?;
    let mut member_ids: Vec<PractitionerId> = memberships.iter().map(|m| m.practitioner_id).collect();
    member_ids.sort();
    member_ids.dedup();
    let by_rpps: HashMap<String, PractitionerId> = store
        .practitioners_by_ids(&member_ids)
        .await?
        .into_iter()
        .map(|p| (p.fields.rpps.as_str().to_owned(), p.id))
        .collect();

    let expected = columns.len();
    let mut refused = Vec::new();
    let mut lines = Vec::with_capacity(rows.len());
    let mut numbers = Vec::with_capacity(rows.len());
    for (number, row) in &rows {
        let mut refuse = |field, problem| refused.push(Refusal { line: *number, field, problem });
        let fields = match split_csv_line(row, separator) {
            Ok(f) if f.len() == expected => f,
            Ok(f) => {
                refuse(Field::Line, Problem::WrongColumnCount { expected, found: f.len() });
                continue;
            }
            Err(p) => {
                refuse(Field::Line, p);
                continue;
            }
        };
        let assistant = match by_name.get(&name_key(&fields[0])).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            Some(_) => {
                refuse(Field::Assistant, Problem::AmbiguousAssistant(fields[0].clone()));
                None
            }
            None => {
                refuse(Field::Assistant, Problem::UnknownAssistant(fields[0].clone()));
                None
            }
        };
        let month = parse_month(&fields[1]);
        if month.is_none() {
            refuse(Field::Month, Problem::MonthMalformed);
        }
        let doctor = if fields[2].is_empty() {
            Some(None)
        } else {
            match Rpps::parse(&fields[2]) {
                Err(e) => {
                    refuse(Field::Doctor, Problem::RppsMalformed(e.reason));
                    None
                }
                Ok(rpps) => match by_rpps.get(rpps.as_str()) {
                    Some(id) => Some(Some(*id)),
                    None => {
                        refuse(Field::Doctor, Problem::DoctorNotMember);
                        None
                    }
                },
            }
        };
        let family = MissionFamily::from_code(&fields[3].to_uppercase()).ok();
        if family.is_none() {
            refuse(Field::Family, Problem::UnknownFamily(fields[3].clone()));
        }
        let hours = match parse_hours(&fields[4]) {
            Ok(h) => Some(h),
            Err(HoursError::Malformed) => {
                refuse(Field::Hours, Problem::HoursMalformed);
                None
            }
            Err(HoursError::TooPrecise) => {
                refuse(Field::Hours, Problem::HoursTooPrecise);
                None
            }
        };
        let label = match clean_text(fields.get(5).map(String::as_str)) {
            Ok(l) => Some(l),
            Err(TextInvalid) => {
                refuse(Field::Label, Problem::LabelInvalid);
                None
            }
        };
        if let (Some(assistant), Some(month), Some(doctor), Some(family), Some(hours), Some(label)) =
            (assistant, month, doctor, family, hours, label)
        {
            lines.push(LineInput { assistant, month, doctor, family, label, hours });
            numbers.push(*number);
        }
    }
    let lines_read = rows.len();
    // Lines that parsed are checked too, so that one report lists every problem of the file.
    let scope = Scope {
        structure_id,
        assistants,
        memberships,
        current: match month_span(&lines) {
            Some(range) => {
                let ids: Vec<AssistantId> = lines.iter().map(|l| l.assistant).collect();
                store.activity_of(&ids, Some(range)).await?
            }
            None => Vec::new(),
        },
    };
    refused.extend(check(&scope, &lines, &numbers, today));
    refused.sort_by_key(|r| r.line);
    if !refused.is_empty() {
        return Ok(ImportReport { lines_read, written: Vec::new(), refused });
    }
    let new: Vec<NewActivityLine> = lines.iter().map(new_line).collect();
    Ok(match store.record_activity(&new, recorded_by).await? {
        ActivityWrite::Recorded(written) => ImportReport { lines_read, written, refused: Vec::new() },
        ActivityWrite::Conflict { index, current } => ImportReport {
            lines_read,
            written: Vec::new(),
            refused: vec![Refusal {
                line: numbers.get(index).copied().unwrap_or(index),
                field: Field::Family,
                problem: Problem::DuplicateOfCurrent { current },
            }],
        },
    })
}

/// Traced hours of a set of lines, split as CMP-SAME-HOURS reads them and by family and doctor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TracedHours {
    pub total: Decimal,
    /// Administrative, consultation and coordination missions: the aid-funded work.
    pub aid_missions: Decimal,
    /// The ACI coordination function.
    pub aci_coordination: Decimal,
    /// Other functions (reception, secretary…).
    pub other_functions: Decimal,
    /// Hours per family, in the order of [`MissionFamily::ALL`], families with hours only.
    pub by_family: Vec<(MissionFamily, Decimal)>,
    /// Hours per doctor (`None`: not for a doctor), by doctor id, `None` last.
    pub by_doctor: Vec<(Option<PractitionerId>, Decimal)>,
}

impl TracedHours {
    pub fn of<'a>(records: impl IntoIterator<Item = &'a ActivityRecord>) -> Self {
        let mut t = TracedHours::default();
        let mut families: HashMap<MissionFamily, Decimal> = HashMap::new();
        let mut doctors: HashMap<Option<PractitionerId>, Decimal> = HashMap::new();
        for r in records {
            t.total += r.hours;
            match r.family {
                MissionFamily::AciCoordination => t.aci_coordination += r.hours,
                MissionFamily::OtherFunction => t.other_functions += r.hours,
                _ => t.aid_missions += r.hours,
            }
            *families.entry(r.family).or_default() += r.hours;
            *doctors.entry(r.practitioner_id).or_default() += r.hours;
        }
        t.by_family = MissionFamily::ALL.iter().filter_map(|f| families.get(f).map(|h| (*f, *h))).collect();
        t.by_doctor = doctors.into_iter().collect();
        t.by_doctor.sort_by_key(|(d, _)| (d.is_none(), d.map(|d| d.0)));
        t
    }
}

/// Traced hours per assistant and month over `months`, from the current lines, in one query:
/// what CMP-SAME-HOURS compares (aid missions against ACI coordination and other functions).
pub async fn traced_hours(
    store: &Store,
    assistant_ids: &[AssistantId],
    months: (YearMonth, YearMonth),
) -> Result<Vec<(AssistantId, YearMonth, TracedHours)>> {
    let lines = store.activity_of(assistant_ids, Some(months)).await?;
    let mut grouped: Vec<((AssistantId, YearMonth), Vec<&ActivityRecord>)> = Vec::new();
    for r in lines.iter().map(ActivityLine::current) {
        let key = (r.assistant_id, r.month);
        match grouped.iter_mut().find(|(k, _)| *k == key) {
            Some((_, rs)) => rs.push(r),
            None => grouped.push((key, vec![r])),
        }
    }
    Ok(grouped.into_iter().map(|((a, m), rs)| (a, m, TracedHours::of(rs))).collect())
}

/// The lines of an assistant over `months` (both included; every month when `None`), current
/// records with their history.
pub async fn lines_of(
    store: &Store,
    assistant: AssistantId,
    months: Option<(YearMonth, YearMonth)>,
) -> Result<Vec<ActivityLine>> {
    Ok(store.activity_of(&[assistant], months).await?)
}

/// The lines of a team's assistants, every month, in one query: what the dashboard reads.
pub async fn lines_of_team(store: &Store, team: &Team) -> Result<Vec<ActivityLine>> {
    let ids: Vec<AssistantId> = team.assistants.iter().filter_map(|a| a.id.parse().ok().map(AssistantId)).collect();
    Ok(store.activity_of(&ids, None).await?)
}

/// A contract funding assistants on a day: its id, the doctors whose assistants it funds and
/// its ETP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Funder {
    pub contract_id: String,
    pub doctors: Vec<String>,
    pub etp: Etp,
}

/// A day the assistants' funding is read on: the contracts running that day, and the time the
/// whole team is assigned to each doctor.
#[derive(Debug, Clone)]
pub struct FundingDay {
    pub day: NaiveDate,
    pub funders: Vec<Funder>,
    team_minutes: HashMap<String, u64>,
}

/// Weekly minutes of `a` assigned to each doctor on `day`, added to `into`.
fn add_minutes(into: &mut HashMap<String, u64>, a: &TeamAssistant, day: NaiveDate) {
    for x in a.assignments.iter().filter(|x| x.runs_on(day)) {
        *into.entry(x.member_id.clone()).or_default() += u64::from(x.weekly_time.minutes());
    }
}

impl FundingDay {
    pub fn new(team: &Team, day: NaiveDate, funders: Vec<Funder>) -> Self {
        let mut team_minutes = HashMap::new();
        for a in &team.assistants {
            add_minutes(&mut team_minutes, a, day);
        }
        Self { day, funders, team_minutes }
    }

    /// Each running contract's share of its ETP funding `a`: the contract's ETP shared among
    /// the assistants assigned to its doctors, in proportion to their assigned time (assumption).
    pub fn shares(&self, a: &TeamAssistant) -> Vec<(String, Etp)> {
        let mut mine = HashMap::new();
        add_minutes(&mut mine, a, self.day);
        let sum = |minutes: &HashMap<String, u64>, f: &Funder| -> u64 {
            f.doctors.iter().filter_map(|d| minutes.get(d)).sum()
        };
        self.funders
            .iter()
            .filter_map(|f| {
                let (mine, all) = (sum(&mine, f), sum(&self.team_minutes, f));
                (mine > 0 && all > 0)
                    .then(|| (f.contract_id.clone(), Etp::new(f.etp.numerator() * mine, f.etp.denominator() * all)))
            })
            .collect()
    }

    /// The ETP funding `a`: the sum of its shares.
    pub fn funded_etp(&self, a: &TeamAssistant) -> std::result::Result<Etp, RuleError> {
        self.shares(a)
            .iter()
            .try_fold(Etp::ZERO, |acc, (_, e)| acc.checked_add(*e))
            .ok_or(RuleError::Invalid("ETP out of range"))
    }
}

/// The indices of `days` (ascending) on which a contract signed on `signed_on` runs, as `runs`
/// says (`on_last`, when known, says it for the last day). A contract runs over one interval
/// from its signature (its term, cut by its end), so `runs` holds on a prefix of the days from
/// the signature on: a binary search finds its end, with no evaluation when the contract is
/// known to run on the last day.
fn running_days(
    days: &[NaiveDate],
    signed_on: NaiveDate,
    on_last: Option<bool>,
    runs: impl Fn(NaiveDate) -> std::result::Result<bool, RuleError>,
) -> std::result::Result<std::ops::Range<usize>, RuleError> {
    let start = days.partition_point(|d| *d < signed_on);
    let Some(last) = days.len().checked_sub(1).filter(|last| *last >= start) else { return Ok(start..start) };
    let runs_on_last = match on_last {
        Some(known) => known,
        None => runs(days[last])?,
    };
    if runs_on_last {
        return Ok(start..days.len());
    }
    // `runs` holds below `lo` and fails from `hi` on.
    let (mut lo, mut hi) = (start, last);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if runs(days[mid])? { lo = mid + 1 } else { hi = mid }
    }
    Ok(start..lo)
}

/// The contracts of the team running on each of `days` (ascending): individual ones within
/// their term (IND-TERM), active collective ones in one of their years. `on_last` tells, by
/// contract id, what is known already of the last day (the dashboard's day).
pub fn funders_on_days(
    book: &RuleBook,
    team: &Team,
    days: &[NaiveDate],
    on_last: &dyn Fn(&str) -> Option<bool>,
) -> std::result::Result<Vec<Vec<Funder>>, RuleError> {
    let mut out: Vec<Vec<Funder>> = vec![Vec::new(); days.len()];
    for m in &team.members {
        for c in m.contracts.iter().filter(|c| c.signed()) {
            let funder = Funder { contract_id: c.id.clone(), doctors: vec![m.id.clone()], etp: c.case.option.etp() };
            for i in running_days(days, c.case.signed_on, on_last(&c.id), |day| Ok(c.runs_on(book, day)))? {
                out[i].push(funder.clone());
            }
        }
    }
    for h in team.collective_contracts.iter().filter(|h| h.status == domain::ContractStatus::Active) {
        let runs = |day| {
            let case = domain::rules::collective::CollectiveCase { as_of: Some(day), ..h.case.clone() };
            Ok(domain::rules::collective::evaluate(book, &case, &mut domain::rules::NoTrace)?.year.is_some())
        };
        let funder = Funder { contract_id: h.id.clone(), doctors: h.member_ids.clone(), etp: h.case.funded_etp };
        for i in running_days(days, h.case.signed_on, on_last(&h.id), runs)? {
            out[i].push(funder.clone());
        }
    }
    Ok(out)
}

/// One month of an assistant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthFigures {
    pub month: YearMonth,
    /// The contractual weekly time over the month (× 52 / 12).
    pub employed_hours: Decimal,
    /// The ETP aid contracts fund for the assistant, times a full-time month.
    pub funded_hours: Decimal,
    pub funded_etp: Etp,
    /// The time assigned to doctors (× 52 / 12).
    pub assigned_hours: Decimal,
    pub traced: TracedHours,
    /// Whether any line is recorded for the month.
    pub recorded: bool,
}

/// The day a month's contracts, assignments and parameters are read on: its last day, or the
/// report day within the report's month.
pub fn reference_day(month: YearMonth, as_of: NaiveDate) -> NaiveDate {
    last_day(month).map_or(as_of, |last| last.min(as_of))
}

/// The figures of `assistant` for each of `months`, from the funding of its reference day and
/// the assistant's current lines. The contractual time is the one recorded today (the store
/// keeps no history of it).
pub fn months_of(
    book: &RuleBook,
    assistant: &TeamAssistant,
    months: &[(YearMonth, FundingDay)],
    current: &[&ActivityRecord],
) -> std::result::Result<Vec<MonthFigures>, RuleError> {
    let mut out = Vec::with_capacity(months.len());
    for (month, funding) in months {
        let day = funding.day;
        let assigned: u64 =
            assistant.assignments.iter().filter(|x| x.runs_on(day)).map(|x| u64::from(x.weekly_time.minutes())).sum();
        let funded_etp = funding.funded_etp(assistant)?;
        let full_time = monthly_full_time(book, day)?;
        let funded_hours =
            round_hours(full_time * Decimal::from(funded_etp.numerator()) / Decimal::from(funded_etp.denominator()));
        let lines: Vec<&ActivityRecord> = current.iter().copied().filter(|r| r.month == *month).collect();
        out.push(MonthFigures {
            month: *month,
            employed_hours: monthly_hours(u64::from(assistant.contractual_time.minutes())),
            funded_hours,
            funded_etp,
            assigned_hours: monthly_hours(assigned),
            recorded: !lines.is_empty(),
            traced: TracedHours::of(lines),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(year: i32, month: u32) -> YearMonth {
        YearMonth { year, month }
    }

    #[test]
    fn a_contract_runs_over_the_days_of_its_interval_only() {
        let days: Vec<NaiveDate> = (1..=12).map(|m| NaiveDate::from_ymd_opt(2026, m, 28).expect("date")).collect();
        let on = |m| NaiveDate::from_ymd_opt(2026, m, 1).expect("date");
        let counter = std::cell::Cell::new(0);
        let calls = &counter;
        let until = |end: NaiveDate| {
            move |d: NaiveDate| {
                calls.set(calls.get() + 1);
                Ok(d <= end)
            }
        };
        let end = NaiveDate::from_ymd_opt(2026, 12, 31).expect("date");
        assert_eq!(running_days(&days, on(3), None, until(end)), Ok(2..12), "from March, still running");
        assert_eq!(calls.replace(0), 1, "one evaluation when it still runs");
        assert_eq!(running_days(&days, on(3), Some(true), until(end)), Ok(2..12));
        assert_eq!(calls.replace(0), 0, "none when that is known");
        for (signed, ends, expected) in [(1, 6, 0..6), (4, 4, 3..4), (3, 2, 2..2), (1, 12, 0..12)] {
            let end = NaiveDate::from_ymd_opt(2026, ends, 28).expect("date");
            assert_eq!(running_days(&days, on(signed), None, until(end)), Ok(expected.clone()), "{signed}..{ends}");
        }
        assert!(calls.get() <= 4 * 5, "a binary search, not a scan");
        let later = NaiveDate::from_ymd_opt(2027, 1, 1).expect("date");
        assert_eq!(running_days(&days, later, None, until(end)), Ok(12..12), "signed after the last day");
        assert_eq!(running_days(&[], on(1), None, until(end)), Ok(0..0));
    }

    #[test]
    fn hours_read_with_a_point_or_a_comma_and_two_decimals_at_most() {
        for (input, expected) in [("7", "7"), ("7.5", "7.5"), ("7,50", "7.5"), (" 12,25 ", "12.25"), ("0.01", "0.01")] {
            assert_eq!(parse_hours(input), Ok(expected.parse().expect("decimal")), "{input}");
        }
        for input in ["", "7.", ".5", "-3", "1e3", "7h30", "7.5.1", "1234567", "7 5"] {
            assert_eq!(parse_hours(input), Err(HoursError::Malformed), "{input}");
        }
        assert_eq!(parse_hours("7.555"), Err(HoursError::TooPrecise));
        assert_eq!(parse_hours("7.500"), Ok("7.5".parse().expect("decimal")), "trailing zeros add no precision");
    }

    #[test]
    fn months_read_as_year_dash_month() {
        assert_eq!(parse_month("2026-03"), Some(ym(2026, 3)));
        assert_eq!(parse_month(" 2025-12 "), Some(ym(2025, 12)));
        for bad in ["2026-13", "2026-00", "2026-3", "26-03", "2026/03", "03-2026", ""] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
        assert_eq!(format_month(ym(2026, 3)), "2026-03");
    }

    #[test]
    fn month_arithmetic_crosses_years() {
        assert_eq!(next_month(ym(2025, 12)), ym(2026, 1));
        assert_eq!(months_before(ym(2026, 1), 1), ym(2025, 12));
        assert_eq!(months_before(ym(2026, 3), 14), ym(2025, 1));
        assert_eq!(months_before(ym(2026, 3), 0), ym(2026, 3));
        assert_eq!(month_range(ym(2025, 11), ym(2026, 2)), [ym(2025, 11), ym(2025, 12), ym(2026, 1), ym(2026, 2)]);
        assert!(month_range(ym(2026, 2), ym(2026, 1)).is_empty());
        assert_eq!(last_day(ym(2024, 2)), NaiveDate::from_ymd_opt(2024, 2, 29));
    }

    #[test]
    fn the_ceiling_is_48_hour_weeks_over_the_month() {
        // 48 × 31 / 7 = 212.571…, 48 × 28 / 7 = 192, 48 × 30 / 7 = 205.714…
        assert_eq!(monthly_ceiling(ym(2026, 1)), "212.57".parse::<Decimal>().expect("decimal"));
        assert_eq!(monthly_ceiling(ym(2026, 2)), Decimal::from(192));
        assert_eq!(monthly_ceiling(ym(2026, 4)), "205.71".parse::<Decimal>().expect("decimal"));
        assert_eq!(monthly_ceiling(ym(2024, 2)), "198.85".parse::<Decimal>().expect("decimal"), "leap February");
    }

    #[test]
    fn monthly_hours_are_the_week_over_52_weeks_per_month() {
        assert_eq!(monthly_hours(35 * 60), "151.67".parse::<Decimal>().expect("decimal"));
        assert_eq!(monthly_hours(17 * 60 + 30), "75.83".parse::<Decimal>().expect("decimal"));
        assert_eq!(monthly_hours(11 * 60 + 40), "50.56".parse::<Decimal>().expect("decimal"));
        assert_eq!(monthly_hours(0), Decimal::ZERO);
    }

    #[test]
    fn the_full_time_month_is_a_dated_parameter() {
        let book = RuleBook::embedded().expect("embedded rules");
        let day = NaiveDate::from_ymd_opt(2026, 3, 31).expect("date");
        assert_eq!(monthly_full_time(&book, day), Ok("151.67".parse().expect("decimal")));
        let before = NaiveDate::from_ymd_opt(2019, 1, 1).expect("date");
        assert!(monthly_full_time(&book, before).is_err(), "no value before the aid existed");
    }

    #[test]
    fn csv_lines_split_on_the_separator_with_quotes() {
        assert_eq!(split_csv_line("a;b; c ;", ';'), Ok(vec!["a".into(), "b".into(), "c".into(), String::new()]));
        assert_eq!(
            split_csv_line("x,\"7,5\",\"say \"\"hi\"\"\"", ','),
            Ok(vec!["x".into(), "7,5".into(), "say \"hi\"".into()])
        );
        assert_eq!(split_csv_line("x,\"7,5", ','), Err(Problem::UnterminatedQuote));
    }

    #[test]
    fn texts_are_trimmed_and_refused_with_control_characters() {
        assert_eq!(clean_text(Some("  accueil ")), Ok(Some("accueil".into())));
        assert_eq!(clean_text(Some("   ")), Ok(None));
        assert_eq!(clean_text(None), Ok(None));
        assert!(clean_text(Some("a\u{202E}b")).is_err());
        assert!(clean_text(Some(&"x".repeat(MAX_TEXT_LENGTH + 1))).is_err());
    }

    #[test]
    fn traced_hours_split_aid_missions_from_other_functions() {
        let record = |id, doctor: Option<i64>, family, hours: &str| ActivityRecord {
            id: ActivityRecordId(id),
            assistant_id: AssistantId(1),
            month: ym(2026, 3),
            practitioner_id: doctor.map(PractitionerId),
            family,
            label: None,
            hours: hours.parse().expect("decimal"),
            corrects: None,
            reason: None,
            recorded_by: "t".into(),
            recorded_at: chrono::DateTime::UNIX_EPOCH,
        };
        let records = [
            record(1, Some(7), MissionFamily::Consultation, "40"),
            record(2, Some(8), MissionFamily::Administrative, "20.5"),
            record(3, Some(7), MissionFamily::Coordination, "10"),
            record(4, None, MissionFamily::AciCoordination, "30.25"),
            record(5, None, MissionFamily::OtherFunction, "8"),
        ];
        let t = TracedHours::of(&records);
        let d = |s: &str| s.parse::<Decimal>().expect("decimal");
        assert_eq!(
            (t.total, t.aid_missions, t.aci_coordination, t.other_functions),
            (d("108.75"), d("70.5"), d("30.25"), d("8"))
        );
        assert_eq!(
            t.by_doctor,
            [(Some(PractitionerId(7)), d("50")), (Some(PractitionerId(8)), d("20.5")), (None, d("38.25"))]
        );
        assert_eq!(t.by_family[0], (MissionFamily::Administrative, d("20.5")));
        assert_eq!(t.by_family.len(), 5);
    }
}
