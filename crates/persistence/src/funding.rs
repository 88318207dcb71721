//! The structure's other funding and whole team (RULES.md §9): other health professionals, the
//! ACI MSP contract with its yearly figures, other public money with the employees it pays,
//! and employment costs. Every list reads a set of structures (or employees) in a fixed number
//! of statements, whatever their size.

use std::str::FromStr;

use chrono::Utc;
use domain::funding::{
    AciContract, AciContractFields, AciContractId, AciYear, Adeli, Coordination, CoordinationHolder, EmploymentCost,
    FundingScheme, Grant, GrantFields, GrantId, GrantShare, Profession, Professional, ProfessionalFields,
    ProfessionalId,
};
use domain::{AssistantId, ContractStatus, PractitionerId, Rpps, StructureId};
use rust_decimal::Decimal;
use sea_orm::ActiveValue::{NotSet, Set, Unchanged};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::convert::RowContext;
use crate::entities::{aci_contract, aci_year, employment_cost, grant, grant_share, professional};
use crate::{Store, StoreError, StoreResult, db_id, updated};

fn keys<T>(ids: &[T], key: impl Fn(&T) -> i64) -> Vec<i32> {
    ids.iter().filter_map(|id| i32::try_from(key(id)).ok()).collect()
}

impl RowContext {
    fn decimal(&self, value: &str) -> StoreResult<Decimal> {
        Decimal::from_str(value).map_err(|e| self.corrupt(e))
    }

    fn decimal_opt(&self, value: Option<&str>) -> StoreResult<Option<Decimal>> {
        value.map(|v| self.decimal(v)).transpose()
    }
}

// ---------------------------------------------------------------- professionals

fn professional_from_row(row: professional::Model) -> StoreResult<(StructureId, Professional)> {
    let cx = RowContext::new("professionals", row.id);
    Ok((
        StructureId(i64::from(row.structure_id)),
        Professional {
            id: ProfessionalId(i64::from(row.id)),
            fields: ProfessionalFields {
                profession: cx.code(Profession::from_code, &row.profession)?,
                first_name: row.first_name,
                last_name: row.last_name,
                rpps: row.rpps.as_deref().map(|v| cx.parse(Rpps::parse, v)).transpose()?,
                adeli: row.adeli.as_deref().map(|v| cx.parse(Adeli::parse, v)).transpose()?,
                partner: row.partner,
                period: cx.period(row.valid_from, row.valid_to)?,
            },
        },
    ))
}

fn professional_model(fields: &ProfessionalFields) -> professional::ActiveModel {
    professional::ActiveModel {
        profession: Set(fields.profession.code().to_owned()),
        first_name: Set(fields.first_name.clone()),
        last_name: Set(fields.last_name.clone()),
        rpps: Set(fields.rpps.as_ref().map(|r| r.as_str().to_owned())),
        adeli: Set(fields.adeli.as_ref().map(|a| a.as_str().to_owned())),
        partner: Set(fields.partner),
        valid_from: Set(fields.period.from()),
        valid_to: Set(fields.period.to()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
}

// ---------------------------------------------------------------- ACI contracts

fn aci_from_rows(row: aci_contract::Model, years: Vec<aci_year::Model>) -> StoreResult<(StructureId, AciContract)> {
    let cx = RowContext::new("aci_contracts", row.id);
    let holder = match (row.coordinator_assistant_id, row.coordinator_name) {
        (Some(a), None) => Some(CoordinationHolder::Assistant(AssistantId(i64::from(a)))),
        (None, Some(name)) => Some(CoordinationHolder::Named(name)),
        (None, None) => None,
        (Some(_), Some(_)) => return Err(cx.corrupt("a coordinator is an assistant or a name, not both")),
    };
    let years = years
        .into_iter()
        .map(|y| {
            let cy = RowContext::new("aci_years", y.id);
            Ok(AciYear {
                year: y.year,
                points: cy.count(y.points)?,
                paid: cy.decimal_opt(y.paid.as_deref())?,
                coordination_paid: cy.decimal_opt(y.coordination_paid.as_deref())?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok((
        StructureId(i64::from(row.structure_id)),
        AciContract {
            id: AciContractId(i64::from(row.id)),
            fields: AciContractFields {
                cpam_reference: row.cpam_reference,
                signed_on: row.signed_on,
                status: cx.code(ContractStatus::from_code, &row.status)?,
                ends_on: row.ends_on,
                sisa_on: row.sisa_on,
                coordination: Coordination {
                    declared: row.coordination_declared,
                    holder,
                    etp: row.coordination_etp.as_deref().map(|v| cx.etp(v)).transpose()?,
                },
            },
            years,
        },
    ))
}

fn aci_model(fields: &AciContractFields) -> StoreResult<aci_contract::ActiveModel> {
    let (assistant, name) = match &fields.coordination.holder {
        Some(CoordinationHolder::Assistant(id)) => (Some(db_id(id.0, "coordinator assistant")?), None),
        Some(CoordinationHolder::Named(name)) => (None, Some(name.clone())),
        None => (None, None),
    };
    Ok(aci_contract::ActiveModel {
        cpam_reference: Set(fields.cpam_reference.clone()),
        signed_on: Set(fields.signed_on),
        status: Set(fields.status.code().to_owned()),
        ends_on: Set(fields.ends_on),
        sisa_on: Set(fields.sisa_on),
        coordination_declared: Set(fields.coordination.declared),
        coordinator_assistant_id: Set(assistant),
        coordinator_name: Set(name),
        coordination_etp: Set(fields.coordination.etp.map(|e| e.to_string())),
        updated_at: Set(Utc::now()),
        ..Default::default()
    })
}

fn count_to_db(value: Option<u32>) -> StoreResult<Option<i32>> {
    crate::convert::count_to_db(value)
}

// ---------------------------------------------------------------- grants

fn grant_from_rows(row: grant::Model, shares: Vec<grant_share::Model>) -> StoreResult<(StructureId, Grant)> {
    let cx = RowContext::new("grants", row.id);
    let employees = shares
        .into_iter()
        .map(|s| {
            let cs = RowContext::new("grant_shares", s.id);
            Ok(GrantShare {
                assistant_id: AssistantId(i64::from(s.assistant_id)),
                amount: cs.decimal(&s.amount)?,
                hours: cs.decimal_opt(s.hours.as_deref())?,
            })
        })
        .collect::<StoreResult<Vec<_>>>()?;
    Ok((
        StructureId(i64::from(row.structure_id)),
        Grant {
            id: GrantId(i64::from(row.id)),
            fields: GrantFields {
                scheme: cx.code(FundingScheme::from_code, &row.scheme)?,
                payer: row.payer,
                purpose: row.purpose,
                pays_salaries: row.pays_salaries,
                period: cx.period(row.valid_from, row.valid_to)?,
                amount: cx.decimal(&row.amount)?,
                practitioner_id: row.practitioner_id.map(|p| PractitionerId(i64::from(p))),
                employees,
            },
        },
    ))
}

fn grant_model(fields: &GrantFields) -> StoreResult<grant::ActiveModel> {
    Ok(grant::ActiveModel {
        scheme: Set(fields.scheme.code().to_owned()),
        payer: Set(fields.payer.clone()),
        purpose: Set(fields.purpose.clone()),
        pays_salaries: Set(fields.pays_salaries),
        valid_from: Set(fields.period.from()),
        valid_to: Set(fields.period.to()),
        amount: Set(fields.amount.to_string()),
        practitioner_id: Set(fields.practitioner_id.map(|p| db_id(p.0, "practitioner")).transpose()?),
        updated_at: Set(Utc::now()),
        ..Default::default()
    })
}

async fn insert_shares<C: ConnectionTrait>(conn: &C, grant_id: i32, shares: &[GrantShare]) -> StoreResult<()> {
    for s in shares {
        grant_share::ActiveModel {
            id: NotSet,
            grant_id: Set(grant_id),
            assistant_id: Set(db_id(s.assistant_id.0, "assistant")?),
            amount: Set(s.amount.to_string()),
            hours: Set(s.hours.map(|h| h.to_string())),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

fn cost_from_row(row: employment_cost::Model) -> StoreResult<EmploymentCost> {
    let cx = RowContext::new("employment_costs", row.id);
    Ok(EmploymentCost {
        assistant_id: AssistantId(i64::from(row.assistant_id)),
        year: row.year,
        salary: cx.decimal(&row.salary)?,
        employer_charges: cx.decimal(&row.employer_charges)?,
    })
}

impl Store {
    pub async fn create_professional(
        &self,
        structure_id: StructureId,
        fields: &ProfessionalFields,
    ) -> StoreResult<Professional> {
        let now = Utc::now();
        let am = professional::ActiveModel {
            id: NotSet,
            structure_id: Set(db_id(structure_id.0, "structure")?),
            created_at: Set(now),
            ..professional_model(fields)
        };
        Ok(professional_from_row(am.insert(self.writer()?).await?)?.1)
    }

    pub async fn update_professional(
        &self,
        id: ProfessionalId,
        fields: &ProfessionalFields,
    ) -> StoreResult<Professional> {
        let am =
            professional::ActiveModel { id: Unchanged(db_id(id.0, "professional")?), ..professional_model(fields) };
        Ok(professional_from_row(updated(am.update(self.writer()?).await, "professional")?)?.1)
    }

    /// The professional and the structure they work in.
    pub async fn professional(&self, id: ProfessionalId) -> StoreResult<Option<(StructureId, Professional)>> {
        let row = professional::Entity::find_by_id(db_id(id.0, "professional")?).one(self.db()).await?;
        row.map(professional_from_row).transpose()
    }

    /// Every professional of these structures, past and present, in one statement.
    pub async fn professionals_of(&self, structures: &[StructureId]) -> StoreResult<Vec<(StructureId, Professional)>> {
        let rows = professional::Entity::find()
            .filter(professional::Column::StructureId.is_in(keys(structures, |s| s.0)))
            .order_by_asc(professional::Column::Id)
            .all(self.db())
            .await?;
        rows.into_iter().map(professional_from_row).collect()
    }

    pub async fn create_aci_contract(
        &self,
        structure_id: StructureId,
        fields: &AciContractFields,
    ) -> StoreResult<AciContract> {
        let am = aci_contract::ActiveModel {
            id: NotSet,
            structure_id: Set(db_id(structure_id.0, "structure")?),
            created_at: Set(Utc::now()),
            ..aci_model(fields)?
        };
        Ok(aci_from_rows(am.insert(self.writer()?).await?, Vec::new())?.1)
    }

    pub async fn update_aci_contract(&self, id: AciContractId, fields: &AciContractFields) -> StoreResult<AciContract> {
        let key = db_id(id.0, "ACI contract")?;
        let am = aci_contract::ActiveModel { id: Unchanged(key), ..aci_model(fields)? };
        updated(am.update(self.writer()?).await, "ACI contract")?;
        self.aci_contract(id).await?.map(|(_, c)| c).ok_or(StoreError::NotFound("ACI contract"))
    }

    /// Records (or replaces) one year's figures of an ACI contract.
    pub async fn record_aci_year(&self, id: AciContractId, year: &AciYear) -> StoreResult<AciContract> {
        let key = db_id(id.0, "ACI contract")?;
        let txn = self.write_transaction().await?;
        if aci_contract::Entity::find_by_id(key).one(&txn).await?.is_none() {
            return Err(StoreError::NotFound("ACI contract"));
        }
        let existing = aci_year::Entity::find()
            .filter(aci_year::Column::AciContractId.eq(key))
            .filter(aci_year::Column::Year.eq(year.year))
            .one(&txn)
            .await?;
        let now = Utc::now();
        let am = aci_year::ActiveModel {
            id: existing.as_ref().map_or(NotSet, |row| Unchanged(row.id)),
            aci_contract_id: Set(key),
            year: Set(year.year),
            points: Set(count_to_db(year.points)?),
            paid: Set(year.paid.map(|d| d.to_string())),
            coordination_paid: Set(year.coordination_paid.map(|d| d.to_string())),
            created_at: existing.as_ref().map_or(Set(now), |row| Unchanged(row.created_at)),
            updated_at: Set(now),
        };
        if existing.is_some() {
            am.update(&txn).await?;
        } else {
            am.insert(&txn).await?;
        }
        txn.commit().await?;
        self.aci_contract(id).await?.map(|(_, c)| c).ok_or(StoreError::NotFound("ACI contract"))
    }

    pub async fn aci_contract(&self, id: AciContractId) -> StoreResult<Option<(StructureId, AciContract)>> {
        let key = db_id(id.0, "ACI contract")?;
        let Some(row) = aci_contract::Entity::find_by_id(key).one(self.db()).await? else { return Ok(None) };
        let years = aci_year::Entity::find()
            .filter(aci_year::Column::AciContractId.eq(key))
            .order_by_asc(aci_year::Column::Year)
            .all(self.db())
            .await?;
        aci_from_rows(row, years).map(Some)
    }

    /// Every ACI contract of these structures with its years, in two statements.
    pub async fn aci_contracts_of(&self, structures: &[StructureId]) -> StoreResult<Vec<(StructureId, AciContract)>> {
        let rows = aci_contract::Entity::find()
            .filter(aci_contract::Column::StructureId.is_in(keys(structures, |s| s.0)))
            .order_by_asc(aci_contract::Column::SignedOn)
            .order_by_asc(aci_contract::Column::Id)
            .all(self.db())
            .await?;
        let mut years = aci_year::Entity::find()
            .filter(aci_year::Column::AciContractId.is_in(rows.iter().map(|r| r.id)))
            .order_by_asc(aci_year::Column::Year)
            .all(self.db())
            .await?;
        rows.into_iter()
            .map(|row| {
                let (mine, rest) = years.drain(..).partition(|y| y.aci_contract_id == row.id);
                years = rest;
                aci_from_rows(row, mine)
            })
            .collect()
    }

    /// Records a grant and the employees it pays, in one transaction.
    pub async fn create_grant(&self, structure_id: StructureId, fields: &GrantFields) -> StoreResult<Grant> {
        let txn = self.write_transaction().await?;
        let am = grant::ActiveModel {
            id: NotSet,
            structure_id: Set(db_id(structure_id.0, "structure")?),
            created_at: Set(Utc::now()),
            ..grant_model(fields)?
        };
        let row = am.insert(&txn).await?;
        insert_shares(&txn, row.id, &fields.employees).await?;
        txn.commit().await?;
        self.grant(GrantId(i64::from(row.id))).await?.map(|(_, g)| g).ok_or(StoreError::NotFound("grant"))
    }

    /// Replaces a grant's fields and the employees it pays, in one transaction.
    pub async fn update_grant(&self, id: GrantId, fields: &GrantFields) -> StoreResult<Grant> {
        let key = db_id(id.0, "grant")?;
        let txn = self.write_transaction().await?;
        let am = grant::ActiveModel { id: Unchanged(key), ..grant_model(fields)? };
        updated(am.update(&txn).await, "grant")?;
        grant_share::Entity::delete_many().filter(grant_share::Column::GrantId.eq(key)).exec(&txn).await?;
        insert_shares(&txn, key, &fields.employees).await?;
        txn.commit().await?;
        self.grant(id).await?.map(|(_, g)| g).ok_or(StoreError::NotFound("grant"))
    }

    pub async fn grant(&self, id: GrantId) -> StoreResult<Option<(StructureId, Grant)>> {
        let key = db_id(id.0, "grant")?;
        let Some(row) = grant::Entity::find_by_id(key).one(self.db()).await? else { return Ok(None) };
        let shares = grant_share::Entity::find()
            .filter(grant_share::Column::GrantId.eq(key))
            .order_by_asc(grant_share::Column::Id)
            .all(self.db())
            .await?;
        grant_from_rows(row, shares).map(Some)
    }

    /// Every grant of these structures with the employees it pays, in two statements.
    pub async fn grants_of(&self, structures: &[StructureId]) -> StoreResult<Vec<(StructureId, Grant)>> {
        let rows = grant::Entity::find()
            .filter(grant::Column::StructureId.is_in(keys(structures, |s| s.0)))
            .order_by_asc(grant::Column::ValidFrom)
            .order_by_asc(grant::Column::Id)
            .all(self.db())
            .await?;
        let mut shares = grant_share::Entity::find()
            .filter(grant_share::Column::GrantId.is_in(rows.iter().map(|r| r.id)))
            .order_by_asc(grant_share::Column::Id)
            .all(self.db())
            .await?;
        rows.into_iter()
            .map(|row| {
                let (mine, rest) = shares.drain(..).partition(|s| s.grant_id == row.id);
                shares = rest;
                grant_from_rows(row, mine)
            })
            .collect()
    }

    /// Records (or replaces) an employee's cost for a year.
    pub async fn record_employment_cost(&self, cost: &EmploymentCost) -> StoreResult<EmploymentCost> {
        let assistant = db_id(cost.assistant_id.0, "assistant")?;
        let txn = self.write_transaction().await?;
        let existing = employment_cost::Entity::find()
            .filter(employment_cost::Column::AssistantId.eq(assistant))
            .filter(employment_cost::Column::Year.eq(cost.year))
            .one(&txn)
            .await?;
        let now = Utc::now();
        let am = employment_cost::ActiveModel {
            id: existing.as_ref().map_or(NotSet, |row| Unchanged(row.id)),
            assistant_id: Set(assistant),
            year: Set(cost.year),
            salary: Set(cost.salary.to_string()),
            employer_charges: Set(cost.employer_charges.to_string()),
            created_at: existing.as_ref().map_or(Set(now), |row| Unchanged(row.created_at)),
            updated_at: Set(now),
        };
        let row = if existing.is_some() { am.update(&txn).await? } else { am.insert(&txn).await? };
        txn.commit().await?;
        cost_from_row(row)
    }

    /// Every recorded cost of these employees, in one statement.
    pub async fn employment_costs_of(&self, assistants: &[AssistantId]) -> StoreResult<Vec<EmploymentCost>> {
        let rows = employment_cost::Entity::find()
            .filter(employment_cost::Column::AssistantId.is_in(keys(assistants, |a| a.0)))
            .order_by_asc(employment_cost::Column::AssistantId)
            .order_by_asc(employment_cost::Column::Year)
            .all(self.db())
            .await?;
        rows.into_iter().map(cost_from_row).collect()
    }
}

impl Store {
    /// These assistants with the structure each works in, in one statement (the employees a
    /// grant pays, an ACI coordinator).
    pub async fn assistants_by_ids(&self, ids: &[AssistantId]) -> StoreResult<Vec<(StructureId, domain::Assistant)>> {
        let rows = crate::entities::assistant::Entity::find()
            .filter(crate::entities::assistant::Column::Id.is_in(keys(ids, |a| a.0)))
            .all(self.db())
            .await?;
        rows.into_iter().map(crate::assistants::assistant_from_row).collect()
    }
}
