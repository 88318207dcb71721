//! The structure's funding records beyond the aid contracts, read together: its other health
//! professionals, ACI contracts, grants and its employees' costs.

use domain::funding::{AciContract, EmploymentCost, Grant, Professional};
use domain::{AssistantId, StructureId};
use persistence::Store;

use crate::Result;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Funding {
    pub professionals: Vec<Professional>,
    pub aci: Vec<AciContract>,
    pub grants: Vec<Grant>,
    pub costs: Vec<EmploymentCost>,
}

/// Reads a structure's funding records and its employees' costs, in a fixed number of
/// statements whatever their number; ACI contracts with the facts the rules read
/// ([`aci_facts`]).
pub async fn read(store: &Store, structure: StructureId, assistants: &[AssistantId]) -> Result<Funding> {
    let only = [structure];
    let copy = store.cpam_aci_copy(structure).await?;
    Ok(Funding {
        professionals: store.professionals_of(&only).await?.into_iter().map(|(_, p)| p).collect(),
        aci: store.aci_contracts_of(&only).await?.into_iter().map(|(_, c)| aci_facts(&c, copy.as_ref()).0).collect(),
        grants: store.grants_of(&only).await?.into_iter().map(|(_, g)| g).collect(),
        costs: store.employment_costs_of(assistants).await?,
    })
}

/// Everything the compatibility report and the money table read, on one day.
#[derive(Debug, Clone)]
pub struct Overview {
    pub team: crate::team::Team,
    pub dashboard: crate::dashboard::Dashboard,
    pub funding: Funding,
    pub money: crate::money::MoneyTable,
    pub traced: crate::compatibility::TracedMonths,
}

impl Overview {
    pub fn report(&self, book: &domain::rules::RuleBook) -> Result<crate::compatibility::Report> {
        Ok(crate::compatibility::report(book, &self.team, &self.dashboard, &self.funding, &self.money, &self.traced)?)
    }
}

/// Reads a structure's records and works out its dashboard and money table on `as_of`, in a
/// fixed number of statements whatever the size of the team.
pub async fn overview(
    store: &Store,
    visibility: &persistence::Visibility,
    book: &domain::rules::RuleBook,
    structure: &domain::Structure,
    as_of: chrono::NaiveDate,
) -> Result<Overview> {
    let team = crate::load::team(store, visibility, structure, as_of).await?;
    let assistants: Vec<AssistantId> =
        team.assistants.iter().filter_map(|a| a.id.parse().ok().map(AssistantId)).collect();
    let funding = read(store, structure.id, &assistants).await?;
    let activity = crate::activity::lines_of_team(store, &team).await?;
    let dashboard = crate::dashboard::dashboard_with_activity(book, &team, &activity, as_of)?;
    let money = crate::money::money(book, &team, &dashboard, &funding)?;
    let traced = traced_months(&dashboard);
    Ok(Overview { team, dashboard, funding, money, traced })
}

/// Each assistant's months of the report's year as the compatibility rules read them: the
/// traced hours split by what pays them, and the hours employed; a month with no record has
/// no hours.
fn traced_months(dashboard: &crate::dashboard::Dashboard) -> crate::compatibility::TracedMonths {
    use chrono::Datelike;
    use domain::rules::compatibility::{MonthHours, MonthRecord};
    let year = dashboard.as_of.year();
    dashboard
        .assistants
        .iter()
        .map(|a| {
            let months = a
                .months
                .iter()
                .filter(|m| m.month.year == year)
                .map(|m| MonthRecord {
                    month: m.month.month,
                    hours: m.recorded.then_some(MonthHours {
                        aid_missions: m.traced.aid_missions,
                        coordination: m.traced.aci_coordination,
                        other: m.traced.other_functions,
                        employed: m.employed_hours,
                    }),
                })
                .collect();
            (a.id.clone(), months)
        })
        .collect()
}

/// A fact of an ACI contract on which the record and the CPAM's copy can disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AciFact {
    SignedOn,
    /// A year's points.
    Points(i32),
    /// A year's amount paid.
    Paid(i32),
    CoordinationDeclared,
    CoordinationEtp,
}

pub type AciDiscrepancy = crate::cases::Discrepancy<AciFact>;

/// The facts of an ACI contract the rules and the money table read, and whose they are: the
/// CPAM's signature date, coordination and yearly points and amounts paid when its copy has
/// the record's reference (a year or a figure the CPAM does not state keeps the record's, and
/// the coordination's share and holder stay the record's); the record otherwise. The only
/// place that chooses between the two, as `cases::rules_facts` does for aid contracts.
pub fn aci_facts(
    recorded: &AciContract,
    copy: Option<&persistence::CpamAciCopy>,
) -> (AciContract, crate::cases::FactsUsed) {
    use crate::cases::FactsUsed;
    let Some(copy) = copy.filter(|c| recorded.fields.cpam_reference.as_deref() == Some(c.facts.reference.as_str()))
    else {
        return (recorded.clone(), FactsUsed::Recorded);
    };
    let mut used = recorded.clone();
    let f = &copy.facts;
    used.fields.signed_on = f.signed_on;
    used.fields.coordination.declared = f.coordination_declared;
    if f.coordination_etp.is_some() {
        used.fields.coordination.etp = f.coordination_etp;
    }
    for y in &f.years {
        match used.years.iter_mut().find(|r| r.year == y.year) {
            Some(r) => {
                r.points = Some(y.points);
                if y.paid.is_some() {
                    r.paid = y.paid;
                }
            }
            None => used.years.push(domain::funding::AciYear {
                year: y.year,
                points: Some(y.points),
                paid: y.paid,
                coordination_paid: None,
            }),
        }
    }
    used.years.sort_by_key(|y| y.year);
    (used, FactsUsed::Cpam)
}

/// Where the record and the CPAM's copy of an ACI contract (same reference) disagree.
pub fn aci_discrepancies(recorded: &AciContract, copy: &persistence::CpamAciCopy) -> Vec<AciDiscrepancy> {
    let f = &copy.facts;
    let mut out = Vec::new();
    let mut differ = |fact, r: Option<String>, c: Option<String>| {
        if r != c {
            out.push(AciDiscrepancy { fact, recorded: r, cpam: c });
        }
    };
    differ(AciFact::SignedOn, Some(recorded.fields.signed_on.to_string()), Some(f.signed_on.to_string()));
    differ(
        AciFact::CoordinationDeclared,
        Some(recorded.fields.coordination.declared.to_string()),
        Some(f.coordination_declared.to_string()),
    );
    if f.coordination_etp.is_some() {
        differ(
            AciFact::CoordinationEtp,
            recorded.fields.coordination.etp.map(|e| e.to_string()),
            f.coordination_etp.map(|e| e.to_string()),
        );
    }
    for y in &f.years {
        let mine = recorded.years.iter().find(|r| r.year == y.year);
        differ(AciFact::Points(y.year), mine.and_then(|r| r.points).map(|p| p.to_string()), Some(y.points.to_string()));
        if y.paid.is_some() {
            differ(
                AciFact::Paid(y.year),
                mine.and_then(|r| r.paid).map(|p| p.to_string()),
                y.paid.map(|p| p.to_string()),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::FactsUsed;
    use domain::funding::{AciContractFields, AciContractId, AciYear, Coordination};
    use persistence::{CpamAciCopy, CpamAciFacts, CpamAciYear};
    use rust_decimal::Decimal;

    fn day(s: &str) -> chrono::NaiveDate {
        s.parse().expect("a date")
    }

    fn record() -> AciContract {
        AciContract {
            id: AciContractId(1),
            fields: AciContractFields {
                cpam_reference: Some("R-1".into()),
                signed_on: day("2020-04-01"),
                status: domain::ContractStatus::Active,
                ends_on: None,
                sisa_on: None,
                coordination: Coordination { declared: true, holder: None, etp: None },
            },
            years: vec![AciYear {
                year: 2025,
                points: Some(9000),
                paid: Some(Decimal::from(60_000)),
                coordination_paid: Some(Decimal::from(24_850)),
            }],
        }
    }

    fn copy(reference: &str) -> CpamAciCopy {
        CpamAciCopy {
            structure_id: domain::StructureId(1),
            facts: CpamAciFacts {
                reference: reference.into(),
                signed_on: day("2020-06-15"),
                years: vec![
                    CpamAciYear { year: 2024, points: 8750, paid: Some(Decimal::from(61_250)) },
                    CpamAciYear { year: 2025, points: 9200, paid: Some(Decimal::from(64_400)) },
                ],
                coordination_declared: true,
                coordination_etp: None,
                coordination_holder: None,
            },
            fetched_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_cpams_copy_of_the_same_reference_is_what_the_rules_read() {
        let (used, whose) = aci_facts(&record(), Some(&copy("R-1")));
        assert_eq!(whose, FactsUsed::Cpam);
        assert_eq!(used.fields.signed_on, day("2020-06-15"));
        let years: Vec<_> = used.years.iter().map(|y| (y.year, y.points, y.paid, y.coordination_paid)).collect();
        assert_eq!(
            years,
            vec![
                (2024, Some(8750), Some(Decimal::from(61_250)), None),
                (2025, Some(9200), Some(Decimal::from(64_400)), Some(Decimal::from(24_850))),
            ]
        );
        let facts: Vec<AciFact> = aci_discrepancies(&record(), &copy("R-1")).into_iter().map(|d| d.fact).collect();
        assert_eq!(
            facts,
            vec![
                AciFact::SignedOn,
                AciFact::Points(2024),
                AciFact::Paid(2024),
                AciFact::Points(2025),
                AciFact::Paid(2025)
            ]
        );
    }

    #[test]
    fn a_copy_of_another_reference_is_not_this_contract() {
        let (used, whose) = aci_facts(&record(), Some(&copy("R-2")));
        assert_eq!((used, whose), (record(), FactsUsed::Recorded));
    }
}
