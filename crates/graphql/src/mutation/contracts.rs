//! createAidContract, updateAidContract, recordActivityFigures.

use std::collections::HashSet;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use chrono::{Datelike, Utc};
use domain::{
    ActivityFiguresFields, AidContractFields, AidOption, ContractDatesError, ContractId, ContractKind, ContractMember,
    ContractStatus, ContractTerms, Etp, FiguresOrigin,
};
use persistence::{FiguresUpsert, Store};

use super::{decode_id, find_practitioner, find_structure, not_found, payload, session};
use crate::access;
use crate::access::Visible;
use crate::auth::Viewer;
use crate::enums;
use crate::error::UserErrorCode as Code;
use crate::ids::NodeType;
use crate::scalars::Date;
use crate::types::{ActivityFiguresObject, AidContractObject};
use crate::validate::Checker;

payload!(
    /// Result of createAidContract / updateAidContract.
    AidContractPayload { contract: AidContractObject }
);
payload!(
    /// Result of recordActivityFigures.
    ActivityFiguresPayload { figures: ActivityFiguresObject }
);

#[derive(Debug, InputObject)]
pub struct ContractMemberInput {
    pub practitioner_id: ID,
    /// Adhesion date; on or after the signature.
    pub from: Date,
    pub to: Option<Date>,
}

#[derive(Debug, InputObject)]
pub struct CreateAidContractInput {
    pub kind: enums::ContractKind,
    /// Signatory of an individual contract.
    pub practitioner_id: Option<ID>,
    /// Option of an individual contract.
    pub option: Option<enums::AidOption>,
    /// Signatory company of a collective contract.
    pub structure_id: Option<ID>,
    /// ETP funded by a collective contract: `3`, `2.5`, `5/2`.
    pub funded_etp: Option<String>,
    /// Doctors adhering to a collective contract.
    #[graphql(default)]
    pub members: Vec<ContractMemberInput>,
    pub signed_on: Date,
    #[graphql(default_with = "enums::ContractStatus::Active")]
    pub status: enums::ContractStatus,
    pub ends_on: Option<Date>,
    /// Renewals recorded for the contract: each adds a 5-year term (a contract signed before
    /// 2023-05-01 is renewed only at 1/3 ETP, IND-LEGACY-RENEWAL).
    #[graphql(default)]
    pub renewals: u32,
    /// Day of the CPAM's baseline snapshot, when the contract states one (OBJ-BASELINE-DATE):
    /// the objectives start from the figures known then instead of at signature.
    pub baseline_on: Option<Date>,
    /// The CPAM's reference of the contract (e.g. `CPAM33-AM-2021-0042`), unique: a CPAM
    /// refresh links its copy to this record instead of creating another.
    pub cpam_reference: Option<String>,
}

/// Omitted fields keep their value. The kind and signatory never change; `members` replaces
/// a collective contract's whole list.
#[derive(Debug, InputObject)]
pub struct UpdateAidContractInput {
    pub id: ID,
    pub status: Option<enums::ContractStatus>,
    pub signed_on: Option<Date>,
    pub ends_on: MaybeUndefined<Date>,
    pub option: Option<enums::AidOption>,
    pub funded_etp: Option<String>,
    pub members: Option<Vec<ContractMemberInput>>,
    pub renewals: Option<u32>,
    pub baseline_on: MaybeUndefined<Date>,
    /// The CPAM's reference of the contract; null clears it.
    pub cpam_reference: MaybeUndefined<String>,
}

#[derive(Debug, InputObject)]
pub struct RecordActivityFiguresInput {
    pub practitioner_id: ID,
    pub year: i32,
    pub pmt: Option<u32>,
    pub adult_pmt: Option<u32>,
    pub file_active: Option<u32>,
    /// Percent of CCAM (technical) fees in total fees, as a string with up to 2 decimals: `"12.5"`.
    pub ccam_share_percent: Option<String>,
    pub band: Option<enums::ActivityBand>,
}

/// Largest plausible yearly count for one doctor (the busiest have a few thousand).
const MAX_COUNT: u32 = 50_000;
/// Oldest year of figures worth keeping: the aid started in 2019, with reference years before.
const FIRST_YEAR: i32 = 2015;

fn funded_etp(c: &mut Checker, value: &str) -> Option<Etp> {
    let why = match Etp::parse(value) {
        Ok(etp) if !etp.is_zero() => return Some(etp),
        Ok(_) => "zero ETP funds nothing".to_owned(),
        Err(e) => e.to_string(),
    };
    c.error(
        &["fundedEtp"],
        Code::FundedEtpInvalid,
        format!("{why}: write a positive number of ETP, `3`, `2.5` or `5/2`"),
    );
    None
}

async fn members(
    c: &mut Checker,
    store: &Store,
    viewer: &Viewer,
    input: &[ContractMemberInput],
) -> async_graphql::Result<Vec<ContractMember>> {
    let mut out = Vec::with_capacity(input.len());
    let mut seen = HashSet::new();
    for (i, m) in input.iter().enumerate() {
        let index = i.to_string();
        let field = ["members", index.as_str(), "practitionerId"];
        let Some(p) = find_practitioner(c, store, viewer, &field, &m.practitioner_id).await? else { continue };
        if !seen.insert(p.id) {
            c.error(&field, Code::DuplicateMember, "this doctor is already listed");
            continue;
        }
        if let Some(period) = c.period(&["members", &index], m.from, m.to) {
            out.push(ContractMember { practitioner_id: p.id, period });
        }
    }
    Ok(out)
}

/// Longest CPAM reference accepted (the CPAM's are about twenty characters).
const MAX_REFERENCE_LENGTH: usize = 64;

/// A CPAM reference as typed: trimmed, none when blank, refused when too long.
fn cpam_reference(c: &mut Checker, value: Option<&str>) -> Option<String> {
    let value = value.map(str::trim).filter(|v| !v.is_empty())?;
    if value.chars().count() > MAX_REFERENCE_LENGTH {
        c.error(&["cpamReference"], Code::TooLong, format!("at most {MAX_REFERENCE_LENGTH} characters"));
        return None;
    }
    Some(value.to_owned())
}

/// More renewals than the aid's lifetime allows (five-year terms since 2019).
const MAX_RENEWALS: u32 = 10;

fn check_contract(c: &mut Checker, fields: &AidContractFields) {
    if let Err(error) = fields.check_dates() {
        let code = match error {
            ContractDatesError::EndMissing => Code::EndDateRequired,
            ContractDatesError::EndBeforeSignature => Code::EndBeforeStart,
        };
        c.error(&["endsOn"], code, error.to_string());
    }
    if fields.renewals > MAX_RENEWALS {
        c.error(&["renewals"], Code::CountOutOfRange, format!("at most {MAX_RENEWALS} renewals"));
    }
    if fields.baseline_on.is_some_and(|b| b > fields.signed_on) {
        c.error(&["baselineOn"], Code::BaselineAfterSignature, "the baseline snapshot is taken before the signature");
    }
    if let ContractTerms::Collective { members, .. } = &fields.terms {
        if members.is_empty() {
            c.error(&["members"], Code::MembersRequired, "a collective contract has at least one adhering doctor");
        }
        if members.iter().any(|m| m.period.from() < fields.signed_on) {
            c.error(&["members"], Code::MemberBeforeSignature, "a doctor adheres on or after the signature date");
        }
    }
}

/// Parses a percentage with up to two decimals into basis points, within 0..=100 %.
fn percent_to_basis_points(value: &str) -> Option<u32> {
    let v = value.trim().replace(',', ".");
    let (int, frac) = v.split_once('.').unwrap_or((&v, ""));
    if int.is_empty() || frac.len() > 2 || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int: u32 = int.parse().ok()?;
    let frac: u32 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    let bp = int.checked_mul(100)?.checked_add(frac)?;
    (bp <= 10_000).then_some(bp)
}

#[derive(Debug, Default)]
pub struct ContractMutations;

#[Object]
impl ContractMutations {
    /// Records an aid contract: individual (doctor + option) or collective (company + ETP +
    /// adhering doctors, written in one transaction).
    async fn create_aid_contract(
        &self,
        ctx: &Context<'_>,
        input: CreateAidContractInput,
    ) -> async_graphql::Result<AidContractPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let terms = match ContractKind::from(input.kind) {
            ContractKind::Individual => {
                if input.structure_id.is_some() || input.funded_etp.is_some() || !input.members.is_empty() {
                    c.error(
                        &["kind"],
                        Code::FieldsNotForIndividual,
                        "an individual contract has no structureId, fundedEtp or members",
                    );
                }
                let practitioner = match &input.practitioner_id {
                    Some(id) => find_practitioner(&mut c, store, viewer, &["practitionerId"], id).await?,
                    None => {
                        c.error(&["practitionerId"], Code::Required, "an individual contract is signed by a doctor");
                        None
                    }
                };
                if input.option.is_none() {
                    c.error(&["option"], Code::Required, "an individual contract has an option");
                }
                practitioner.zip(input.option).map(|(p, option)| ContractTerms::Individual {
                    practitioner_id: p.id,
                    option: AidOption::from(option),
                })
            }
            ContractKind::Collective => {
                if input.practitioner_id.is_some() || input.option.is_some() {
                    c.error(
                        &["kind"],
                        Code::FieldsNotForCollective,
                        "a collective contract has no practitionerId or option",
                    );
                }
                let structure = match &input.structure_id {
                    Some(id) => find_structure(&mut c, store, viewer, &["structureId"], id).await?,
                    None => {
                        c.error(&["structureId"], Code::Required, "a collective contract is signed by the company");
                        None
                    }
                };
                let etp = match input.funded_etp.as_deref() {
                    Some(v) => funded_etp(&mut c, v),
                    None => {
                        c.error(&["fundedEtp"], Code::Required, "a collective contract funds a number of ETP");
                        None
                    }
                };
                let members = members(&mut c, store, viewer, &input.members).await?;
                structure.zip(etp).map(|(s, funded_etp)| ContractTerms::Collective {
                    structure_id: s.id,
                    funded_etp,
                    members,
                })
            }
        };
        let Some(terms) = terms else {
            return Ok(AidContractPayload::rejected(c));
        };
        let fields = AidContractFields {
            terms,
            signed_on: input.signed_on.0,
            status: input.status.into(),
            ends_on: input.ends_on.map(|d| d.0),
            renewals: input.renewals,
            baseline_on: input.baseline_on.map(|d| d.0),
        };
        check_contract(&mut c, &fields);
        let reference = cpam_reference(&mut c, input.cpam_reference.as_deref());
        if !c.is_ok() {
            return Ok(AidContractPayload::rejected(c));
        }
        let result = store.create_referenced_contract(&fields, reference.as_deref()).await;
        Ok(AidContractPayload::from_write(c, result.map(|c| AidContractObject(Visible::written(c))))?)
    }

    /// Changes a contract's status, dates, option, funded ETP or members.
    async fn update_aid_contract(
        &self,
        ctx: &Context<'_>,
        input: UpdateAidContractInput,
    ) -> async_graphql::Result<AidContractPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let Some(id) = decode_id(&mut c, &["id"], NodeType::AidContract, &input.id) else {
            return Ok(AidContractPayload::rejected(c));
        };
        let Some(current) = access::contract(store, viewer, ContractId(id)).await? else {
            not_found(&mut c, &["id"], NodeType::AidContract);
            return Ok(AidContractPayload::rejected(c));
        };
        let mut fields = current.fields.clone();
        if let Some(s) = input.status {
            fields.status = ContractStatus::from(s);
        }
        if let Some(d) = input.signed_on {
            fields.signed_on = d.0;
        }
        match input.ends_on {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => fields.ends_on = None,
            MaybeUndefined::Value(d) => fields.ends_on = Some(d.0),
        }
        if let Some(n) = input.renewals {
            fields.renewals = n;
        }
        match input.baseline_on {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => fields.baseline_on = None,
            MaybeUndefined::Value(d) => fields.baseline_on = Some(d.0),
        }
        match &mut fields.terms {
            ContractTerms::Individual { option, .. } => {
                if input.funded_etp.is_some() || input.members.is_some() {
                    c.error(
                        &["fundedEtp"],
                        Code::FieldsNotForIndividual,
                        "an individual contract has no fundedEtp or members",
                    );
                }
                if let Some(o) = input.option {
                    *option = o.into();
                }
            }
            ContractTerms::Collective { funded_etp: etp, members: current_members, .. } => {
                if input.option.is_some() {
                    c.error(&["option"], Code::FieldsNotForCollective, "a collective contract has no option");
                }
                if let Some(v) = input.funded_etp.as_deref().and_then(|v| funded_etp(&mut c, v)) {
                    *etp = v;
                }
                if let Some(list) = &input.members {
                    *current_members = members(&mut c, store, viewer, list).await?;
                }
            }
        }
        check_contract(&mut c, &fields);
        let reference = match &input.cpam_reference {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(v) => Some(cpam_reference(&mut c, Some(v))),
        };
        if !c.is_ok() {
            return Ok(AidContractPayload::rejected(c));
        }
        let reference = reference.as_ref().map(Option::as_deref);
        let result = store.update_referenced_contract(current.id, &fields, reference).await;
        Ok(AidContractPayload::from_write(c, result.map(|c| AidContractObject(Visible::written(c))))?)
    }

    /// Records (or replaces) a doctor's figures for a year, typed in by hand.
    async fn record_activity_figures(
        &self,
        ctx: &Context<'_>,
        input: RecordActivityFiguresInput,
    ) -> async_graphql::Result<ActivityFiguresPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let practitioner =
            find_practitioner(&mut c, store, viewer, &["practitionerId"], &input.practitioner_id).await?;
        let last_year = Utc::now().year();
        if !(FIRST_YEAR..=last_year).contains(&input.year) {
            c.error(
                &["year"],
                Code::YearOutOfRange,
                format!("figures are for a year from {FIRST_YEAR} to {last_year}"),
            );
        }
        for (field, value) in [("pmt", input.pmt), ("adultPmt", input.adult_pmt), ("fileActive", input.file_active)] {
            if value.is_some_and(|v| v > MAX_COUNT) {
                c.error(&[field], Code::CountOutOfRange, format!("at most {MAX_COUNT} patients"));
            }
        }
        if let (Some(adults), Some(all)) = (input.adult_pmt, input.pmt)
            && adults > all
        {
            c.error(&["adultPmt"], Code::AdultPmtExceedsPmt, "adult patients are part of the whole patientèle");
        }
        let ccam_share_bp = match input.ccam_share_percent.as_deref() {
            None => None,
            Some(v) => {
                let bp = percent_to_basis_points(v);
                if bp.is_none() {
                    c.error(
                        &["ccamSharePercent"],
                        Code::CcamShareInvalid,
                        "a percentage from 0 to 100 with at most 2 decimals",
                    );
                }
                bp
            }
        };
        if input.pmt.is_none()
            && input.adult_pmt.is_none()
            && input.file_active.is_none()
            && input.ccam_share_percent.is_none()
            && input.band.is_none()
        {
            c.error(&[], Code::NoFigures, "give at least one figure");
        }
        let Some(practitioner) = practitioner.filter(|_| c.is_ok()) else {
            return Ok(ActivityFiguresPayload::rejected(c));
        };
        let upsert = FiguresUpsert {
            practitioner_id: practitioner.id,
            fields: ActivityFiguresFields {
                year: input.year,
                pmt: input.pmt,
                adult_pmt: input.adult_pmt,
                file_active: input.file_active,
                ccam_share_bp,
                band: input.band.map(Into::into),
                origin: FiguresOrigin::Manual,
                obtained_at: Utc::now(),
            },
        };
        let result = store.upsert_figures(&[upsert]).await;
        let saved = result.and_then(|mut v| v.pop().ok_or(persistence::StoreError::NotFound("figures")));
        Ok(ActivityFiguresPayload::from_write(
            c,
            saved.map(|figures| ActivityFiguresObject { figures, stale_since: None }),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::percent_to_basis_points as bp;

    #[test]
    fn percentages_are_exact() {
        assert_eq!(bp("12.5"), Some(1_250));
        assert_eq!(bp("12,05"), Some(1_205));
        assert_eq!(bp("100"), Some(10_000));
        assert_eq!(bp("0"), Some(0));
        for bad in ["100.01", "12.345", "-1", "abc", "", ".5", "1e2"] {
            assert_eq!(bp(bad), None, "{bad:?}");
        }
    }
}
