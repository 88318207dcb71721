//! createStructure, updateStructure.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object};
use domain::{Finess, InseeCommune, LegalForm, Siret, StructureFields};

use super::{find_structure, payload, session};
use crate::access::Visible;
use crate::enums;
use crate::error::ApiError;
use crate::error::UserErrorCode as Code;
use crate::scalars::Date;
use crate::types::StructureObject;
use crate::validate::Checker;

payload!(
    /// Result of createStructure / updateStructure.
    StructurePayload { structure: StructureObject }
);

#[derive(Debug, InputObject)]
pub struct CreateStructureInput {
    pub kind: enums::StructureKind,
    pub legal_form: enums::LegalForm,
    pub name: String,
    /// 9 characters, e.g. `010780914` or `2A0000127`.
    pub finess: Option<String>,
    /// 14 digits.
    pub siret: Option<String>,
    /// INSEE commune code, e.g. `75056`, `2A004`, `97411`.
    pub commune: String,
    pub projet_sante_validated_on: Option<Date>,
    #[graphql(default)]
    pub sisa_employer_group: bool,
    /// Approved ambulatory training site (raises the collective ETP cap from 2026-11-01). Leave
    /// it out when not known.
    pub training_site: Option<bool>,
}

/// Omitted fields keep their value; `null` clears an optional one.
#[derive(Debug, InputObject)]
pub struct UpdateStructureInput {
    pub id: ID,
    pub kind: Option<enums::StructureKind>,
    pub legal_form: Option<enums::LegalForm>,
    pub name: Option<String>,
    pub finess: MaybeUndefined<String>,
    pub siret: MaybeUndefined<String>,
    pub commune: Option<String>,
    pub projet_sante_validated_on: MaybeUndefined<Date>,
    pub sisa_employer_group: Option<bool>,
    pub training_site: MaybeUndefined<bool>,
}

/// Rules that concern several fields at once.
fn check_consistency(checker: &mut Checker, fields: &StructureFields) {
    if fields.sisa_employer_group && fields.legal_form != LegalForm::Sisa {
        checker.error(
            &["sisaEmployerGroup"],
            Code::EmployerGroupRequiresSisa,
            "only a SISA's statutes can make it an employer group (ordonnance 2021-584)",
        );
    }
}

fn parse_optional<T>(
    checker: &mut Checker,
    field: &str,
    value: Option<&str>,
    parse: fn(&str) -> Result<T, domain::IdentifierError>,
) -> Option<Option<T>> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Some(None),
        Some(v) => checker.identifier(&[field], parse(v)).map(Some),
    }
}

#[derive(Debug, Default)]
pub struct StructureMutations;

#[Object]
impl StructureMutations {
    /// Records a new structure. Administrators only: a coordinator's scope is a list of
    /// existing structures.
    async fn create_structure(
        &self,
        ctx: &Context<'_>,
        input: CreateStructureInput,
    ) -> async_graphql::Result<StructurePayload> {
        let (store, viewer) = session(ctx)?;
        if !viewer.is_admin() {
            return Err(ApiError::Forbidden("only an administrator can create a structure").into());
        }
        let mut c = Checker::default();
        let name = c.name(&["name"], &input.name);
        let finess = parse_optional(&mut c, "finess", input.finess.as_deref(), Finess::parse);
        let siret = parse_optional(&mut c, "siret", input.siret.as_deref(), Siret::parse);
        let commune = c.identifier(&["commune"], InseeCommune::parse(&input.commune));
        let (Some(name), Some(finess), Some(siret), Some(commune)) = (name, finess, siret, commune) else {
            return Ok(StructurePayload::rejected(c));
        };
        let fields = StructureFields {
            kind: input.kind.into(),
            legal_form: input.legal_form.into(),
            name,
            finess,
            siret,
            commune,
            projet_sante_validated_on: input.projet_sante_validated_on.map(|d| d.0),
            sisa_employer_group: input.sisa_employer_group,
            training_site: input.training_site,
        };
        check_consistency(&mut c, &fields);
        if !c.is_ok() {
            return Ok(StructurePayload::rejected(c));
        }
        Ok(StructurePayload::from_write(
            c,
            store.create_structure(&fields).await.map(|s| StructureObject(Visible::written(s))),
        )?)
    }

    /// Changes a structure. Only an administrator may change its FINESS, which scopes tokens.
    async fn update_structure(
        &self,
        ctx: &Context<'_>,
        input: UpdateStructureInput,
    ) -> async_graphql::Result<StructurePayload> {
        let (store, viewer) = session(ctx)?;
        let mut c = Checker::default();
        let Some(current) = find_structure(&mut c, store, viewer, &["id"], &input.id).await? else {
            return Ok(StructurePayload::rejected(c));
        };
        let mut fields = current.fields.clone();
        if let Some(kind) = input.kind {
            fields.kind = kind.into();
        }
        if let Some(form) = input.legal_form {
            fields.legal_form = form.into();
        }
        if let Some(name) = input.name.as_deref().and_then(|n| c.name(&["name"], n)) {
            fields.name = name;
        }
        match input.finess {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => fields.finess = None,
            MaybeUndefined::Value(v) => {
                if let Some(f) = parse_optional(&mut c, "finess", Some(&v), Finess::parse) {
                    fields.finess = f;
                }
            }
        }
        if fields.finess != current.fields.finess && !viewer.is_admin() {
            c.error(&["finess"], Code::FinessLocked, "only an administrator can change a structure's FINESS");
        }
        match input.siret {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => fields.siret = None,
            MaybeUndefined::Value(v) => {
                if let Some(s) = parse_optional(&mut c, "siret", Some(&v), Siret::parse) {
                    fields.siret = s;
                }
            }
        }
        if let Some(commune) = input.commune.as_deref().and_then(|v| c.identifier(&["commune"], InseeCommune::parse(v)))
        {
            fields.commune = commune;
        }
        match input.projet_sante_validated_on {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => fields.projet_sante_validated_on = None,
            MaybeUndefined::Value(d) => fields.projet_sante_validated_on = Some(d.0),
        }
        if let Some(flag) = input.sisa_employer_group {
            fields.sisa_employer_group = flag;
        }
        match input.training_site {
            MaybeUndefined::Undefined => {}
            MaybeUndefined::Null => fields.training_site = None,
            MaybeUndefined::Value(v) => fields.training_site = Some(v),
        }
        check_consistency(&mut c, &fields);
        if !c.is_ok() {
            return Ok(StructurePayload::rejected(c));
        }
        Ok(StructurePayload::from_write(
            c,
            store.update_structure(current.id, &fields).await.map(|s| StructureObject(Visible::written(s))),
        )?)
    }
}
