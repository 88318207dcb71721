//! Rules cases built from stored records: a doctor's record, memberships, contracts and the
//! latest recorded figures. What the store does not know (RQTH, the children's share…) stays
//! unknown, so the rules that need it answer "undecided" and name it.
//!
//! [`Records`] reads what the rules need about some doctors in a fixed number of queries; the
//! cases are built from it by pure functions, the same for one contract's evaluation and for a
//! whole structure's dashboard.
//!
//! A contract the CPAM returned has two sets of facts: the record as typed in and the CPAM's
//! copy. Both stay stored and visible; the rules read the CPAM's (the payer's own record), and
//! [`rules_facts`] is the one place that decides it.

use chrono::{Datelike, NaiveDate, Utc};
use domain::rules::Activity;
use domain::rules::collective::{CollectiveCase, Member};
use domain::rules::individual::{Doctor, IndividualCase};
use domain::{
    ActivityFigures, AidContract, AidOption, ContractId, ContractKind, ContractStatus, ContractTerms, Membership,
    Practitioner, PractitionerId, Structure, StructureId, StructureKind,
};
use persistence::{CpamContractCopy, Store, Visibility, ZoningRecord};
use rust_decimal::Decimal;

use crate::Result;
use crate::team::gains;

fn activity(f: &ActivityFigures) -> Activity {
    Activity { pmt: f.fields.pmt, adult_pmt: f.fields.adult_pmt, file_active: f.fields.file_active }
}

/// Figures known on `day`: the latest year before `day`'s year (a year's figures are known
/// after it ends), or else the oldest recorded (OBJ-BASELINE-DATE's default). `figures` is
/// newest first.
fn baseline<'a>(figures: &[&'a ActivityFigures], day: NaiveDate) -> Option<&'a ActivityFigures> {
    figures.iter().copied().find(|f| f.fields.year < day.year()).or_else(|| figures.last().copied())
}

/// The latest figures after the baseline year: the activity reached since `day`.
fn reached_since(figures: &[&ActivityFigures], day: NaiveDate) -> Option<Activity> {
    let base_year = baseline(figures, day).map(|f| f.fields.year)?;
    figures.first().filter(|f| f.fields.year > base_year).map(|f| activity(f))
}

/// Whose facts the rules read for a stored contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactsUsed {
    /// The record as typed in: the CPAM has no copy of it (or one of another kind).
    Recorded,
    /// The CPAM's copy, the payer's own record.
    Cpam,
}

/// A fact of a contract on which the record and the CPAM's copy can disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractFact {
    Kind,
    Status,
    SignedOn,
    EndsOn,
    Option,
    FundedEtp,
}

/// A fact the record and the CPAM's copy disagree on, both as written (`None`: not stated):
/// of an aid contract ([`ContractFact`]) or of an ACI contract (`funding::AciFact`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discrepancy<F = ContractFact> {
    pub fact: F,
    pub recorded: Option<String>,
    pub cpam: Option<String>,
}

/// The facts of `recorded` the rules read, and whose they are: the CPAM's status, dates,
/// option and funded ETP when it has a copy of the same kind (a fact the CPAM does not state
/// keeps the record's); the record's own adherents and their dates, which the CPAM does not
/// give. The only place that chooses between the two.
pub fn rules_facts(recorded: &AidContract, copy: Option<&CpamContractCopy>) -> (AidContract, FactsUsed) {
    let Some(cpam) = copy.map(|c| &c.facts).filter(|f| f.kind == recorded.fields.terms.kind()) else {
        return (recorded.clone(), FactsUsed::Recorded);
    };
    let mut used = recorded.clone();
    let fields = &mut used.fields;
    fields.status = cpam.status;
    fields.signed_on = cpam.signed_on;
    fields.ends_on = cpam.ends_on;
    match &mut fields.terms {
        ContractTerms::Individual { option, .. } => *option = cpam.option.unwrap_or(*option),
        ContractTerms::Collective { funded_etp, .. } => *funded_etp = cpam.funded_etp.unwrap_or(*funded_etp),
    }
    (used, FactsUsed::Cpam)
}

/// Where the record and the CPAM's copy disagree, fact by fact.
pub fn discrepancies(recorded: &AidContract, copy: &CpamContractCopy) -> Vec<Discrepancy> {
    let (r, c) = (&recorded.fields, &copy.facts);
    let (option, etp) = match &r.terms {
        // An individual contract's ETP is its option's: the option is the fact compared.
        ContractTerms::Individual { option, .. } => (Some(*option), None),
        ContractTerms::Collective { funded_etp, .. } => (None, Some(*funded_etp)),
    };
    let code = |s: &str| Some(s.to_owned());
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string());
    let facts = [
        (ContractFact::Kind, code(r.terms.kind().code()), code(c.kind.code())),
        (ContractFact::Status, code(r.status.code()), code(c.status.code())),
        (ContractFact::SignedOn, date(Some(r.signed_on)), date(Some(c.signed_on))),
        (ContractFact::EndsOn, date(r.ends_on), date(c.ends_on)),
        (ContractFact::Option, option.map(|o| o.code().to_owned()), c.option.map(|o| o.code().to_owned())),
        (ContractFact::FundedEtp, etp.map(|e| e.to_string()), c.funded_etp.map(|e| e.to_string())),
    ];
    facts
        .into_iter()
        // No end date is a fact (the contract runs); an option or ETP the other kind of
        // contract does not have, or the CPAM does not state, is not a disagreement.
        .filter(|(fact, recorded, cpam)| match fact {
            ContractFact::EndsOn => recorded != cpam,
            _ => recorded.is_some() && cpam.is_some() && recorded != cpam,
        })
        .map(|(fact, recorded, cpam)| Discrepancy { fact, recorded, cpam })
        .collect()
}

/// How an adherent outside the viewer's structures is named in an evaluation: the rules still
/// count them, but who they are is not the viewer's to see.
pub const UNSEEN_MEMBER_LABEL: &str = "adhérent hors de vos structures";

/// What the store holds about some doctors that the rules read, read once.
#[derive(Debug, Clone)]
pub struct Records {
    pub practitioners: Vec<Practitioner>,
    /// Each doctor's newest year first.
    figures: Vec<ActivityFigures>,
    /// The doctors' memberships, every structure.
    memberships: Vec<Membership>,
    /// The structures they belong to, and every membership of those structures.
    structures: Vec<Structure>,
    colleagues: Vec<Membership>,
    /// Their contracts, with the facts the rules read ([`rules_facts`]): a collective one
    /// once per adhering doctor.
    contracts: Vec<(PractitionerId, AidContract)>,
    /// Zoning periods of those structures' communes.
    zonings: Vec<ZoningRecord>,
}

impl Records {
    /// The records of `ids`, in at most nine queries whatever their number.
    pub async fn read(store: &Store, ids: &[PractitionerId]) -> Result<Self> {
        Self::read_around(store, ids, None).await
    }

    /// The same, for doctors of `home`, a structure already read with all its memberships:
    /// only the other structures they belong to are read (none, often: two queries fewer).
    pub async fn read_around(
        store: &Store,
        ids: &[PractitionerId],
        home: Option<(&Structure, &[Membership])>,
    ) -> Result<Self> {
        // Statements that do not need each other's rows run together (on as many pooled
        // connections): a request waits for three rounds of reads, not for eight in a row.
        let (practitioners, figures, memberships, contracts) = tokio::try_join!(
            store.practitioners_by_ids(ids),
            store.figures_of_many(ids),
            store.memberships_of_many(ids),
            store.practitioner_contracts_many(ids),
        )?;
        let mut structure_ids: Vec<StructureId> = memberships.iter().map(|m| m.structure_id).collect();
        structure_ids.sort_by_key(|s| s.0);
        structure_ids.dedup();
        let mut contract_ids: Vec<ContractId> = contracts.iter().map(|(_, c)| c.id).collect();
        contract_ids.sort_by_key(|c| c.0);
        contract_ids.dedup();
        let others: Vec<StructureId> =
            structure_ids.iter().copied().filter(|s| home.is_none_or(|(h, _)| h.id != *s)).collect();
        let elsewhere = async {
            if others.is_empty() {
                return Ok((Vec::new(), Vec::new()));
            }
            tokio::try_join!(store.structures_by_ids(&others), store.memberships_in(&others))
        };
        let ((mut structures, mut colleagues), copies) =
            tokio::try_join!(elsewhere, store.cpam_copies_of(&contract_ids))?;
        if let Some((h, members)) = home.filter(|(h, _)| structure_ids.contains(&h.id)) {
            structures.push(h.clone());
            colleagues.extend_from_slice(members);
            // In the order a single read gives them.
            structures.sort_by_key(|s| s.id.0);
            colleagues.sort_by_key(|m| m.id.0);
        }
        let contracts = contracts.into_iter().map(|(p, c)| (p, rules_facts(&c, copies.get(&c.id)).0)).collect();
        let communes: Vec<_> = structures.iter().map(|s| &s.fields.commune).collect();
        let zonings = store.zonings_of(&communes).await?;
        Ok(Self { practitioners, figures, memberships, structures, colleagues, contracts, zonings })
    }

    pub fn practitioner(&self, id: PractitionerId) -> Option<&Practitioner> {
        self.practitioners.iter().find(|p| p.id == id)
    }

    /// A doctor's figures, newest year first.
    pub fn figures_of(&self, id: PractitionerId) -> Vec<&ActivityFigures> {
        self.figures.iter().filter(|f| f.practitioner_id == id).collect()
    }

    /// The latest activity recorded for a doctor.
    pub fn latest_activity(&self, id: PractitionerId) -> Option<Activity> {
        self.figures_of(id).first().map(|f| activity(f))
    }

    /// `contract` with the facts the rules read, as read with the records (itself when it is
    /// not among them).
    fn as_read<'a>(&'a self, contract: &'a AidContract) -> &'a AidContract {
        self.contracts.iter().map(|(_, c)| c).find(|c| c.id == contract.id).unwrap_or(contract)
    }

    /// A doctor's contracts, with the facts the rules read: individual ones and collective
    /// ones they adhere to.
    pub fn contracts_of(&self, id: PractitionerId) -> impl Iterator<Item = &AidContract> {
        self.contracts.iter().filter(move |(q, _)| *q == id).map(|(_, c)| c)
    }

    /// Whether a doctor is a partner of `structure` on `day`.
    pub fn partner_of(&self, id: PractitionerId, structure: StructureId, day: NaiveDate) -> bool {
        self.memberships
            .iter()
            .any(|m| m.practitioner_id == id && m.structure_id == structure && m.partner && m.period.contains(day))
    }

    /// The doctor as the individual rules see them on `day`: the figures known then, whether
    /// one of their practices has another doctor (grouped) or is an MSP, centre de santé or ESP
    /// (coordinated), its commune's zone, and their collective contracts.
    pub fn doctor_on(&self, p: &Practitioner, day: NaiveDate) -> Doctor {
        let figures = self.figures_of(p.id);
        let base = baseline(&figures, day);
        let mut grouped = None;
        let mut coordinated = None;
        let mut zone = None;
        for m in self.memberships.iter().filter(|m| m.practitioner_id == p.id && m.period.contains(day)) {
            let doctors = self.colleagues.iter().filter(|c| c.structure_id == m.structure_id && c.period.contains(day));
            if doctors.count() >= 2 {
                grouped = Some(true);
            }
            let Some(s) = self.structures.iter().find(|s| s.id == m.structure_id) else { continue };
            if matches!(s.fields.kind, StructureKind::Msp | StructureKind::CentreDeSante | StructureKind::Esp) {
                coordinated = Some(true);
            }
            // The zone of the practice's commune on that day, as last obtained from the CPAM.
            if zone.is_none() {
                zone = self
                    .zonings
                    .iter()
                    .find(|z| {
                        z.commune == s.fields.commune && z.valid_from <= day && z.valid_to.is_none_or(|to| day <= to)
                    })
                    .map(|z| z.zone);
            }
        }
        let collective = || self.contracts_of(p.id).filter(|c| c.fields.terms.kind() == ContractKind::Collective);
        let in_collective_contract = collective().any(|c| {
            c.fields.status == ContractStatus::Active
                && matches!(&c.fields.terms, ContractTerms::Collective { members, .. }
                    if members.iter().any(|m| m.practitioner_id == p.id && m.period.contains(day)))
        });
        let collective_ended_on = collective()
            .filter(|c| matches!(c.fields.status, ContractStatus::Ended | ContractStatus::Terminated))
            .filter_map(|c| c.fields.ends_on)
            .max();
        let f = &p.fields;
        Doctor {
            specialty: f.specialty,
            sector: f.sector,
            optam: f.optam,
            practice_mode: f.practice_mode,
            mep: f.mep,
            installed_on: f.installed_on,
            birth_year: f.birth_year,
            rqth: f.rqth,
            // Not recorded: unknown, so the rules that need it say so.
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
        }
    }

    /// `option` for `p` signed on `signed_on`, with the figures known then as baseline and
    /// those recorded since as progress; no evaluation day.
    pub fn signed_case(&self, p: &Practitioner, option: AidOption, signed_on: NaiveDate) -> IndividualCase {
        IndividualCase {
            signed_on,
            option,
            doctor: self.doctor_on(p, signed_on),
            as_of: None,
            actual: reached_since(&self.figures_of(p.id), signed_on),
            ended_on: None,
            renewals: 0,
        }
    }

    /// A stored individual contract as the rules see it, without an evaluation day: its end
    /// when it ended or was terminated (nothing is due after it), its recorded renewals, and its
    /// objectives' baseline from the figures known on the CPAM's snapshot day when it states one
    /// (OBJ-BASELINE-DATE), else at signature.
    pub fn contract_case(&self, contract: &AidContract, p: &Practitioner, option: AidOption) -> IndividualCase {
        let contract = self.as_read(contract);
        // The option the rules read, the CPAM's when it has a copy.
        let option = if let ContractTerms::Individual { option, .. } = contract.fields.terms { option } else { option };
        let fields = &contract.fields;
        let mut case = self.signed_case(p, option, fields.signed_on);
        if let Some(day) = fields.baseline_on {
            let figures = self.figures_of(p.id);
            case.doctor.activity = baseline(&figures, day).map(activity).unwrap_or_default();
            case.actual = reached_since(&figures, day);
        }
        IndividualCase {
            ended_on: if fields.status.requires_end_date() { fields.ends_on } else { None },
            renewals: fields.renewals,
            ..case
        }
    }

    /// Whether a doctor hosts a docteur junior as a member of `structure` on `day`, as recorded.
    pub fn hosts_docteur_junior(&self, id: PractitionerId, structure: StructureId, day: NaiveDate) -> Option<bool> {
        self.memberships
            .iter()
            .find(|m| m.practitioner_id == id && m.structure_id == structure && m.period.contains(day))
            .and_then(|m| m.hosts_docteur_junior)
    }

    /// Patients a doctor gained under their individual contracts signed before `day`, up to the
    /// figures known on `day`: what COL-OBJECTIVES deducts from a collective signed that day
    /// (gains made later are the collective's own).
    pub fn gained_under_individual(&self, p: &Practitioner, day: NaiveDate) -> Activity {
        let baselines: Vec<Activity> = self
            .contracts_of(p.id)
            .filter_map(|c| match c.fields.terms {
                ContractTerms::Individual { option, .. }
                    if c.fields.status != ContractStatus::Draft && c.fields.signed_on < day =>
                {
                    Some(self.contract_case(c, p, option).doctor.activity)
                }
                _ => None,
            })
            .collect();
        gains(&baselines, baseline(&self.figures_of(p.id), day).map(activity))
    }

    /// An adherent of a collective contract of `structure` signed on `signed` who joined on
    /// `joined`, as the collective rules see them.
    pub fn collective_member(
        &self,
        p: &Practitioner,
        structure: StructureId,
        signed: NaiveDate,
        joined: NaiveDate,
        label: String,
    ) -> Member {
        let figures = self.figures_of(p.id);
        let base = baseline(&figures, signed);
        Member {
            label,
            specialty: p.fields.specialty,
            sector: p.fields.sector,
            optam: p.fields.optam,
            mep: p.fields.mep,
            partner: self.partner_of(p.id, structure, joined),
            pmt: base.and_then(|b| b.fields.pmt),
            file_active: base.and_then(|b| b.fields.file_active),
            installed_on: p.fields.installed_on,
            hosts_docteur_junior: self.hosts_docteur_junior(p.id, structure, joined),
            holds_individual_contract: self.contracts_of(p.id).any(|c| {
                c.fields.terms.kind() == ContractKind::Individual
                    && c.fields.status == ContractStatus::Active
                    && c.fields.signed_on <= joined
                    && c.fields.ends_on.is_none_or(|end| end >= joined)
            }),
            collective_ended_on: None,
            gained_under_individual: self.gained_under_individual(p, signed),
        }
    }

    /// A stored collective contract of `structure` as the collective rules see it, without an
    /// evaluation day; `label` names each adherent. The group's activity is the sum of the
    /// adherents' progress since the signature, when every one of them has it.
    pub fn collective_contract_case(
        &self,
        contract: &AidContract,
        structure: &Structure,
        label: impl Fn(&Practitioner) -> String,
    ) -> Option<CollectiveCase> {
        let contract = self.as_read(contract);
        let ContractTerms::Collective { funded_etp, members, .. } = &contract.fields.terms else { return None };
        let signed = contract.fields.signed_on;
        let mut out = Vec::with_capacity(members.len());
        let mut actual = Some(Activity { pmt: Some(0), adult_pmt: None, file_active: Some(0) });
        for m in members {
            let Some(p) = self.practitioner(m.practitioner_id) else { continue };
            let reached = reached_since(&self.figures_of(p.id), signed);
            actual = actual.zip(reached).and_then(|(sum, r)| {
                Some(Activity {
                    pmt: Some(sum.pmt? + r.pmt?),
                    adult_pmt: None,
                    file_active: Some(sum.file_active? + r.file_active?),
                })
            });
            out.push(self.collective_member(p, structure.id, signed, m.period.from(), label(p)));
        }
        Some(CollectiveCase {
            signed_on: signed,
            legal_form: structure.fields.legal_form,
            training_site: structure.fields.training_site,
            funded_etp: *funded_etp,
            actual: actual.filter(|_| !out.is_empty()),
            members: out,
            as_of: None,
        })
    }
}

/// A doctor's name as the results show it.
pub fn label(p: &Practitioner) -> String {
    format!("{} {} ({})", p.fields.first_name, p.fields.last_name, p.fields.rpps)
}

/// The day a stored contract is evaluated on: the one asked for, today by default, and never
/// before the signature the rules read.
fn evaluation_day(signed_on: NaiveDate, as_of: Option<NaiveDate>) -> NaiveDate {
    as_of.unwrap_or_else(|| Utc::now().date_naive()).max(signed_on)
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
    let records = Records::read(store, &[p.id]).await?;
    Ok(IndividualCase { as_of, ..records.signed_case(p, option, signed_on) })
}

/// A stored individual contract of `p` as the individual rules see it on `as_of` (today when
/// `None`, never before the signature).
pub async fn individual_case(
    store: &Store,
    contract: &AidContract,
    p: &Practitioner,
    option: AidOption,
    as_of: Option<NaiveDate>,
) -> Result<IndividualCase> {
    let records = Records::read(store, &[p.id]).await?;
    let case = records.contract_case(contract, p, option);
    Ok(IndividualCase { as_of: Some(evaluation_day(case.signed_on, as_of)), ..case })
}

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
    let ContractTerms::Collective { members, .. } = &contract.fields.terms else { return Ok(None) };
    let ids: Vec<_> = members.iter().map(|m| m.practitioner_id).collect();
    let records = Records::read(store, &ids).await?;
    let seen = store.visible_practitioners(&ids, visibility).await?;
    let named = |p: &Practitioner| if seen.contains(&p.id) { label(p) } else { UNSEEN_MEMBER_LABEL.to_owned() };
    Ok(records
        .collective_contract_case(contract, structure, named)
        .map(|case| CollectiveCase { as_of: Some(evaluation_day(case.signed_on, as_of)), ..case }))
}
