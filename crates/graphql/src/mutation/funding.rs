//! createProfessional, updateProfessional, createAciContract, updateAciContract, recordAciYear,
//! createGrant, updateGrant, recordEmploymentCost: the records the compatibility rules read
//! (RULES.md §9).

use std::collections::HashSet;

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use chrono::{Datelike, NaiveDate, Utc};
use domain::funding::{
    AciContractFields, AciContractId, AciYear, Adeli, Coordination, CoordinationHolder, EmploymentCost, FundingScheme,
    GrantFields, GrantId, GrantShare, ProfessionalFields, ProfessionalId,
};
use domain::{
    Assistant, AssistantId, ContractDatesError, ContractStatus, Etp, LegalForm, Rpps, Structure, StructureId,
};
use persistence::{Store, StoreError, Visibility};
use rust_decimal::Decimal;

use super::{decode_id, find_practitioner, find_structure, not_found, payload, session};
use crate::access;
use crate::access::Visible;
use crate::auth::Viewer;
use crate::enums;
use crate::error::UserErrorCode as Code;
use crate::error::{ApiError, ApiResult};
use crate::funding::{AciContractObject, EmploymentCostObject, GrantObject, ProfessionalObject};
use crate::ids::NodeType;
use crate::scalars::{Date, Money};
use crate::validate::Checker;

payload!(
    /// Result of createProfessional / updateProfessional.
    ProfessionalPayload { professional: ProfessionalObject }
);
payload!(
    /// Result of createAciContract / updateAciContract / recordAciYear: the contract with its years.
    AciContractPayload { aci_contract: AciContractObject }
);
payload!(
    /// Result of createGrant / updateGrant.
    GrantPayload { grant: GrantObject }
);
payload!(
    /// Result of recordEmploymentCost.
    EmploymentCostPayload { employment_cost: EmploymentCostObject }
);

/// Largest amount accepted, in euros: far above any grant or salary of a practice, it refuses
/// typing slips and keeps sums far inside `Decimal`.
const MAX_AMOUNT: i64 = 100_000_000;
/// Largest yearly ACI score accepted: a large MSP earns about 10,000 points (RULES.md §9.1).
const MAX_ACI_POINTS: u32 = 100_000;
/// First day a company can be a SISA: loi n° 2011-940 of 10 August 2011 (JO of 11 August)
/// created the form (Code de la santé publique, art. L. 4041-1); it applies from the next day.
const SISA_FIRST_DAY: (i32, u32, u32) = (2011, 8, 12);

// ---------------------------------------------------------------- inputs

#[derive(Debug, InputObject)]
pub struct CreateProfessionalInput {
    /// The structure they work in.
    pub structure_id: ID,
    pub profession: enums::Profession,
    pub first_name: String,
    pub last_name: String,
    /// RPPS number (11 digits). A professional may have both numbers while the profession moves
    /// from ADELI to the RPPS.
    pub rpps: Option<String>,
    /// ADELI number (9 digits), for professionals not yet in the RPPS.
    pub adeli: Option<String>,
    /// Partner (associé) of the structure's company.
    #[graphql(default)]
    pub partner: bool,
    /// First day in the structure.
    pub from: Date,
    /// Last day in the structure, if they left.
    pub to: Option<Date>,
}

/// Omitted fields keep their value; `null` clears an optional one.
#[derive(Debug, InputObject)]
pub struct UpdateProfessionalInput {
    pub id: ID,
    pub profession: Option<enums::Profession>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub rpps: MaybeUndefined<String>,
    pub adeli: MaybeUndefined<String>,
    pub partner: Option<bool>,
    pub from: Option<Date>,
    pub to: MaybeUndefined<Date>,
}

/// The ACI's coordination function. When it is declared, the holder is one of the
/// structure's assistants (`holderAssistantId`) or someone named (`holderName`), not both.
#[derive(Debug, InputObject)]
pub struct CoordinationInput {
    pub declared: bool,
    pub holder_assistant_id: Option<ID>,
    pub holder_name: Option<String>,
    /// Time dedicated to the function, more than 0 and at most 1 ETP: `0.5`, `1/2`, `1`.
    pub etp: Option<String>,
}

#[derive(Debug, InputObject)]
pub struct CreateAciContractInput {
    /// The structure (MSP) that signed.
    pub structure_id: ID,
    /// The CPAM's reference of the contract; unique.
    pub cpam_reference: Option<String>,
    pub signed_on: Date,
    #[graphql(default_with = "enums::ContractStatus::Active")]
    pub status: enums::ContractStatus,
    /// Required when the contract is terminated or ended.
    pub ends_on: Option<Date>,
    /// Day the structure became a SISA (the ACI requires it within 6 months of signing).
    pub sisa_on: Option<Date>,
    /// Omitted: no coordination function declared.
    pub coordination: Option<CoordinationInput>,
}

/// Omitted fields keep their value; `null` clears an optional one; `coordination` replaces
/// the whole function.
#[derive(Debug, InputObject)]
pub struct UpdateAciContractInput {
    pub id: ID,
    pub cpam_reference: MaybeUndefined<String>,
    pub signed_on: Option<Date>,
    pub status: Option<enums::ContractStatus>,
    pub ends_on: MaybeUndefined<Date>,
    pub sisa_on: MaybeUndefined<Date>,
    pub coordination: Option<CoordinationInput>,
}

/// One calendar year of an ACI contract; replaces what was recorded for that year.
#[derive(Debug, InputObject)]
pub struct RecordAciYearInput {
    pub aci_contract_id: ID,
    /// From the signature's year to the end's (or the current) year.
    pub year: i32,
    /// Points earned.
    pub points: Option<u32>,
    /// Amount paid for the year (advance and balance).
    pub paid: Option<Money>,
    /// Part of `paid` that funds the coordination function.
    pub coordination_paid: Option<Money>,
}

/// The part of a grant that pays one employee.
#[derive(Debug, InputObject)]
pub struct GrantEmployeeInput {
    /// An assistant of the grant's structure.
    pub assistant_id: ID,
    /// Amount over the grant's period.
    pub amount: Money,
    /// Hours paid over the period, when the decision says: `"120"`, `"120.5"`.
    pub hours: Option<String>,
}

#[derive(Debug, InputObject)]
pub struct CreateGrantInput {
    pub structure_id: ID,
    pub scheme: enums::FundingScheme,
    /// Who pays, as the decision names it ("ARS Nouvelle-Aquitaine", "CPTS du Val").
    pub payer: String,
    pub purpose: String,
    /// Whether the money pays staff salaries (required to list employees).
    #[graphql(default)]
    pub pays_salaries: bool,
    pub from: Date,
    pub to: Option<Date>,
    /// Amount over the whole period; more than zero.
    pub amount: Money,
    /// The doctor a demographic contract (CAIM, COSCOM, COTRAM, CSTM) is paid to: required for
    /// those schemes, refused for the others.
    pub practitioner_id: Option<ID>,
    /// The employees it pays for; their amounts add up to at most the grant's.
    #[graphql(default)]
    pub employees: Vec<GrantEmployeeInput>,
}

/// Omitted fields keep their value; `null` clears an optional one; `employees` replaces the
/// whole list.
#[derive(Debug, InputObject)]
pub struct UpdateGrantInput {
    pub id: ID,
    pub scheme: Option<enums::FundingScheme>,
    pub payer: Option<String>,
    pub purpose: Option<String>,
    pub pays_salaries: Option<bool>,
    pub from: Option<Date>,
    pub to: MaybeUndefined<Date>,
    pub amount: Option<Money>,
    pub practitioner_id: MaybeUndefined<ID>,
    pub employees: Option<Vec<GrantEmployeeInput>>,
}

/// What an employee cost over a calendar year; replaces what was recorded for that year.
#[derive(Debug, InputObject)]
pub struct RecordEmploymentCostInput {
    pub assistant_id: ID,
    /// From the hiring year to the current year.
    pub year: i32,
    /// Gross salary.
    pub salary: Money,
    /// Employer's social charges.
    pub employer_charges: Money,
}

// ---------------------------------------------------------------- checks

/// Applies an optional field of an update: omitted keeps it, `null` clears it, a value
/// replaces it when it parses (otherwise the checker holds the error).
fn update_optional<V, T>(slot: &mut Option<T>, input: MaybeUndefined<V>, parse: impl FnOnce(V) -> Option<T>) {
    match input {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => *slot = None,
        MaybeUndefined::Value(v) => {
            if let Some(t) = parse(v) {
                *slot = Some(t);
            }
        }
    }
}

fn rpps(c: &mut Checker, value: &str) -> Option<Rpps> {
    let rpps = c.identifier(&["rpps"], Rpps::parse(value));
    if let Some(r) = &rpps {
        c.identifier_warnings(&["rpps"], r.warnings());
    }
    rpps
}

fn adeli(c: &mut Checker, value: &str) -> Option<Adeli> {
    Adeli::parse(value).map_err(|e| c.error(&["adeli"], Code::AdeliMalformed, e.to_string())).ok()
}

/// An amount from 0 (excluded when `positive`) to [`MAX_AMOUNT`].
fn amount(c: &mut Checker, field: &[&str], value: Money, positive: bool) -> Option<Decimal> {
    let Money(d) = value;
    if positive && d <= Decimal::ZERO {
        c.error(field, Code::AmountNotPositive, "an amount of more than zero");
        None
    } else if d < Decimal::ZERO || d > Decimal::from(MAX_AMOUNT) {
        c.error(field, Code::AmountOutOfRange, format!("an amount from 0 to {MAX_AMOUNT} euros"));
        None
    } else {
        Some(d)
    }
}

/// Hours as a positive decimal with at most two places, digits only (`Decimal` alone also
/// reads `1e3`).
fn hours(c: &mut Checker, field: &[&str], value: &str) -> Option<Decimal> {
    let v = value.trim().replace(',', ".");
    let parsed = v.bytes().all(|b| b.is_ascii_digit() || b == b'.').then(|| v.parse::<Decimal>().ok()).flatten();
    match parsed {
        Some(h) if h > Decimal::ZERO && h.scale() <= 2 && h <= Decimal::from(MAX_AMOUNT) => Some(h),
        _ => {
            c.error(field, Code::HoursInvalid, "a positive number of hours with at most 2 decimals: `120`, `120.5`");
            None
        }
    }
}

fn year_within(c: &mut Checker, year: i32, first: i32, last: i32, what: &str) {
    if !(first..=last).contains(&year) {
        c.error(&["year"], Code::YearOutOfRange, format!("{what}: a year from {first} to {last}"));
    }
}

fn current_year() -> i32 {
    Utc::now().year()
}

/// An assistant given in `field`, visible to the viewer and working in `structure`.
async fn find_assistant(
    c: &mut Checker,
    store: &Store,
    viewer: &Viewer,
    field: &[&str],
    id: &ID,
    structure: Option<StructureId>,
) -> ApiResult<Option<Assistant>> {
    let Some(n) = decode_id(c, field, NodeType::Assistant, id) else { return Ok(None) };
    let Some((works_in, assistant)) = access::assistant(store, viewer, AssistantId(n)).await?.map(Visible::into_inner)
    else {
        not_found(c, field, NodeType::Assistant);
        return Ok(None);
    };
    if structure.is_some_and(|s| s != works_in) {
        c.error(field, Code::AssistantNotInStructure, "this assistant works in another structure");
        return Ok(None);
    }
    Ok(Some(assistant))
}

async fn visible_structure(store: &Store, viewer: &Viewer, id: StructureId) -> ApiResult<Structure> {
    access::structure(store, viewer, id).await?.map(Visible::into_inner).ok_or(ApiError::NotFound("structure"))
}

async fn coordination(
    c: &mut Checker,
    store: &Store,
    viewer: &Viewer,
    structure: StructureId,
    input: &CoordinationInput,
) -> ApiResult<Coordination> {
    let given = input.holder_assistant_id.is_some() || input.holder_name.is_some() || input.etp.is_some();
    if !input.declared && given {
        c.error(
            &["coordination", "declared"],
            Code::CoordinationNotDeclared,
            "a holder or time is given for a coordination function that is not declared",
        );
    }
    let holder = match (&input.holder_assistant_id, &input.holder_name) {
        (Some(id), None) => {
            find_assistant(c, store, viewer, &["coordination", "holderAssistantId"], id, Some(structure))
                .await?
                .map(|a| CoordinationHolder::Assistant(a.id))
        }
        (None, Some(name)) => c.name(&["coordination", "holderName"], name).map(CoordinationHolder::Named),
        (Some(_), Some(_)) => {
            c.error(
                &["coordination", "holderName"],
                Code::CoordinationHolderAmbiguous,
                "the function has one holder: give holderAssistantId or holderName",
            );
            None
        }
        (None, None) => None,
    };
    let etp = input.etp.as_deref().and_then(|v| match Etp::parse(v) {
        Ok(e) if !e.is_zero() && e <= Etp::ONE => Some(e),
        _ => {
            c.error(
                &["coordination", "etp"],
                Code::CoordinationEtpInvalid,
                "time dedicated to the function: more than 0 and at most 1 ETP, `0.5`, `1/2` or `1`",
            );
            None
        }
    });
    Ok(Coordination { declared: input.declared, holder, etp })
}

/// What no ACI contract can hold, and what deserves a look.
fn check_aci(c: &mut Checker, fields: &AciContractFields, structure: &Structure) {
    let dates = match fields.ends_on {
        None if fields.status.requires_end_date() => Some((Code::EndDateRequired, ContractDatesError::EndMissing)),
        Some(end) if end < fields.signed_on => Some((Code::EndBeforeStart, ContractDatesError::EndBeforeSignature)),
        _ => None,
    };
    if let Some((code, error)) = dates {
        c.error(&["endsOn"], code, error.to_string());
    }
    let (y, m, d) = SISA_FIRST_DAY;
    let first = NaiveDate::from_ymd_opt(y, m, d);
    if let Some(sisa_on) = fields.sisa_on {
        if first.is_some_and(|first| sisa_on < first) {
            c.error(
                &["sisaOn"],
                Code::SisaOnTooEarly,
                "the SISA exists since loi n° 2011-940 of 10 August 2011: no structure became one before 2011-08-12",
            );
        }
        if structure.fields.legal_form != LegalForm::Sisa {
            c.warn(
                &["sisaOn"],
                Code::StructureNotSisa,
                "the structure is recorded with another legal form than SISA: update the structure",
            );
        }
    }
}

fn aci_written(
    mut c: Checker,
    structure_id: StructureId,
    result: Result<domain::funding::AciContract, StoreError>,
) -> ApiResult<AciContractPayload> {
    // The CPAM's reference is the contract table's only unique key.
    if let Err(StoreError::Duplicate(_)) = result {
        c.error(
            &["cpamReference"],
            Code::CpamReferenceAlreadyExists,
            "an ACI contract with this CPAM reference is already recorded",
        );
        return Ok(AciContractPayload::rejected(c));
    }
    AciContractPayload::from_write(c, result.map(|a| AciContractObject(Visible::written((structure_id, a)))))
}

async fn employees(
    c: &mut Checker,
    store: &Store,
    viewer: &Viewer,
    structure: StructureId,
    input: &[GrantEmployeeInput],
) -> ApiResult<Vec<GrantShare>> {
    let mut out = Vec::with_capacity(input.len());
    let mut seen = HashSet::new();
    for (i, e) in input.iter().enumerate() {
        let index = i.to_string();
        let field = ["employees", index.as_str(), "assistantId"];
        let assistant = find_assistant(c, store, viewer, &field, &e.assistant_id, Some(structure)).await?;
        let share = amount(c, &["employees", &index, "amount"], e.amount, true);
        let hours = match e.hours.as_deref() {
            Some(h) => hours(c, &["employees", &index, "hours"], h).map(Some),
            None => Some(None),
        };
        let Some(assistant) = assistant else { continue };
        if !seen.insert(assistant.id) {
            c.error(&field, Code::DuplicateEmployee, "this assistant is already listed");
            continue;
        }
        if let (Some(amount), Some(hours)) = (share, hours) {
            out.push(GrantShare { assistant_id: assistant.id, amount, hours });
        }
    }
    Ok(out)
}

/// A demographic contract's doctor: visible, and a member (now or once) of the structure.
async fn grant_practitioner(
    c: &mut Checker,
    store: &Store,
    viewer: &Viewer,
    structure: StructureId,
    id: &ID,
) -> ApiResult<Option<domain::PractitionerId>> {
    let Some(p) = find_practitioner(c, store, viewer, &["practitionerId"], id).await? else { return Ok(None) };
    if !store.practitioner_visible(p.id, &Visibility::Structures(vec![structure])).await? {
        c.error(&["practitionerId"], Code::PractitionerNotInStructure, "this doctor is not a member of the structure");
        return Ok(None);
    }
    Ok(Some(p.id))
}

/// `practitioner_named`: whether the grant names a doctor, even one refused above.
fn check_grant(c: &mut Checker, fields: &GrantFields, practitioner_named: bool) {
    let demographic = fields.scheme.is_demographic_contract();
    match practitioner_named {
        false if demographic => {
            c.error(&["practitionerId"], Code::Required, "a demographic contract is paid to one doctor: name them")
        }
        true if !demographic => c.error(
            &["practitionerId"],
            Code::PractitionerNotForScheme,
            "only a demographic contract (CAIM, COSCOM, COTRAM, CSTM) names a doctor: set practitionerId to null",
        ),
        _ => {}
    }
    if !fields.pays_salaries && !fields.employees.is_empty() {
        c.error(&["employees"], Code::EmployeesWithoutSalaries, "money that pays no salaries pays no employee");
    }
    let shares = fields.employees.iter().try_fold(Decimal::ZERO, |sum, e| sum.checked_add(e.amount));
    if shares.is_none_or(|total| total > fields.amount) {
        c.error(
            &["employees"],
            Code::GrantSharesExceedAmount,
            format!("the employees' amounts add up to more than the grant's {:.2} euros", fields.amount),
        );
    }
}

// ---------------------------------------------------------------- mutations

#[derive(Debug, Default)]
pub struct FundingMutations;

#[Object]
impl FundingMutations {
    /// Records a health professional of the structure other than a doctor.
    async fn create_professional(
        &self,
        ctx: &Context<'_>,
        input: CreateProfessionalInput,
    ) -> async_graphql::Result<ProfessionalPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let structure = find_structure(&mut c, store, viewer, &["structureId"], &input.structure_id).await?;
        let first_name = c.name(&["firstName"], &input.first_name);
        let last_name = c.name(&["lastName"], &input.last_name);
        let rpps = input.rpps.as_deref().and_then(|r| rpps(&mut c, r));
        let adeli = input.adeli.as_deref().and_then(|a| adeli(&mut c, a));
        let period = c.period(&[], input.from, input.to);
        let (Some(structure), Some(first_name), Some(last_name), Some(period)) =
            (structure, first_name, last_name, period)
        else {
            return Ok(ProfessionalPayload::rejected(c));
        };
        if !c.is_ok() {
            return Ok(ProfessionalPayload::rejected(c));
        }
        let fields = ProfessionalFields {
            profession: input.profession.into(),
            first_name,
            last_name,
            rpps,
            adeli,
            partner: input.partner,
            period,
        };
        let result = store.create_professional(structure.id, &fields).await;
        Ok(ProfessionalPayload::from_write(c, result.map(|p| ProfessionalObject(Visible::written((structure.id, p)))))?)
    }

    async fn update_professional(
        &self,
        ctx: &Context<'_>,
        input: UpdateProfessionalInput,
    ) -> async_graphql::Result<ProfessionalPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let Some(id) = decode_id(&mut c, &["id"], NodeType::Professional, &input.id) else {
            return Ok(ProfessionalPayload::rejected(c));
        };
        let Some((structure_id, current)) =
            access::professional(store, viewer, ProfessionalId(id)).await?.map(Visible::into_inner)
        else {
            not_found(&mut c, &["id"], NodeType::Professional);
            return Ok(ProfessionalPayload::rejected(c));
        };
        let mut fields = current.fields.clone();
        if let Some(p) = input.profession {
            fields.profession = p.into();
        }
        if let Some(n) = input.first_name.as_deref().and_then(|n| c.name(&["firstName"], n)) {
            fields.first_name = n;
        }
        if let Some(n) = input.last_name.as_deref().and_then(|n| c.name(&["lastName"], n)) {
            fields.last_name = n;
        }
        update_optional(&mut fields.rpps, input.rpps, |r| rpps(&mut c, &r));
        update_optional(&mut fields.adeli, input.adeli, |a| adeli(&mut c, &a));
        if let Some(p) = input.partner {
            fields.partner = p;
        }
        let mut to = fields.period.to().map(Date);
        update_optional(&mut to, input.to, Some);
        let from = input.from.unwrap_or(Date(fields.period.from()));
        if let Some(period) = c.period(&[], from, to) {
            fields.period = period;
        }
        if !c.is_ok() {
            return Ok(ProfessionalPayload::rejected(c));
        }
        let result = store.update_professional(current.id, &fields).await;
        Ok(ProfessionalPayload::from_write(c, result.map(|p| ProfessionalObject(Visible::written((structure_id, p)))))?)
    }

    /// Records the structure's ACI MSP contract.
    async fn create_aci_contract(
        &self,
        ctx: &Context<'_>,
        input: CreateAciContractInput,
    ) -> async_graphql::Result<AciContractPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let Some(structure) = find_structure(&mut c, store, viewer, &["structureId"], &input.structure_id).await?
        else {
            return Ok(AciContractPayload::rejected(c));
        };
        let cpam_reference = input.cpam_reference.as_deref().and_then(|r| c.name(&["cpamReference"], r));
        let coordination = match &input.coordination {
            Some(given) => coordination(&mut c, store, viewer, structure.id, given).await?,
            None => Coordination { declared: false, holder: None, etp: None },
        };
        let fields = AciContractFields {
            cpam_reference,
            signed_on: input.signed_on.0,
            status: input.status.into(),
            ends_on: input.ends_on.map(|d| d.0),
            sisa_on: input.sisa_on.map(|d| d.0),
            coordination,
        };
        check_aci(&mut c, &fields, &structure);
        if !c.is_ok() {
            return Ok(AciContractPayload::rejected(c));
        }
        let result = store.create_aci_contract(structure.id, &fields).await;
        Ok(aci_written(c, structure.id, result)?)
    }

    async fn update_aci_contract(
        &self,
        ctx: &Context<'_>,
        input: UpdateAciContractInput,
    ) -> async_graphql::Result<AciContractPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let Some(id) = decode_id(&mut c, &["id"], NodeType::AciContract, &input.id) else {
            return Ok(AciContractPayload::rejected(c));
        };
        let Some((structure_id, current)) =
            access::aci_contract(store, viewer, AciContractId(id)).await?.map(Visible::into_inner)
        else {
            not_found(&mut c, &["id"], NodeType::AciContract);
            return Ok(AciContractPayload::rejected(c));
        };
        let structure = visible_structure(store, viewer, structure_id).await?;
        let mut fields = current.fields.clone();
        update_optional(&mut fields.cpam_reference, input.cpam_reference, |r| c.name(&["cpamReference"], &r));
        if let Some(d) = input.signed_on {
            fields.signed_on = d.0;
        }
        if let Some(s) = input.status {
            fields.status = ContractStatus::from(s);
        }
        update_optional(&mut fields.ends_on, input.ends_on, |d| Some(d.0));
        update_optional(&mut fields.sisa_on, input.sisa_on, |d| Some(d.0));
        if let Some(given) = &input.coordination {
            fields.coordination = coordination(&mut c, store, viewer, structure_id, given).await?;
        }
        check_aci(&mut c, &fields, &structure);
        if !c.is_ok() {
            return Ok(AciContractPayload::rejected(c));
        }
        let result = store.update_aci_contract(current.id, &fields).await;
        Ok(aci_written(c, structure_id, result)?)
    }

    /// Records (or replaces) one year's points and payments of an ACI contract.
    async fn record_aci_year(
        &self,
        ctx: &Context<'_>,
        input: RecordAciYearInput,
    ) -> async_graphql::Result<AciContractPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let Some(id) = decode_id(&mut c, &["aciContractId"], NodeType::AciContract, &input.aci_contract_id) else {
            return Ok(AciContractPayload::rejected(c));
        };
        let Some((structure_id, contract)) =
            access::aci_contract(store, viewer, AciContractId(id)).await?.map(Visible::into_inner)
        else {
            not_found(&mut c, &["aciContractId"], NodeType::AciContract);
            return Ok(AciContractPayload::rejected(c));
        };
        let last = contract.fields.ends_on.map_or(current_year(), |end| end.year().min(current_year()));
        year_within(&mut c, input.year, contract.fields.signed_on.year(), last, "a year of the contract, up to now");
        if input.points.is_some_and(|p| p > MAX_ACI_POINTS) {
            c.error(&["points"], Code::CountOutOfRange, format!("at most {MAX_ACI_POINTS} points"));
        }
        let paid = input.paid.and_then(|m| amount(&mut c, &["paid"], m, false));
        let coordination_paid = input.coordination_paid.and_then(|m| amount(&mut c, &["coordinationPaid"], m, false));
        if let (Some(part), Some(all)) = (coordination_paid, paid)
            && part > all
        {
            c.error(
                &["coordinationPaid"],
                Code::CoordinationPaidExceedsPaid,
                "the coordination's part is part of what was paid",
            );
        }
        if input.points.is_none() && input.paid.is_none() && input.coordination_paid.is_none() {
            c.error(&[], Code::NoFigures, "give at least one figure");
        }
        if !c.is_ok() {
            return Ok(AciContractPayload::rejected(c));
        }
        let year = AciYear { year: input.year, points: input.points, paid, coordination_paid };
        let result = store.record_aci_year(contract.id, &year).await;
        Ok(AciContractPayload::from_write(c, result.map(|a| AciContractObject(Visible::written((structure_id, a)))))?)
    }

    /// Records public money other than the aid and the ACI, with the employees it pays, in one
    /// transaction.
    async fn create_grant(&self, ctx: &Context<'_>, input: CreateGrantInput) -> async_graphql::Result<GrantPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let Some(structure) = find_structure(&mut c, store, viewer, &["structureId"], &input.structure_id).await?
        else {
            return Ok(GrantPayload::rejected(c));
        };
        let payer = c.name(&["payer"], &input.payer);
        let purpose = c.name(&["purpose"], &input.purpose);
        let period = c.period(&[], input.from, input.to);
        let total = amount(&mut c, &["amount"], input.amount, true);
        let practitioner_id = match &input.practitioner_id {
            Some(id) => grant_practitioner(&mut c, store, viewer, structure.id, id).await?,
            None => None,
        };
        let employees = employees(&mut c, store, viewer, structure.id, &input.employees).await?;
        let (Some(payer), Some(purpose), Some(period), Some(amount)) = (payer, purpose, period, total) else {
            return Ok(GrantPayload::rejected(c));
        };
        let fields = GrantFields {
            scheme: FundingScheme::from(input.scheme),
            payer,
            purpose,
            pays_salaries: input.pays_salaries,
            period,
            amount,
            practitioner_id,
            employees,
        };
        check_grant(&mut c, &fields, input.practitioner_id.is_some());
        if !c.is_ok() {
            return Ok(GrantPayload::rejected(c));
        }
        let result = store.create_grant(structure.id, &fields).await;
        Ok(GrantPayload::from_write(c, result.map(|g| GrantObject(Visible::written((structure.id, g)))))?)
    }

    async fn update_grant(&self, ctx: &Context<'_>, input: UpdateGrantInput) -> async_graphql::Result<GrantPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let Some(id) = decode_id(&mut c, &["id"], NodeType::Grant, &input.id) else {
            return Ok(GrantPayload::rejected(c));
        };
        let Some((structure_id, current)) = access::grant(store, viewer, GrantId(id)).await?.map(Visible::into_inner)
        else {
            not_found(&mut c, &["id"], NodeType::Grant);
            return Ok(GrantPayload::rejected(c));
        };
        let mut fields = current.fields.clone();
        if let Some(s) = input.scheme {
            fields.scheme = s.into();
        }
        if let Some(p) = input.payer.as_deref().and_then(|p| c.name(&["payer"], p)) {
            fields.payer = p;
        }
        if let Some(p) = input.purpose.as_deref().and_then(|p| c.name(&["purpose"], p)) {
            fields.purpose = p;
        }
        if let Some(p) = input.pays_salaries {
            fields.pays_salaries = p;
        }
        let mut to = fields.period.to().map(Date);
        update_optional(&mut to, input.to, Some);
        let from = input.from.unwrap_or(Date(fields.period.from()));
        if let Some(period) = c.period(&[], from, to) {
            fields.period = period;
        }
        if let Some(a) = input.amount.and_then(|a| amount(&mut c, &["amount"], a, true)) {
            fields.amount = a;
        }
        let practitioner_named = match &input.practitioner_id {
            MaybeUndefined::Undefined => fields.practitioner_id.is_some(),
            MaybeUndefined::Null => {
                fields.practitioner_id = None;
                false
            }
            MaybeUndefined::Value(id) => {
                fields.practitioner_id = grant_practitioner(&mut c, store, viewer, structure_id, id).await?;
                true
            }
        };
        if let Some(list) = &input.employees {
            fields.employees = employees(&mut c, store, viewer, structure_id, list).await?;
        }
        check_grant(&mut c, &fields, practitioner_named);
        if !c.is_ok() {
            return Ok(GrantPayload::rejected(c));
        }
        let result = store.update_grant(current.id, &fields).await;
        Ok(GrantPayload::from_write(c, result.map(|g| GrantObject(Visible::written((structure_id, g)))))?)
    }

    /// Records (or replaces) what an assistant cost the employer over a year.
    async fn record_employment_cost(
        &self,
        ctx: &Context<'_>,
        input: RecordEmploymentCostInput,
    ) -> async_graphql::Result<EmploymentCostPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let assistant = find_assistant(&mut c, store, viewer, &["assistantId"], &input.assistant_id, None).await?;
        let salary = amount(&mut c, &["salary"], input.salary, false);
        let employer_charges = amount(&mut c, &["employerCharges"], input.employer_charges, false);
        if let Some(a) = &assistant {
            year_within(&mut c, input.year, a.fields.hired_on.year(), current_year(), "from the hiring year to now");
        }
        let (Some(assistant), Some(salary), Some(employer_charges), true) =
            (assistant, salary, employer_charges, c.is_ok())
        else {
            return Ok(EmploymentCostPayload::rejected(c));
        };
        let cost = EmploymentCost { assistant_id: assistant.id, year: input.year, salary, employer_charges };
        let result = store.record_employment_cost(&cost).await;
        Ok(EmploymentCostPayload::from_write(c, result.map(EmploymentCostObject))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_positive_with_two_decimals() {
        let mut c = Checker::default();
        assert_eq!(hours(&mut c, &["hours"], " 412,5 "), Some(Decimal::new(4125, 1)));
        assert_eq!(hours(&mut c, &["hours"], "600"), Some(Decimal::from(600)));
        assert!(c.is_ok());
        for bad in ["0", "-3", "1.234", "abc", "", "1e3"] {
            let mut c = Checker::default();
            assert_eq!(hours(&mut c, &["hours"], bad), None, "{bad:?}");
            assert_eq!(c.errors[0].code, Code::HoursInvalid, "{bad:?}");
        }
    }

    #[test]
    fn amounts_within_bounds() {
        let mut c = Checker::default();
        assert_eq!(amount(&mut c, &["paid"], Money(Decimal::ZERO), false), Some(Decimal::ZERO));
        assert_eq!(amount(&mut c, &["amount"], Money(Decimal::ZERO), true), None);
        assert_eq!(amount(&mut c, &["paid"], Money(Decimal::new(-1, 2)), false), None);
        assert_eq!(amount(&mut c, &["paid"], Money(Decimal::from(MAX_AMOUNT) + Decimal::ONE), false), None);
        let codes: Vec<_> = c.errors.iter().map(|e| e.code).collect();
        assert_eq!(codes, [Code::AmountNotPositive, Code::AmountOutOfRange, Code::AmountOutOfRange]);
    }
}
