//! createPractitioner, updatePractitioner, addMember, updateMembership.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use chrono::{Datelike, Utc};
use domain::{ConventionSector, MembershipId, Optam, PractitionerFields, Rpps};
use persistence::{DuplicateKey, NewMembership, StoreError};

use super::{decode_id, find_practitioner, find_structure, not_found, payload, rpps_taken, session};
use crate::access;
use crate::access::Visible;
use crate::enums;
use crate::error::UserErrorCode as Code;
use crate::ids::NodeType;
use crate::scalars::Date;
use crate::types::{MembershipObject, PractitionerObject};
use crate::validate::Checker;

payload!(
    /// Result of createPractitioner / updatePractitioner.
    PractitionerPayload { practitioner: PractitionerObject }
);
payload!(
    /// Result of addMember / updateMembership.
    MembershipPayload { membership: MembershipObject }
);

/// A membership given with a new practitioner.
#[derive(Debug, InputObject)]
pub struct PractitionerMembershipInput {
    pub structure_id: ID,
    #[graphql(default = true)]
    pub partner: bool,
    pub from: Date,
    pub to: Option<Date>,
    /// PAMSU hosting a docteur junior during the membership (raises the collective ETP cap from
    /// 2026-11-01). Leave it out when not known.
    pub hosts_docteur_junior: Option<bool>,
}

#[derive(Debug, InputObject)]
pub struct CreatePractitionerInput {
    /// 11 digits.
    pub rpps: String,
    pub first_name: String,
    pub last_name: String,
    pub specialty: enums::Specialty,
    pub sector: enums::ConventionSector,
    #[graphql(default_with = "enums::Optam::None")]
    pub optam: enums::Optam,
    #[graphql(default_with = "enums::PracticeMode::Liberal")]
    pub practice_mode: enums::PracticeMode,
    #[graphql(default)]
    pub mep: bool,
    pub installed_on: Option<Date>,
    pub birth_year: Option<i32>,
    /// Recognised disabled worker (RQTH): the activity floor is waived. Leave it out when not
    /// known: the rules then name it among the missing inputs.
    pub rqth: Option<bool>,
    /// Membership created in the same transaction; required for coordinators.
    pub membership: Option<PractitionerMembershipInput>,
}

/// Omitted fields keep their value; `null` clears an optional one. The RPPS never changes.
#[derive(Debug, InputObject)]
pub struct UpdatePractitionerInput {
    pub id: ID,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub specialty: Option<enums::Specialty>,
    pub sector: Option<enums::ConventionSector>,
    pub optam: Option<enums::Optam>,
    pub practice_mode: Option<enums::PracticeMode>,
    pub mep: Option<bool>,
    pub installed_on: MaybeUndefined<Date>,
    pub birth_year: MaybeUndefined<i32>,
    pub rqth: MaybeUndefined<bool>,
}

#[derive(Debug, InputObject)]
pub struct AddMemberInput {
    pub structure_id: ID,
    pub practitioner_id: ID,
    #[graphql(default = true)]
    pub partner: bool,
    pub from: Date,
    pub to: Option<Date>,
    /// PAMSU hosting a docteur junior during the membership (raises the collective ETP cap from
    /// 2026-11-01). Leave it out when not known.
    pub hosts_docteur_junior: Option<bool>,
}

/// Omitted fields keep their value; `to: null` reopens the membership.
#[derive(Debug, InputObject)]
pub struct UpdateMembershipInput {
    pub id: ID,
    pub partner: Option<bool>,
    pub from: Option<Date>,
    pub to: MaybeUndefined<Date>,
    pub hosts_docteur_junior: MaybeUndefined<bool>,
}

/// Youngest and oldest plausible practising doctor.
const MIN_AGE: i32 = 20;
const MAX_AGE: i32 = 100;

fn check_consistency(c: &mut Checker, fields: &PractitionerFields) {
    if fields.optam != Optam::None && fields.sector != ConventionSector::Sector2 {
        c.error(&["optam"], Code::OptamRequiresSector2, "OPTAM / OPTAM-CO is a scheme for sector-2 doctors");
    }
    if let Some(year) = fields.birth_year {
        let now = Utc::now().year();
        if !(now - MAX_AGE..=now - MIN_AGE).contains(&year) {
            c.error(
                &["birthYear"],
                Code::BirthYearOutOfRange,
                format!("a practising doctor is born between {} and {}", now - MAX_AGE, now - MIN_AGE),
            );
        }
    }
}

#[derive(Debug, Default)]
pub struct PractitionerMutations;

#[Object]
impl PractitionerMutations {
    /// Records a doctor and, in the same transaction, their membership of a structure.
    async fn create_practitioner(
        &self,
        ctx: &Context<'_>,
        input: CreatePractitionerInput,
    ) -> async_graphql::Result<PractitionerPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let rpps = c.identifier(&["rpps"], Rpps::parse(&input.rpps));
        if let Some(r) = &rpps {
            c.identifier_warnings(&["rpps"], r.warnings());
        }
        let first_name = c.name(&["firstName"], &input.first_name);
        let last_name = c.name(&["lastName"], &input.last_name);
        let membership = match &input.membership {
            Some(m) => {
                let structure_id =
                    find_structure(&mut c, store, viewer, &["membership", "structureId"], &m.structure_id)
                        .await?
                        .map(|s| s.id);
                let period = c.period(&["membership"], m.from, m.to);
                structure_id.zip(period).map(|(structure_id, period)| NewMembership {
                    structure_id,
                    partner: m.partner,
                    period,
                    hosts_docteur_junior: m.hosts_docteur_junior,
                })
            }
            None if !viewer.is_admin() => {
                c.error(
                    &["membership"],
                    Code::MembershipRequired,
                    "a coordinator records doctors within one of their structures",
                );
                None
            }
            None => None,
        };
        let (Some(rpps), Some(first_name), Some(last_name)) = (rpps, first_name, last_name) else {
            return Ok(PractitionerPayload::rejected(c));
        };
        let fields = PractitionerFields {
            rpps,
            first_name,
            last_name,
            specialty: input.specialty.into(),
            sector: input.sector.into(),
            optam: input.optam.into(),
            practice_mode: input.practice_mode.into(),
            mep: input.mep,
            installed_on: input.installed_on.map(|d| d.0),
            birth_year: input.birth_year,
            rqth: input.rqth,
        };
        check_consistency(&mut c, &fields);
        if !c.is_ok() {
            return Ok(PractitionerPayload::rejected(c));
        }
        let result = store.create_practitioner(&fields, membership.as_ref()).await;
        if let Err(StoreError::Duplicate(DuplicateKey::Rpps)) = result {
            rpps_taken(&mut c, store, viewer, &fields.rpps).await?;
            return Ok(PractitionerPayload::rejected(c));
        }
        Ok(PractitionerPayload::from_write(c, result.map(|(p, _)| PractitionerObject(Visible::written(p))))?)
    }

    async fn update_practitioner(
        &self,
        ctx: &Context<'_>,
        input: UpdatePractitionerInput,
    ) -> async_graphql::Result<PractitionerPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let Some(current) = find_practitioner(&mut c, store, viewer, &["id"], &input.id).await? else {
            return Ok(PractitionerPayload::rejected(c));
        };
        let mut fields = current.fields.clone();
        if let Some(name) = input.first_name.as_deref().and_then(|n| c.name(&["firstName"], n)) {
            fields.first_name = name;
        }
        if let Some(name) = input.last_name.as_deref().and_then(|n| c.name(&["lastName"], n)) {
            fields.last_name = name;
        }
        if let Some(v) = input.specialty {
            fields.specialty = v.into();
        }
        if let Some(v) = input.sector {
            fields.sector = v.into();
        }
        if let Some(v) = input.optam {
            fields.optam = v.into();
        }
        if let Some(v) = input.practice_mode {
            fields.practice_mode = v.into();
        }
        if let Some(v) = input.mep {
            fields.mep = v;
        }
        match input.installed_on {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => fields.installed_on = None,
            MaybeUndefined::Value(d) => fields.installed_on = Some(d.0),
        }
        match input.birth_year {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => fields.birth_year = None,
            MaybeUndefined::Value(y) => fields.birth_year = Some(y),
        }
        match input.rqth {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => fields.rqth = None,
            MaybeUndefined::Value(v) => fields.rqth = Some(v),
        }
        check_consistency(&mut c, &fields);
        if !c.is_ok() {
            return Ok(PractitionerPayload::rejected(c));
        }
        let result = store.update_practitioner(current.id, &fields).await;
        Ok(PractitionerPayload::from_write(c, result.map(|p| PractitionerObject(Visible::written(p))))?)
    }

    /// Adds an existing practitioner to a structure.
    async fn add_member(&self, ctx: &Context<'_>, input: AddMemberInput) -> async_graphql::Result<MembershipPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let structure_id =
            find_structure(&mut c, store, viewer, &["structureId"], &input.structure_id).await?.map(|s| s.id);
        // A coordinator only links doctors already in one of their structures; bringing in a
        // doctor recorded elsewhere (whose figures would then show) is an administrator's act.
        let practitioner_id =
            find_practitioner(&mut c, store, viewer, &["practitionerId"], &input.practitioner_id).await?.map(|p| p.id);
        let period = c.period(&[], input.from, input.to);
        let (Some(structure_id), Some(practitioner_id), Some(period)) = (structure_id, practitioner_id, period) else {
            return Ok(MembershipPayload::rejected(c));
        };
        let new = NewMembership {
            structure_id,
            partner: input.partner,
            period,
            hosts_docteur_junior: input.hosts_docteur_junior,
        };
        let result = store.create_membership(practitioner_id, &new).await;
        Ok(MembershipPayload::from_write(c, result.map(|m| MembershipObject(Visible::written(m))))?)
    }

    /// Changes a membership, e.g. records the last day of a doctor who left.
    async fn update_membership(
        &self,
        ctx: &Context<'_>,
        input: UpdateMembershipInput,
    ) -> async_graphql::Result<MembershipPayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let Some(id) = decode_id(&mut c, &["id"], NodeType::Membership, &input.id) else {
            return Ok(MembershipPayload::rejected(c));
        };
        let Some(current) = access::membership(store, viewer, MembershipId(id)).await? else {
            not_found(&mut c, &["id"], NodeType::Membership);
            return Ok(MembershipPayload::rejected(c));
        };
        let from = input.from.unwrap_or(Date(current.period.from()));
        let to = match input.to {
            MaybeUndefined::Undefined => current.period.to().map(Date),
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(d) => Some(d),
        };
        let Some(period) = c.period(&[], from, to) else {
            return Ok(MembershipPayload::rejected(c));
        };
        let partner = input.partner.unwrap_or(current.partner);
        let hosts = match input.hosts_docteur_junior {
            MaybeUndefined::Undefined => current.hosts_docteur_junior,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(v) => Some(v),
        };
        let result = store.update_membership(current.id, partner, period, hosts).await;
        Ok(MembershipPayload::from_write(c, result.map(|m| MembershipObject(Visible::written(m))))?)
    }
}
