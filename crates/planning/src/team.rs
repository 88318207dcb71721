//! A structure's records as the planning use cases read them: its doctors with the contracts
//! they hold, its assistants with their assignments, its collective contracts. Built from the
//! store in a fixed number of queries (`load`), or written by hand in the structure cases.

use chrono::NaiveDate;
use domain::rules::collective::{CollectiveCase, Member};
use domain::rules::individual;
use domain::rules::individual::{Doctor, IndividualCase};
use domain::rules::structure::EmployerKind;
use domain::rules::{Activity, NoTrace, RuleBook};
use domain::{ContractStatus, LegalForm, Qualification, WeeklyTime};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Team {
    pub name: String,
    pub legal_form: LegalForm,
    #[serde(default)]
    pub projet_sante_validated_on: Option<NaiveDate>,
    #[serde(default)]
    pub sisa_employer_group: bool,
    /// An approved ambulatory training site; `None` when not recorded.
    #[serde(default)]
    pub training_site: Option<bool>,
    pub members: Vec<TeamMember>,
    #[serde(default)]
    pub assistants: Vec<TeamAssistant>,
    /// Collective contracts the structure signed.
    #[serde(default)]
    pub collective_contracts: Vec<HeldCollective>,
}

/// A doctor of the structure on the planning day.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamMember {
    /// Stable id (the API's practitioner id).
    pub id: String,
    pub label: String,
    /// Partner of the company in their own name.
    pub partner: bool,
    /// The doctor as the individual rules see them for a contract signed on the planning day.
    pub doctor: Doctor,
    /// The latest activity recorded: progress towards objectives.
    #[serde(default)]
    pub actual: Option<Activity>,
    /// PAMSU hosting a docteur junior; `None` when not recorded.
    #[serde(default)]
    pub hosts_docteur_junior: Option<bool>,
    /// Individual contracts, running or not.
    #[serde(default)]
    pub contracts: Vec<HeldContract>,
}

/// An individual contract as the rules see it (no evaluation day: the use case sets it).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeldContract {
    pub id: String,
    pub status: ContractStatus,
    pub case: IndividualCase,
}

/// A collective contract of the structure; its members' labels are those of `member_ids`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeldCollective {
    pub id: String,
    pub status: ContractStatus,
    pub member_ids: Vec<String>,
    pub case: CollectiveCase,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamAssistant {
    pub id: String,
    pub label: String,
    pub employer: EmployerKind,
    /// The employing doctor's member id, when a doctor employs the assistant.
    #[serde(default)]
    pub employer_doctor: Option<String>,
    pub hired_on: NaiveDate,
    pub qualification: Qualification,
    #[serde(default)]
    pub qualified_on: Option<NaiveDate>,
    pub contractual_time: WeeklyTime,
    #[serde(default)]
    pub former_secretary: bool,
    #[serde(default)]
    pub assignments: Vec<TeamAssignment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamAssignment {
    pub member_id: String,
    pub weekly_time: WeeklyTime,
    pub from: NaiveDate,
    #[serde(default)]
    pub to: Option<NaiveDate>,
}

impl TeamAssignment {
    pub fn runs_on(&self, day: NaiveDate) -> bool {
        self.from <= day && self.to.is_none_or(|to| day <= to)
    }
}

impl HeldContract {
    /// Signed (a draft is not a contract yet).
    pub fn signed(&self) -> bool {
        self.status != ContractStatus::Draft
    }

    /// Signed and within its term on `day`, as the rules say: not after its recorded end, nor
    /// past its five years without a renewal (IND-TERM), whatever its stored status.
    pub fn runs_on(&self, book: &RuleBook, day: NaiveDate) -> bool {
        if !self.signed() || day < self.case.signed_on {
            return false;
        }
        let mut case = self.case.clone();
        case.as_of = Some(day);
        individual::evaluate(book, &case, &mut NoTrace).is_ok_and(|r| r.year.is_some())
    }
}

impl TeamMember {
    /// The individual contract running on `day`, if any.
    pub fn running_contract(&self, book: &RuleBook, day: NaiveDate) -> Option<&HeldContract> {
        self.contracts.iter().filter(|c| c.runs_on(book, day)).max_by_key(|c| c.case.signed_on)
    }

    /// Patients gained under the member's individual contracts signed before `day`, up to the
    /// figures known on the planning day (`doctor.activity`): what COL-OBJECTIVES deducts from a
    /// collective signed on `day`.
    pub fn gained_under_individual(&self, day: NaiveDate) -> Activity {
        let baselines: Vec<Activity> = self
            .contracts
            .iter()
            .filter(|c| c.signed() && c.case.signed_on < day)
            .map(|c| c.case.doctor.activity)
            .collect();
        gains(&baselines, Some(self.doctor.activity))
    }

    /// The member as the collective rules see them for a contract signed on `day`; `closing`
    /// says whether their individual contract would be closed first.
    pub fn as_collective_member(&self, book: &RuleBook, day: NaiveDate, closing: bool) -> Member {
        let d = &self.doctor;
        Member {
            label: self.label.clone(),
            specialty: d.specialty,
            sector: d.sector,
            optam: d.optam,
            mep: d.mep,
            partner: self.partner,
            pmt: d.activity.pmt,
            file_active: d.activity.file_active,
            installed_on: d.installed_on,
            hosts_docteur_junior: self.hosts_docteur_junior,
            holds_individual_contract: !closing && self.running_contract(book, day).is_some(),
            collective_ended_on: d.collective_ended_on,
            gained_under_individual: self.gained_under_individual(day),
        }
    }
}

/// Patients gained under individual contracts started at `baselines`, up to the activity `now`:
/// gains of successive contracts overlap (each is measured from its own baseline up to today),
/// so the largest counts.
pub fn gains(baselines: &[Activity], now: Option<Activity>) -> Activity {
    let mut total = Activity { pmt: None, adult_pmt: None, file_active: None };
    let Some(now) = now else { return total };
    let gain = |base: Option<u32>, now: Option<u32>| now.zip(base).map(|(n, b)| n.saturating_sub(b));
    let keep = |acc: Option<u32>, g: Option<u32>| match g {
        None => acc,
        Some(g) => Some(acc.unwrap_or(0).max(g)),
    };
    for base in baselines {
        total.pmt = keep(total.pmt, gain(base.pmt, now.pmt));
        total.file_active = keep(total.file_active, gain(base.file_active, now.file_active));
    }
    total
}
