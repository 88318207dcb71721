//! Rules cases built from stored records: a doctor's record, memberships, contracts and the
//! latest recorded figures. What the store does not know (RQTH, the children's share…) stays
//! unknown, so the rules that need it answer "undecided" and name it.

use chrono::{Datelike, NaiveDate, Utc};
use domain::rules::Activity;
use domain::rules::collective::{CollectiveCase, Member};
use domain::rules::individual::{Doctor, IndividualCase};
use domain::{
    ActivityFigures, AidContract, AidOption, ContractStatus, ContractTerms, Practitioner, Structure, StructureKind,
};
use persistence::{Store, Visibility};
use rust_decimal::Decimal;

use crate::Result;

fn activity(f: &ActivityFigures) -> Activity {
    Activity { pmt: f.fields.pmt, adult_pmt: f.fields.adult_pmt, file_active: f.fields.file_active }
}

/// Figures known at signature: the latest year before the signature year (figures are yearly
/// and a year's figures are known after it ends), or else the oldest recorded.
fn baseline(figures: &[ActivityFigures], signed_on: NaiveDate) -> Option<&ActivityFigures> {
    figures.iter().find(|f| f.fields.year < signed_on.year()).or_else(|| figures.last())
}

/// The latest figures after the baseline year: the activity reached so far.
fn latest_actual(figures: &[ActivityFigures], signed_on: NaiveDate) -> Option<Activity> {
    let base_year = baseline(figures, signed_on).map(|f| f.fields.year)?;
    figures.first().filter(|f| f.fields.year > base_year).map(activity)
}

/// A stored doctor as the individual rules see them on `on`, with their figures.
async fn doctor(store: &Store, p: &Practitioner, on: NaiveDate) -> Result<(Doctor, Vec<ActivityFigures>)> {
    let figures = store.figures_of(p.id).await?;
    let base = baseline(&figures, on);
    let mut grouped = None;
    let mut coordinated = None;
    let mut zone = None;
    for m in store.memberships_of(p.id).await?.into_iter().filter(|m| m.period.contains(on)) {
        let page = store.list_members(m.structure_id, Some(on), None, 2).await?;
        if page.items.len() >= 2 {
            grouped = Some(true);
        }
        if let Some(s) = store.structure(m.structure_id).await? {
            if matches!(s.fields.kind, StructureKind::Msp | StructureKind::CentreDeSante | StructureKind::Esp) {
                coordinated = Some(true);
            }
            // The zone of the practice's commune on that day, as last obtained from the CPAM.
            if zone.is_none() {
                zone = store.zoning_on(&s.fields.commune, on).await?.map(|z| z.zone);
            }
        }
    }
    let contracts = store.practitioner_contracts(p.id).await?;
    let collective = |c: &&AidContract| matches!(c.fields.terms, ContractTerms::Collective { .. });
    let in_collective_contract = contracts.iter().filter(collective).any(|c| {
        c.fields.status == ContractStatus::Active
            && matches!(&c.fields.terms, ContractTerms::Collective { members, .. }
                if members.iter().any(|m| m.practitioner_id == p.id && m.period.contains(on)))
    });
    let collective_ended_on = contracts
        .iter()
        .filter(collective)
        .filter(|c| matches!(c.fields.status, ContractStatus::Ended | ContractStatus::Terminated))
        .filter_map(|c| c.fields.ends_on)
        .max();
    let f = &p.fields;
    let doctor = Doctor {
        specialty: f.specialty,
        sector: f.sector,
        optam: f.optam,
        practice_mode: f.practice_mode,
        mep: f.mep,
        installed_on: f.installed_on,
        birth_year: f.birth_year,
        // Not recorded yet: unknown, so the rules that need it say so.
        rqth: None,
        children_share: None,
        zone,
        grouped_practice: grouped,
        coordinated_practice: coordinated,
        underserved_departement: None,
        ccam_share: base.and_then(|b| b.fields.ccam_share_bp).map(|bp| Decimal::new(i64::from(bp), 4)),
        band: base.and_then(|b| b.fields.band),
        activity: base.map(activity).unwrap_or_default(),
        specialty_median: None,
        in_collective_contract,
        collective_ended_on,
        first_contract: None,
    };
    Ok((doctor, figures))
}

/// What-if for a stored doctor: `option` signed on `signed_on`, with the recorded figures of
/// the year before as baseline and the latest ones as progress.
pub async fn practitioner_case(
    store: &Store,
    p: &Practitioner,
    signed_on: NaiveDate,
    option: AidOption,
    as_of: Option<NaiveDate>,
) -> Result<IndividualCase> {
    let (doctor, figures) = doctor(store, p, signed_on).await?;
    Ok(IndividualCase {
        signed_on,
        option,
        doctor,
        as_of,
        actual: latest_actual(&figures, signed_on),
        ended_on: None,
        renewals: 0,
    })
}

/// The day a stored contract is evaluated on: the one asked for, today by default, and never
/// before the signature.
fn evaluation_day(contract: &AidContract, as_of: Option<NaiveDate>) -> NaiveDate {
    as_of.unwrap_or_else(|| Utc::now().date_naive()).max(contract.fields.signed_on)
}

/// A stored individual contract of `p` as the individual rules see it on `as_of` (today when
/// `None`, never before the signature): its doctor on the signature date, the activity reached
/// since, and its end when it ended or was terminated (nothing is due after it). Renewals are
/// not recorded yet.
pub async fn individual_case(
    store: &Store,
    contract: &AidContract,
    p: &Practitioner,
    option: AidOption,
    as_of: Option<NaiveDate>,
) -> Result<IndividualCase> {
    let signed_on = contract.fields.signed_on;
    let (doctor, figures) = doctor(store, p, signed_on).await?;
    Ok(IndividualCase {
        signed_on,
        option,
        doctor,
        as_of: Some(evaluation_day(contract, as_of)),
        actual: latest_actual(&figures, signed_on),
        ended_on: match contract.fields.status {
            ContractStatus::Ended | ContractStatus::Terminated => contract.fields.ends_on,
            _ => None,
        },
        renewals: 0,
    })
}

/// How an adherent outside the viewer's structures is named in an evaluation: the rules still
/// count them, but who they are is not the viewer's to see.
const UNSEEN_MEMBER_LABEL: &str = "adhérent hors de vos structures";

/// A stored collective contract as the collective rules see it on `as_of` (today when `None`,
/// never before the signature), for a viewer who sees the doctors of `visibility`; `None` for
/// an individual contract.
pub async fn collective_case(
    store: &Store,
    visibility: &Visibility,
    contract: &AidContract,
    structure: &Structure,
    as_of: Option<NaiveDate>,
) -> Result<Option<CollectiveCase>> {
    let ContractTerms::Collective { funded_etp, members, .. } = &contract.fields.terms else { return Ok(None) };
    let signed = contract.fields.signed_on;
    let ids: Vec<_> = members.iter().map(|m| m.practitioner_id).collect();
    let practitioners = store.practitioners_by_ids(&ids).await?;
    let seen = store.visible_practitioners(&ids, visibility).await?;
    // Every member's records in one query each, not three per member.
    let memberships = store.memberships_of_many(&ids).await?;
    let all_figures = store.figures_of_many(&ids).await?;
    let contracts = store.practitioner_contracts_many(&ids).await?;
    let mut out = Vec::with_capacity(members.len());
    let mut actual = Activity { pmt: Some(0), adult_pmt: None, file_active: Some(0) };
    for m in members {
        let Some(p) = practitioners.iter().find(|p| p.id == m.practitioner_id) else { continue };
        let partner = memberships.iter().any(|ms| {
            ms.practitioner_id == p.id
                && ms.structure_id == structure.id
                && ms.partner
                && ms.period.contains(m.period.from())
        });
        // Newest year first, as `figures_of` gives them.
        let figures: Vec<ActivityFigures> = all_figures.iter().filter(|f| f.practitioner_id == p.id).cloned().collect();
        let base = baseline(&figures, signed);
        let reached = latest_actual(&figures, signed);
        actual.pmt = actual.pmt.zip(reached.and_then(|r| r.pmt)).map(|(a, b)| a + b);
        actual.file_active = actual.file_active.zip(reached.and_then(|r| r.file_active)).map(|(a, b)| a + b);
        let others: Vec<&AidContract> = contracts.iter().filter(|(q, _)| *q == p.id).map(|(_, c)| c).collect();
        out.push(Member {
            label: if seen.contains(&p.id) {
                format!("{} {} ({})", p.fields.first_name, p.fields.last_name, p.fields.rpps)
            } else {
                UNSEEN_MEMBER_LABEL.to_owned()
            },
            specialty: p.fields.specialty,
            sector: p.fields.sector,
            optam: p.fields.optam,
            mep: p.fields.mep,
            partner,
            pmt: base.and_then(|b| b.fields.pmt),
            file_active: base.and_then(|b| b.fields.file_active),
            installed_on: p.fields.installed_on,
            hosts_docteur_junior: None,
            holds_individual_contract: others.iter().any(|c| {
                matches!(c.fields.terms, ContractTerms::Individual { .. })
                    && c.fields.status == ContractStatus::Active
                    && c.fields.signed_on <= m.period.from()
            }),
            collective_ended_on: None,
            gained_under_individual: Activity::default(),
        });
    }
    Ok(Some(CollectiveCase {
        signed_on: signed,
        legal_form: structure.fields.legal_form,
        training_site: None,
        funded_etp: *funded_etp,
        members: out,
        as_of: Some(evaluation_day(contract, as_of)),
        actual: if actual.pmt.is_some() && actual.file_active.is_some() && !members.is_empty() {
            Some(actual)
        } else {
            None
        },
    }))
}
