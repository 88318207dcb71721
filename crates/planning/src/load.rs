//! A structure's records read from the store as a [`Team`], in a fixed number of queries
//! whatever the number of its doctors: the dashboard and the comparison cost the same SQL for
//! five doctors or fifty.

use chrono::NaiveDate;
use domain::rules::structure::EmployerKind;
use domain::{AidContract, ContractTerms, Employer, PractitionerId, Structure, StructureId};
use persistence::{Store, Visibility};

use crate::Result;
use crate::cases::{Records, UNSEEN_MEMBER_LABEL, label};
use crate::team::{HeldCollective, HeldContract, Team, TeamAssignment, TeamAssistant, TeamMember};

/// More doctors or assistants than any structure has: one page holds them all.
const ALL: u64 = 10_000;

/// The team of `structure` on `as_of`: the doctors whose membership runs that day, for a viewer
/// who sees the structure and the doctors of `visibility` (an adherent of its collective
/// contract from outside the viewer's structures is counted, not named).
pub async fn team(store: &Store, visibility: &Visibility, structure: &Structure, as_of: NaiveDate) -> Result<Team> {
    let structure_id = structure.id;
    // One consistent state of the records (no write lands between two of the reads), read on
    // one connection: the caller's snapshot when it reads through one (a GraphQL query).
    let snapshot = store.read_snapshot();
    let store = &snapshot;
    let memberships = store.memberships_in(&[structure_id]).await?;
    let mut ids: Vec<PractitionerId> =
        memberships.iter().filter(|m| m.period.contains(as_of)).map(|m| m.practitioner_id).collect();
    ids.sort_by_key(|id| id.0);
    ids.dedup();
    // The assistants do not depend on the doctors: both are read at once.
    let assistants_read = async {
        let assistants = store.list_assistants(structure_id, None, ALL).await?.items;
        let ids: Vec<_> = assistants.iter().map(|a| a.id).collect();
        let assignments = store.assignments_of(&ids).await?;
        Ok::<_, crate::Error>((assistants, assignments))
    };
    let home = Some((structure, memberships.as_slice()));
    let (mut records, (assistants, assignments)) =
        tokio::try_join!(Records::read_around(store, &ids, home), assistants_read)?;
    // The structure's collective contracts, found through its members, with every adherent,
    // those who left included: a signed contract keeps its funded ETP and its adherents'
    // figures (COL-DURATION). Adherents who left are read in a second batch, only when there
    // are some. (A contract all of whose adherents left is no longer the team's.)
    let mut collectives: Vec<AidContract> = Vec::new();
    for c in ids.iter().flat_map(|id| records.contracts_of(*id)) {
        let signed_here =
            matches!(&c.fields.terms, ContractTerms::Collective { structure_id: s, .. } if *s == structure_id);
        if signed_here && !collectives.iter().any(|k| k.id == c.id) {
            collectives.push(c.clone());
        }
    }
    let mut everyone = ids.clone();
    for c in &collectives {
        if let ContractTerms::Collective { members, .. } = &c.fields.terms {
            everyone.extend(members.iter().map(|m| m.practitioner_id));
        }
    }
    everyone.sort_by_key(|id| id.0);
    everyone.dedup();
    if everyone.len() > ids.len() {
        records = Records::read_around(store, &everyone, home).await?;
    }
    // The structure's own members are the viewer's to see; only outside adherents are asked.
    let seen = if everyone.len() == ids.len() {
        ids.iter().copied().collect()
    } else {
        store.visible_practitioners(&everyone, visibility).await?
    };
    let named = |p: &domain::Practitioner| if seen.contains(&p.id) { label(p) } else { UNSEEN_MEMBER_LABEL.to_owned() };
    let employer_ids: Vec<StructureId> = assistants
        .iter()
        .filter_map(|a| match a.fields.employer {
            Employer::Structure(s) if s != structure_id => Some(s),
            _ => None,
        })
        .collect();
    let employers = if employer_ids.is_empty() { Vec::new() } else { store.structures_by_ids(&employer_ids).await? };
    // A snapshot of its own ends here. sqlx gives its connection back to the pool in a task it
    // spawns onto this worker's LIFO slot, which no other worker may steal: without this yield
    // it would wait for the rules that follow (milliseconds of CPU), and with SQLite's few
    // pooled connections other requests would wait with it.
    drop(snapshot);
    tokio::task::yield_now().await;

    let mut members = Vec::with_capacity(ids.len());
    for p in ids.iter().filter_map(|id| records.practitioner(*id)) {
        let contracts = records
            .contracts_of(p.id)
            .filter_map(|c| match c.fields.terms {
                ContractTerms::Individual { option, .. } => Some(HeldContract {
                    id: c.id.0.to_string(),
                    status: c.fields.status,
                    case: records.contract_case(c, p, option),
                }),
                ContractTerms::Collective { .. } => None,
            })
            .collect();
        members.push(TeamMember {
            id: p.id.0.to_string(),
            label: label(p),
            partner: records.partner_of(p.id, structure_id, as_of),
            doctor: records.doctor_on(p, as_of),
            actual: records.latest_activity(p.id),
            hosts_docteur_junior: records.hosts_docteur_junior(p.id, structure_id, as_of),
            contracts,
        });
    }

    let mut collective_contracts = Vec::with_capacity(collectives.len());
    for c in &collectives {
        let ContractTerms::Collective { members: adherents, .. } = &c.fields.terms else { continue };
        let Some(case) = records.collective_contract_case(c, structure, named) else { continue };
        collective_contracts.push(HeldCollective {
            id: c.id.0.to_string(),
            status: c.fields.status,
            member_ids: adherents
                .iter()
                .filter(|a| records.practitioner(a.practitioner_id).is_some())
                .map(|a| a.practitioner_id.0.to_string())
                .collect(),
            case,
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
            employer_doctor: match a.fields.employer {
                Employer::Practitioner(p) => Some(p.0.to_string()),
                Employer::Structure(_) => None,
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

    let s = &structure.fields;
    Ok(Team {
        name: s.name.clone(),
        legal_form: s.legal_form,
        projet_sante_validated_on: s.projet_sante_validated_on,
        sisa_employer_group: s.sisa_employer_group,
        training_site: s.training_site,
        members,
        assistants: team_assistants,
        collective_contracts,
    })
}
