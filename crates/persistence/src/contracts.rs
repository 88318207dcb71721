//! Aid contracts: individual (signed by a doctor) or collective (signed by the company, with
//! adhering doctors).

use chrono::Utc;
use domain::{
    AidContract, AidContractFields, AidOption, ContractId, ContractKind, ContractMember, ContractStatus, ContractTerms,
    PractitionerId, StructureId,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, NotSet, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::convert::RowContext;
use crate::entities::{aid_contract, contract_member, cpam_contract, membership};
use crate::{Page, Store, StoreError, StoreResult, db_id, exists, updated};

fn member_from_row(row: &contract_member::Model) -> StoreResult<ContractMember> {
    let cx = RowContext::new("contract_members", row.id);
    Ok(ContractMember {
        practitioner_id: PractitionerId(i64::from(row.practitioner_id)),
        period: cx.period(row.valid_from, row.valid_to)?,
    })
}

fn contract_from_rows(row: aid_contract::Model, members: &[contract_member::Model]) -> StoreResult<AidContract> {
    let cx = RowContext::new("aid_contracts", row.id);
    let kind = cx.code(ContractKind::from_code, &row.kind)?;
    let terms = match (kind, row.practitioner_id, row.structure_id) {
        (ContractKind::Individual, Some(p), None) => ContractTerms::Individual {
            practitioner_id: PractitionerId(i64::from(p)),
            option: cx
                .code(AidOption::from_code, row.option.as_deref().ok_or_else(|| cx.corrupt("option missing"))?)?,
        },
        (ContractKind::Collective, None, Some(s)) => ContractTerms::Collective {
            structure_id: StructureId(i64::from(s)),
            funded_etp: cx.etp(row.funded_etp.as_deref().ok_or_else(|| cx.corrupt("funded ETP missing"))?)?,
            members: members
                .iter()
                .filter(|m| m.contract_id == row.id)
                .map(member_from_row)
                .collect::<StoreResult<_>>()?,
        },
        _ => return Err(cx.corrupt("signatory does not match the contract kind")),
    };
    Ok(AidContract {
        id: ContractId(i64::from(row.id)),
        fields: AidContractFields {
            terms,
            signed_on: row.signed_on,
            status: cx.code(ContractStatus::from_code, &row.status)?,
            ends_on: row.ends_on,
            renewals: u32::try_from(row.renewals).map_err(|_| cx.corrupt("negative renewals"))?,
            baseline_on: row.baseline_on,
        },
    })
}

/// The API bounds renewals far below `i32::MAX`; a larger value is a caller bug, refused.
fn renewals_to_db(renewals: u32) -> StoreResult<i32> {
    i32::try_from(renewals).map_err(|_| StoreError::Database(sea_orm::DbErr::Custom(format!("{renewals} renewals"))))
}

async fn insert_members<C: ConnectionTrait>(conn: &C, contract_id: i32, members: &[ContractMember]) -> StoreResult<()> {
    for member in members {
        let pid = db_id(member.practitioner_id.0, "practitioner")?;
        if !exists(conn, "practitioners", pid).await? {
            return Err(StoreError::NotFound("practitioner"));
        }
        contract_member::ActiveModel {
            id: NotSet,
            contract_id: Set(contract_id),
            practitioner_id: Set(pid),
            valid_from: Set(member.period.from()),
            valid_to: Set(member.period.to()),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// The columns that depend on the contract kind: exactly one signatory and its terms.
struct SignatoryColumns {
    practitioner_id: Option<i32>,
    structure_id: Option<i32>,
    option: Option<String>,
    funded_etp: Option<String>,
}

fn signatory_columns(terms: &ContractTerms) -> StoreResult<SignatoryColumns> {
    Ok(match terms {
        ContractTerms::Individual { practitioner_id, option } => SignatoryColumns {
            practitioner_id: Some(db_id(practitioner_id.0, "practitioner")?),
            structure_id: None,
            option: Some(option.code().to_owned()),
            funded_etp: None,
        },
        ContractTerms::Collective { structure_id, funded_etp, .. } => SignatoryColumns {
            practitioner_id: None,
            structure_id: Some(db_id(structure_id.0, "structure")?),
            option: None,
            funded_etp: Some(funded_etp.to_string()),
        },
    })
}

/// Inserts a contract (and a collective one's members); `cpam_reference` links it to the
/// CPAM's copy of that reference when one is stored.
pub(crate) async fn insert_contract<C: ConnectionTrait>(
    conn: &C,
    fields: &AidContractFields,
    cpam_reference: Option<&str>,
) -> StoreResult<AidContract> {
    let SignatoryColumns { practitioner_id, structure_id, option, funded_etp } = signatory_columns(&fields.terms)?;
    if let Some(p) = practitioner_id
        && !exists(conn, "practitioners", p).await?
    {
        return Err(StoreError::NotFound("practitioner"));
    }
    if let Some(s) = structure_id
        && !exists(conn, "structures", s).await?
    {
        return Err(StoreError::NotFound("structure"));
    }
    let now = Utc::now();
    let row = aid_contract::ActiveModel {
        id: NotSet,
        kind: Set(fields.terms.kind().code().to_owned()),
        practitioner_id: Set(practitioner_id),
        structure_id: Set(structure_id),
        option: Set(option),
        funded_etp: Set(funded_etp),
        signed_on: Set(fields.signed_on),
        status: Set(fields.status.code().to_owned()),
        ends_on: Set(fields.ends_on),
        renewals: Set(renewals_to_db(fields.renewals)?),
        baseline_on: Set(fields.baseline_on),
        cpam_reference: Set(cpam_reference.map(str::to_owned)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    if let ContractTerms::Collective { members, .. } = &fields.terms {
        insert_members(conn, row.id, members).await?;
    }
    if cpam_reference.is_some() {
        link_cpam_copy(conn, row.id, cpam_reference).await?;
    }
    load_contract(conn, ContractId(i64::from(row.id))).await?.ok_or(StoreError::NotFound("contract"))
}

/// Points the CPAM's copy of `reference` (if stored) at contract `id`, and unlinks copies of
/// other references from it: the copy of a record is always the one of its reference.
async fn link_cpam_copy<C: ConnectionTrait>(conn: &C, id: i32, reference: Option<&str>) -> StoreResult<()> {
    let mut others = cpam_contract::Entity::update_many()
        .col_expr(cpam_contract::Column::AidContractId, sea_orm::sea_query::Expr::value(None::<i32>))
        .filter(cpam_contract::Column::AidContractId.eq(id));
    if let Some(r) = reference {
        others = others.filter(cpam_contract::Column::Reference.ne(r));
    }
    others.exec(conn).await?;
    if let Some(r) = reference {
        cpam_contract::Entity::update_many()
            .col_expr(cpam_contract::Column::AidContractId, sea_orm::sea_query::Expr::value(Some(id)))
            .filter(cpam_contract::Column::Reference.eq(r))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// A CPAM reference as typed: trimmed, and none when blank.
pub(crate) fn clean_reference(reference: Option<&str>) -> Option<&str> {
    reference.map(str::trim).filter(|r| !r.is_empty())
}

impl Store {
    /// Creates a contract and, for a collective one, its adhering members, in one transaction.
    pub async fn create_contract(&self, fields: &AidContractFields) -> StoreResult<AidContract> {
        self.create_referenced_contract(fields, None).await
    }

    /// [`Store::create_contract`] with the CPAM's reference of the contract, unique among
    /// contracts (`StoreError::Duplicate(DuplicateKey::CpamReference)` otherwise): a CPAM
    /// refresh links its copy to this record instead of creating another.
    pub async fn create_referenced_contract(
        &self,
        fields: &AidContractFields,
        cpam_reference: Option<&str>,
    ) -> StoreResult<AidContract> {
        let txn = self.write_transaction().await?;
        let contract = insert_contract(&txn, fields, clean_reference(cpam_reference)).await?;
        txn.commit().await?;
        Ok(contract)
    }

    /// Replaces a contract's terms, status and dates; a collective contract's member list is
    /// replaced as a whole, in the same transaction. Its CPAM reference is kept.
    pub async fn update_contract(&self, id: ContractId, fields: &AidContractFields) -> StoreResult<AidContract> {
        self.update_referenced_contract(id, fields, None).await
    }

    /// [`Store::update_contract`], also setting (`Some(Some(_))`) or clearing (`Some(None)`)
    /// the contract's CPAM reference; `None` keeps it.
    pub async fn update_referenced_contract(
        &self,
        id: ContractId,
        fields: &AidContractFields,
        cpam_reference: Option<Option<&str>>,
    ) -> StoreResult<AidContract> {
        let txn = self.write_transaction().await?;
        let cid = db_id(id.0, "contract")?;
        let SignatoryColumns { practitioner_id, structure_id, option, funded_etp } = signatory_columns(&fields.terms)?;
        let am = aid_contract::ActiveModel {
            id: sea_orm::ActiveValue::Unchanged(cid),
            kind: Set(fields.terms.kind().code().to_owned()),
            practitioner_id: Set(practitioner_id),
            structure_id: Set(structure_id),
            option: Set(option),
            funded_etp: Set(funded_etp),
            signed_on: Set(fields.signed_on),
            status: Set(fields.status.code().to_owned()),
            ends_on: Set(fields.ends_on),
            renewals: Set(renewals_to_db(fields.renewals)?),
            baseline_on: Set(fields.baseline_on),
            cpam_reference: match cpam_reference {
                Some(r) => Set(clean_reference(r).map(str::to_owned)),
                None => NotSet,
            },
            updated_at: Set(Utc::now()),
            ..Default::default()
        };
        updated(am.update(&txn).await, "contract")?;
        if let Some(r) = cpam_reference {
            link_cpam_copy(&txn, cid, clean_reference(r)).await?;
        }
        contract_member::Entity::delete_many().filter(contract_member::Column::ContractId.eq(cid)).exec(&txn).await?;
        if let ContractTerms::Collective { members, .. } = &fields.terms {
            insert_members(&txn, cid, members).await?;
        }
        let contract = load_contract(&txn, id).await?.ok_or(StoreError::NotFound("contract"))?;
        txn.commit().await?;
        Ok(contract)
    }

    pub async fn contract(&self, id: ContractId) -> StoreResult<Option<AidContract>> {
        load_contract(self.db(), id).await
    }

    /// The CPAM references of some contracts, in one query; contracts without one are absent.
    pub async fn contract_cpam_references(
        &self,
        ids: &[ContractId],
    ) -> StoreResult<std::collections::HashMap<ContractId, String>> {
        let keys: Vec<i32> = ids.iter().filter_map(|id| i32::try_from(id.0).ok()).collect();
        let rows = aid_contract::Entity::find()
            .filter(aid_contract::Column::Id.is_in(keys))
            .filter(aid_contract::Column::CpamReference.is_not_null())
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| r.cpam_reference.map(|reference| (ContractId(i64::from(r.id)), reference)))
            .collect())
    }

    /// Contracts that concern a structure: its collective contracts and the individual
    /// contracts of doctors who are or were its members. Ordered by id.
    pub async fn list_structure_contracts(
        &self,
        structure_id: StructureId,
        after: Option<ContractId>,
        first: u64,
    ) -> StoreResult<Page<AidContract>> {
        let sid = db_id(structure_id.0, "structure")?;
        let member_ids: Vec<i32> = membership::Entity::find()
            .filter(membership::Column::StructureId.eq(sid))
            .all(self.db())
            .await?
            .into_iter()
            .map(|m| m.practitioner_id)
            .collect();
        let mut query = aid_contract::Entity::find()
            .filter(
                Condition::any()
                    .add(aid_contract::Column::StructureId.eq(sid))
                    .add(aid_contract::Column::PractitionerId.is_in(member_ids)),
            )
            .order_by_asc(aid_contract::Column::Id)
            .limit(first + 1);
        if let Some(after) = after {
            query = query.filter(aid_contract::Column::Id.gt(after.0));
        }
        let rows = query.all(self.db()).await?;
        let page = with_members(self.db(), rows).await?;
        Ok(Page::from_overfetch(page, first))
    }

    /// Individual contracts signed by a practitioner and collective contracts they adhere to.
    pub async fn practitioner_contracts(&self, practitioner_id: PractitionerId) -> StoreResult<Vec<AidContract>> {
        Ok(self.practitioner_contracts_many(&[practitioner_id]).await?.into_iter().map(|(_, c)| c).collect())
    }

    /// The contracts of several practitioners in three queries, as (practitioner, contract)
    /// pairs ordered by contract id: a collective contract appears once per adhering doctor.
    pub async fn practitioner_contracts_many(
        &self,
        practitioner_ids: &[PractitionerId],
    ) -> StoreResult<Vec<(PractitionerId, AidContract)>> {
        let keys: Vec<i32> = practitioner_ids.iter().filter_map(|id| i32::try_from(id.0).ok()).collect();
        // The collective contracts they adhere to, in the same statement.
        let adhered = sea_orm::sea_query::Query::select()
            .column(contract_member::Column::ContractId)
            .from(contract_member::Entity)
            .and_where(contract_member::Column::PractitionerId.is_in(keys.clone()))
            .to_owned();
        let rows = aid_contract::Entity::find()
            .filter(
                Condition::any()
                    .add(aid_contract::Column::PractitionerId.is_in(keys))
                    .add(aid_contract::Column::Id.in_subquery(adhered)),
            )
            .order_by_asc(aid_contract::Column::Id)
            .all(self.db())
            .await?;
        let mut pairs = Vec::new();
        for contract in with_members(self.db(), rows).await? {
            for &p in practitioner_ids {
                let concerns = match &contract.fields.terms {
                    ContractTerms::Individual { practitioner_id, .. } => *practitioner_id == p,
                    ContractTerms::Collective { members, .. } => members.iter().any(|m| m.practitioner_id == p),
                };
                if concerns {
                    pairs.push((p, contract.clone()));
                }
            }
        }
        Ok(pairs)
    }
}

async fn with_members<C: ConnectionTrait>(conn: &C, rows: Vec<aid_contract::Model>) -> StoreResult<Vec<AidContract>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let members = contract_member::Entity::find()
        .filter(contract_member::Column::ContractId.is_in(ids))
        .order_by_asc(contract_member::Column::Id)
        .all(conn)
        .await?;
    rows.into_iter().map(|r| contract_from_rows(r, &members)).collect()
}

async fn load_contract<C: ConnectionTrait>(conn: &C, id: ContractId) -> StoreResult<Option<AidContract>> {
    let Some(row) = aid_contract::Entity::find_by_id(db_id(id.0, "contract")?).one(conn).await? else {
        return Ok(None);
    };
    Ok(with_members(conn, vec![row]).await?.pop())
}
