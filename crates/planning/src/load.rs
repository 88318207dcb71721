//! A structure's records read from the store as a [`Team`], in a fixed number of queries
//! whatever the number of its doctors: the dashboard and the comparison cost the same SQL for
//! five doctors or fifty.

use chrono::{Datelike, NaiveDate};
use domain::rules::Activity;
use domain::rules::collective::{CollectiveCase, Member};
use domain::rules::individual::{Doctor, IndividualCase};
use domain::rules::structure::EmployerKind;
use domain::{
    ActivityFigures, AidContract, ContractStatus, ContractTerms, Employer, Membership, Practitioner, PractitionerId,
    Structure, StructureId, StructureKind,
};
use persistence::{Store, StoreError, ZoningRecord};
use rust_decimal::Decimal;

use crate::team::{HeldCollective, HeldContract, Team, TeamAssignment, TeamAssistant, TeamMember};

/// More doctors or assistants than any structure has: one page holds them all.
const ALL: u64 = 10_000;

fn activity(f: &ActivityFigures) -> Activity {
    Activity { pmt: f.fields.pmt, adult_pmt: f.fields.adult_pmt, file_active: f.fields.file_active }
}

/// Figures known on `day`: the latest year before `day`'s year (a year's figures are known
/// after it ends), or else the oldest recorded (OBJ-BASELINE-DATE's default). `figures` is
/// newest first.
pub fn baseline(figures: &[&ActivityFigures], day: NaiveDate) -> Option<ActivityFigures> {
    figures.iter().find(|f| f.fields.year < day.year()).or_else(|| figures.last()).map(|f| (*f).clone())
}

/// The latest figures after the baseline year: the activity reached since `day`.
pub fn reached_since(figures: &[&ActivityFigures], day: NaiveDate) -> Option<Activity> {
    let base_year = baseline(figures, day).map(|f| f.fields.year)?;
    figures.first().filter(|f| f.fields.year > base_year).map(|f| activity(f))
}

/// What the store holds about a structure and its doctors, read once.
struct Records {
    structure: Structure,
    memberships: Vec<Membership>,
    practitioners: Vec<Practitioner>,
    figures: Vec<ActivityFigures>,
    contracts: Vec<(PractitionerId, AidContract)>,
    zonings: Vec<ZoningRecord>,
}

impl Records {
    fn figures_of(&self, p: PractitionerId) -> Vec<&ActivityFigures> {
        self.figures.iter().filter(|f| f.practitioner_id == p).collect()
    }

    /// The doctor as the individual rules see them on `day`. What the store does not record
    /// (RQTH, children's share, under-served département) stays unknown.
    fn doctor_on(&self, p: &Practitioner, day: NaiveDate) -> Doctor {
        let figures = self.figures_of(p.id);
        let base = baseline(&figures, day);
        let colleagues = self.memberships.iter().filter(|m| m.period.contains(day)).count();
        let kind = self.structure.fields.kind;
        let collectives = self
            .contracts
            .iter()
            .filter(|(q, c)| *q == p.id && c.fields.terms.kind() == domain::ContractKind::Collective);
        let in_collective_contract = collectives.clone().any(|(_, c)| {
            c.fields.status == ContractStatus::Active
                && matches!(&c.fields.terms, ContractTerms::Collective { members, .. }
                    if members.iter().any(|m| m.practitioner_id == p.id && m.period.contains(day)))
        });
        let collective_ended_on = collectives
            .filter(|(_, c)| matches!(c.fields.status, ContractStatus::Ended | ContractStatus::Terminated))
            .filter_map(|(_, c)| c.fields.ends_on)
            .max();
        let f = &p.fields;
        Doctor {
            specialty: f.specialty,
            sector: f.sector,
            optam: f.optam,
            practice_mode: f.practice_mode,
            mep: f.mep,
            installed_on: f.installed_on,
            birth_year: f.birth_year,
            rqth: None,
            children_share: None,
            zone: self
                .zonings
                .iter()
                .find(|z| z.valid_from <= day && z.valid_to.is_none_or(|to| day <= to))
                .map(|z| z.zone),
            grouped_practice: (colleagues >= 2).then_some(true),
            coordinated_practice: matches!(
                kind,
                StructureKind::Msp | StructureKind::CentreDeSante | StructureKind::Esp
            )
            .then_some(true),
            underserved_departement: None,
            ccam_share: base.as_ref().and_then(|b| b.fields.ccam_share_bp).map(|bp| Decimal::new(i64::from(bp), 4)),
            band: base.as_ref().and_then(|b| b.fields.band),
            activity: base.as_ref().map(activity).unwrap_or_default(),
            specialty_median: None,
            in_collective_contract,
            collective_ended_on,
            first_contract: None,
        }
    }

    fn label(p: &Practitioner) -> String {
        format!("{} {} ({})", p.fields.first_name, p.fields.last_name, p.fields.rpps)
    }
}

/// The team of `structure_id` on `as_of`: the doctors whose membership runs that day. `None`
/// when the structure does not exist.
pub async fn team(store: &Store, structure_id: StructureId, as_of: NaiveDate) -> Result<Option<Team>, StoreError> {
    let Some(structure) = store.structure(structure_id).await? else { return Ok(None) };
    let rows = store.list_members(structure_id, None, None, ALL).await?.items;
    let memberships: Vec<Membership> = rows.iter().map(|r| r.membership.clone()).collect();
    let mut practitioners: Vec<Practitioner> = Vec::new();
    for r in rows.into_iter().filter(|r| r.membership.period.contains(as_of)) {
        if !practitioners.iter().any(|p| p.id == r.practitioner.id) {
            practitioners.push(r.practitioner);
        }
    }
    let ids: Vec<PractitionerId> = practitioners.iter().map(|p| p.id).collect();
    let figures = store.figures_of_many(&ids).await?;
    let contracts = store.practitioner_contracts_many(&ids).await?;
    let zonings = store.zonings_of(&structure.fields.commune).await?;
    let assistants = store.list_assistants(structure_id, None, ALL).await?.items;
    let assistant_ids: Vec<_> = assistants.iter().map(|a| a.id).collect();
    let assignments = store.assignments_of(&assistant_ids).await?;
    let employer_ids: Vec<StructureId> = assistants
        .iter()
        .filter_map(|a| match a.fields.employer {
            Employer::Structure(s) if s != structure_id => Some(s),
            _ => None,
        })
        .collect();
    let employers = if employer_ids.is_empty() { Vec::new() } else { store.structures_by_ids(&employer_ids).await? };

    let records = Records { structure, memberships, practitioners, figures, contracts, zonings };
    let s = &records.structure;
    let mut members = Vec::with_capacity(records.practitioners.len());
    for p in &records.practitioners {
        let figures = records.figures_of(p.id);
        let partner =
            records.memberships.iter().any(|m| m.practitioner_id == p.id && m.partner && m.period.contains(as_of));
        let mut held = Vec::new();
        for (_, c) in records.contracts.iter().filter(|(q, _)| *q == p.id) {
            let ContractTerms::Individual { option, .. } = c.fields.terms else { continue };
            let signed_on = c.fields.signed_on;
            held.push(HeldContract {
                id: c.id.0.to_string(),
                status: c.fields.status,
                case: IndividualCase {
                    signed_on,
                    option,
                    doctor: records.doctor_on(p, signed_on),
                    as_of: None,
                    actual: reached_since(&figures, signed_on),
                    ended_on: if c.fields.status.requires_end_date() { c.fields.ends_on } else { None },
                    // The store records no renewal yet.
                    renewals: 0,
                },
            });
        }
        members.push(TeamMember {
            id: p.id.0.to_string(),
            label: Records::label(p),
            partner,
            doctor: records.doctor_on(p, as_of),
            actual: figures.first().map(|f| activity(f)),
            // Not recorded yet: unknown, so COL-ETP-CAP names it.
            hosts_docteur_junior: None,
            contracts: held,
        });
    }

    let mut collective_contracts: Vec<HeldCollective> = Vec::new();
    for (_, c) in &records.contracts {
        let ContractTerms::Collective { structure_id: signer, funded_etp, members: adherents } = &c.fields.terms else {
            continue;
        };
        if *signer != structure_id || collective_contracts.iter().any(|h| h.id == c.id.0.to_string()) {
            continue;
        }
        let signed = c.fields.signed_on;
        let mut member_ids = Vec::new();
        let mut case_members = Vec::new();
        let mut actual = Some(Activity { pmt: Some(0), adult_pmt: None, file_active: Some(0) });
        // Adherents who left the structure are not in the team: the contract is shown for the
        // doctors it still has.
        for a in adherents {
            let Some(m) = members.iter().find(|m| m.id == a.practitioner_id.0.to_string()) else { continue };
            let Some(p) = records.practitioners.iter().find(|p| p.id == a.practitioner_id) else { continue };
            let figures = records.figures_of(p.id);
            let base = baseline(&figures, signed);
            let reached = reached_since(&figures, signed);
            actual = actual.zip(reached).and_then(|(sum, r)| {
                Some(Activity {
                    pmt: Some(sum.pmt? + r.pmt?),
                    adult_pmt: None,
                    file_active: Some(sum.file_active? + r.file_active?),
                })
            });
            member_ids.push(m.id.clone());
            case_members.push(Member {
                label: m.label.clone(),
                specialty: p.fields.specialty,
                sector: p.fields.sector,
                optam: p.fields.optam,
                mep: p.fields.mep,
                partner: records
                    .memberships
                    .iter()
                    .any(|ms| ms.practitioner_id == p.id && ms.partner && ms.period.contains(a.period.from())),
                pmt: base.as_ref().and_then(|b| b.fields.pmt),
                file_active: base.as_ref().and_then(|b| b.fields.file_active),
                installed_on: p.fields.installed_on,
                hosts_docteur_junior: None,
                holds_individual_contract: false,
                collective_ended_on: None,
                gained_under_individual: m.gained_under_individual(),
            });
        }
        collective_contracts.push(HeldCollective {
            id: c.id.0.to_string(),
            status: c.fields.status,
            member_ids,
            case: CollectiveCase {
                signed_on: signed,
                legal_form: s.fields.legal_form,
                training_site: None,
                funded_etp: *funded_etp,
                members: case_members,
                as_of: None,
                actual: actual.filter(|_| !adherents.is_empty()),
            },
        });
    }

    let team_assistants = assistants
        .iter()
        .map(|a| TeamAssistant {
            id: a.id.0.to_string(),
            label: format!("{} {}", a.fields.first_name, a.fields.last_name),
            employer: match a.fields.employer {
                Employer::Practitioner(_) => EmployerKind::Doctor,
                Employer::Structure(e) if e == structure_id => EmployerKind::ThisStructure,
                Employer::Structure(e) => {
                    let other = employers.iter().find(|x| x.id == e);
                    EmployerKind::OtherStructure {
                        legal_form: other.map_or(domain::LegalForm::Other, |x| x.fields.legal_form),
                        sisa_employer_group: other.is_some_and(|x| x.fields.sisa_employer_group),
                    }
                }
            },
            hired_on: a.fields.hired_on,
            qualification: a.fields.qualification,
            qualified_on: a.fields.qualified_on,
            contractual_time: a.fields.contractual_time,
            former_secretary: a.fields.former_secretary,
            assignments: assignments
                .iter()
                .filter(|x| x.assistant_id == a.id)
                .map(|x| TeamAssignment {
                    member_id: x.practitioner_id.0.to_string(),
                    weekly_time: x.weekly_time,
                    from: x.period.from(),
                    to: x.period.to(),
                })
                .collect(),
        })
        .collect();

    Ok(Some(Team {
        name: s.fields.name.clone(),
        legal_form: s.fields.legal_form,
        projet_sante_validated_on: s.fields.projet_sante_validated_on,
        sisa_employer_group: s.fields.sisa_employer_group,
        // Not recorded yet: unknown.
        training_site: None,
        members,
        assistants: team_assistants,
        collective_contracts,
    }))
}
