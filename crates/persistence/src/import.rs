//! Importing a whole set of related records (a structure with its doctors, assistants,
//! contracts and figures) in one transaction. Records refer to each other by their position
//! in the dataset, since their ids do not exist yet. Used for the demo data.

use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    ActivityFiguresFields, AidContractFields, AidOption, AssistantFields, ContractMember, ContractStatus,
    ContractTerms, Employer, Etp, Period, PractitionerFields, PractitionerId, Qualification, StructureFields,
    StructureId, WeeklyTime,
};

use crate::assistants::{NewAssignment, insert_assistant};
use crate::contracts::insert_contract;
use crate::figures::{FiguresUpsert, upsert_one};
use crate::practitioners::{NewMembership, insert_membership, insert_practitioner};
use crate::structures::insert_structure;
use crate::{Store, StoreError, StoreResult};

/// Position of a structure in [`Dataset::structures`].
pub type StructureRef = usize;
/// Position of a practitioner in [`Dataset::practitioners`].
pub type PractitionerRef = usize;

#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub structures: Vec<StructureFields>,
    pub practitioners: Vec<ImportPractitioner>,
    pub assistants: Vec<ImportAssistant>,
    pub contracts: Vec<ImportContract>,
}

#[derive(Debug, Clone)]
pub struct ImportPractitioner {
    pub fields: PractitionerFields,
    pub memberships: Vec<(StructureRef, bool, Period)>,
    pub figures: Vec<ImportFigures>,
}

/// Yearly figures; `obtained_at` is when they were known.
#[derive(Debug, Clone)]
pub struct ImportFigures {
    pub year: i32,
    pub pmt: Option<u32>,
    pub adult_pmt: Option<u32>,
    pub file_active: Option<u32>,
    pub ccam_share_bp: Option<u32>,
    pub band: Option<domain::ActivityBand>,
    pub origin: domain::FiguresOrigin,
    pub obtained_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub enum ImportEmployer {
    Structure(StructureRef),
    Practitioner(PractitionerRef),
}

#[derive(Debug, Clone)]
pub struct ImportAssistant {
    pub structure: StructureRef,
    pub employer: ImportEmployer,
    pub first_name: String,
    pub last_name: String,
    pub qualification: Qualification,
    pub qualified_on: Option<NaiveDate>,
    pub hired_on: NaiveDate,
    pub contractual_time: WeeklyTime,
    pub former_secretary: bool,
    pub assignments: Vec<(PractitionerRef, WeeklyTime, Period)>,
}

#[derive(Debug, Clone)]
pub enum ImportTerms {
    Individual { practitioner: PractitionerRef, option: AidOption },
    Collective { structure: StructureRef, funded_etp: Etp, members: Vec<(PractitionerRef, Period)> },
}

#[derive(Debug, Clone)]
pub struct ImportContract {
    pub terms: ImportTerms,
    pub signed_on: NaiveDate,
    pub status: ContractStatus,
    pub ends_on: Option<NaiveDate>,
    /// The CPAM's reference, which a CPAM refresh matches the contract by.
    pub cpam_reference: Option<String>,
}

/// How many records an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    pub structures: usize,
    pub practitioners: usize,
    pub assistants: usize,
    pub contracts: usize,
}

fn lookup<T: Copy>(ids: &[T], index: usize, what: &'static str) -> StoreResult<T> {
    ids.get(index).copied().ok_or(StoreError::NotFound(what))
}

impl Store {
    /// Writes the whole dataset in one transaction: on any failure nothing is written. Records
    /// are checked like the API checks them: a dataset that breaks a domain invariant (see
    /// [`domain::validate`]) is refused, naming the record, rather than stored.
    pub async fn import(&self, data: &Dataset) -> StoreResult<ImportSummary> {
        let txn = self.write_transaction().await?;
        let mut structures: Vec<StructureId> = Vec::with_capacity(data.structures.len());
        for fields in &data.structures {
            structures.push(insert_structure(&txn, fields).await?.id);
        }
        let mut practitioners: Vec<PractitionerId> = Vec::with_capacity(data.practitioners.len());
        for p in &data.practitioners {
            let created = insert_practitioner(&txn, &p.fields).await?;
            for (structure, partner, period) in &p.memberships {
                let new = NewMembership {
                    structure_id: lookup(&structures, *structure, "structure")?,
                    partner: *partner,
                    period: *period,
                    hosts_docteur_junior: None,
                };
                insert_membership(&txn, created.id, &new).await?;
            }
            for f in &p.figures {
                let fields = ActivityFiguresFields {
                    year: f.year,
                    pmt: f.pmt,
                    adult_pmt: f.adult_pmt,
                    file_active: f.file_active,
                    ccam_share_bp: f.ccam_share_bp,
                    band: f.band,
                    origin: f.origin,
                    obtained_at: f.obtained_at,
                };
                upsert_one(&txn, &FiguresUpsert { practitioner_id: created.id, fields }).await?;
            }
            practitioners.push(created.id);
        }
        for (index, a) in data.assistants.iter().enumerate() {
            let employer = match a.employer {
                ImportEmployer::Structure(s) => Employer::Structure(lookup(&structures, s, "structure")?),
                ImportEmployer::Practitioner(p) => Employer::Practitioner(lookup(&practitioners, p, "practitioner")?),
            };
            let fields = AssistantFields {
                employer,
                first_name: a.first_name.clone(),
                last_name: a.last_name.clone(),
                qualification: a.qualification,
                qualified_on: a.qualified_on,
                hired_on: a.hired_on,
                contractual_time: a.contractual_time,
                former_secretary: a.former_secretary,
            };
            let times: Vec<_> = a.assignments.iter().map(|(_, time, period)| (*time, *period)).collect();
            if let Some(&error) = fields.assignment_errors(&times).first() {
                let name = format!("{} {}", a.first_name, a.last_name);
                return Err(StoreError::ImportedAssignments { index, name, error });
            }
            let assignments = a
                .assignments
                .iter()
                .map(|(p, weekly_time, period)| {
                    Ok(NewAssignment {
                        practitioner_id: lookup(&practitioners, *p, "practitioner")?,
                        weekly_time: *weekly_time,
                        period: *period,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            insert_assistant(&txn, lookup(&structures, a.structure, "structure")?, &fields, &assignments).await?;
        }
        for (index, c) in data.contracts.iter().enumerate() {
            let terms = match &c.terms {
                ImportTerms::Individual { practitioner, option } => ContractTerms::Individual {
                    practitioner_id: lookup(&practitioners, *practitioner, "practitioner")?,
                    option: *option,
                },
                ImportTerms::Collective { structure, funded_etp, members } => ContractTerms::Collective {
                    structure_id: lookup(&structures, *structure, "structure")?,
                    funded_etp: *funded_etp,
                    members: members
                        .iter()
                        .map(|(p, period)| {
                            Ok(ContractMember {
                                practitioner_id: lookup(&practitioners, *p, "practitioner")?,
                                period: *period,
                            })
                        })
                        .collect::<StoreResult<Vec<_>>>()?,
                },
            };
            let fields = AidContractFields {
                terms,
                signed_on: c.signed_on,
                status: c.status,
                ends_on: c.ends_on,
                renewals: 0,
                baseline_on: None,
            };
            fields.check_dates().map_err(|error| StoreError::ImportedContractDates {
                index,
                signed_on: c.signed_on,
                error,
            })?;
            insert_contract(&txn, &fields, c.cpam_reference.as_deref()).await?;
        }
        txn.commit().await?;
        Ok(ImportSummary {
            structures: data.structures.len(),
            practitioners: data.practitioners.len(),
            assistants: data.assistants.len(),
            contracts: data.contracts.len(),
        })
    }
}
