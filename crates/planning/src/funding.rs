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

/// Reads a structure's funding records and its employees' costs, in six statements whatever
/// their number.
pub async fn read(store: &Store, structure: StructureId, assistants: &[AssistantId]) -> Result<Funding> {
    let only = [structure];
    Ok(Funding {
        professionals: store.professionals_of(&only).await?.into_iter().map(|(_, p)| p).collect(),
        aci: store.aci_contracts_of(&only).await?.into_iter().map(|(_, c)| c).collect(),
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
