//! Explanations: for every rule evaluated, its outcome, the inputs it used, the parameters it
//! read (with value, effective date, reference, source, confidence) and the inputs that were
//! missing when it could not decide.
//!
//! Rules report through a [`Tracer`]. Batch evaluation uses [`NoTrace`], whose methods are
//! empty and inlined away; explained evaluation uses [`Recorder`], which keeps flat vectors of
//! borrowed data (a few allocations per evaluation, no string copies).

use std::fmt;
use std::ops::Range;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::params::{Confidence, P, Step};

/// Version of the explanation format; bumped on any change a client could notice.
pub const FORMAT_VERSION: &str = "2.0";

macro_rules! rule_ids {
    ($($id:ident = $code:literal, $title:literal, $reference:literal;)+) => {
        /// Stable rule ids (RULES.md): names for explanations, tests and clients.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId { $($id),+ }

        impl RuleId {
            pub const ALL: &'static [RuleId] = &[$(RuleId::$id),+];

            pub fn code(self) -> &'static str {
                match self { $(RuleId::$id => $code),+ }
            }

            pub fn title(self) -> &'static str {
                match self { $(RuleId::$id => $title),+ }
            }

            /// The texts the rule comes from, as a person cites them. The parameters it reads
            /// carry their own, dated, references.
            pub fn reference(self) -> &'static str {
                match self { $(RuleId::$id => $reference),+ }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|r| r.code() == code)
            }
        }
    };
}

rule_ids! {
    IndLiberal = "IND-LIBERAL", "Liberal (conventionné) practice", "Avenant 7 à la convention médicale de 2016, sous-titre I bis (médecins libéraux conventionnés) ; convention médicale 2024-2029 (activité mixte)";
    IndSector = "IND-SECTOR", "Sector 1, or sector 2 with OPTAM", "Avenant 7, sous-titre I bis (secteur 1, ou secteur 2 adhérent à l'OPTAM / OPTAM-CO) ; règlement arbitral de 2023 ; convention médicale 2024-2029";
    IndSpecialty = "IND-SPECIALTY", "Eligible specialty", "Avenant 7 (spécialités éligibles sur tout le territoire ou dans 30 % des départements) ; convention médicale 2024-2029 (spécialités exclues)";
    IndClinicalShare = "IND-CLINICAL-SHARE", "Mostly clinical fees (surgeons, ENT, gynaecologists)", "Convention médicale 2024-2029 : chirurgiens, ORL et gynécologues, honoraires CCAM < 20 % sur les 12 mois précédant la signature";
    IndActivityFloor = "IND-ACTIVITY-FLOOR", "Activity at or above P30 of the specialty", "Avenant 7 (P30 de la spécialité, 640 patients MT adultes) ; règlement arbitral de 2023 (775 patients MT, P30 au 31/12/2021)";
    IndActivityDerogation = "IND-ACTIVITY-DEROGATION", "Derogation to the activity floor", "Avenant 7 (nouveaux installés, RQTH, plus de 20 % d'enfants) ; règlement arbitral de 2023 ; convention médicale 2024-2029";
    IndGrouped = "IND-GROUPED", "Grouped practice", "Avenant 7 (exercice regroupé, dérogation en zone sous-dense) ; avenant 8 (médecin seul en ZAC) ; condition supprimée par le règlement arbitral de 2023";
    IndCoordinated = "IND-COORDINATED", "Coordinated practice", "Avenant 7 (exercice coordonné, ou engagement sous 2 ans) ; condition supprimée par le règlement arbitral de 2023";
    IndNoCollective = "IND-NO-COLLECTIVE", "Not in a collective contract", "Aide collective C2026 : pas de cumul avec un contrat individuel";
    IndOption = "IND-OPTION", "Option open to a new contract", "Avenant 7, art. 9-5-2-2 (options) ; avenant 8 (1 ETP en ZAC) ; règlement arbitral de 2023 (fermeture du 1/3 ETP) ; convention médicale 2024-2029 (second assistant)";
    IndTerm = "IND-TERM", "Contract running on the day", "Avenant 7, sous-titre I bis (contrat de 5 ans, renouvelable) ; convention médicale 2024-2029 ; fin ou résiliation : plus rien n'est dû après la fin, la dernière année est proratisée";
    IndLegacyRenewal = "IND-LEGACY-RENEWAL", "Renewal of a contract signed before 2023-05-01", "Règlement arbitral de 2023 : les contrats antérieurs vont à leur terme sans renouvellement, sauf ceux d'un tiers temps (1/3 ETP)";
    AmtBand = "AMT-BAND", "Amount of the activity band", "Avenant 7, art. 9-5-2-2 (montants majorés P90-P95 et P95) ; convention médicale 2024-2029 (tableau ameli de juin 2024)";
    AmtRevaluation = "AMT-REVALUATION", "Revaluation at the first anniversary from 2024-06-22", "Convention médicale 2024-2029 : contrats en cours revalorisés à leur date anniversaire";
    PaySchedule = "PAY-SCHEDULE", "Payment of the year-1 aid", "Avenant 7 (70 % de l'aide de l'année 1 sous 15 jours) ; règlement arbitral de 2023 (année 1 versée le mois suivant la signature)";
    ObjTargets = "OBJ-TARGETS", "Patient objectives", "Avenant 7, art. 9-5-2-2 (hausse en % selon la tranche et l'option) ; règlement arbitral de 2023 et convention médicale 2024-2029 (patients supplémentaires)";
    ObjRounding = "OBJ-ROUNDING", "Targets in whole patients, rounded up", "Choix du projet : cibles en patients entiers, arrondies au supérieur";
    ObjAchievement = "OBJ-ACHIEVEMENT", "Achievement and payable amount", "Avenant 7, art. 9-5-2-2 (aide maximale modulée selon l'atteinte des objectifs à partir de l'année 3)";
    AmQualification = "AM-QUALIFICATION", "Assistant's qualification within the deadline", "Arrêté du 7 novembre 2019 (formation sous 3 ans) ; convention médicale 2024-2029 (CQP ou FAE sous 2 ans) ; CQP assistant médical enregistré au RNCP sous le n° 36358 (2022-04-22 au 2025-04-24) puis le n° 40913 (jusqu'au 2030-06-25), France Compétences : les deux valent";
    AmNoSubstitution = "AM-NO-SUBSTITUTION", "No substitution of an existing job", "Avenant 7 (l'assistant ne remplace pas un emploi existant) ; convention médicale 2024-2029 (remplacement du secrétariat sous 6 mois)";
    AmEtpConsistency = "AM-ETP-CONSISTENCY", "Funded time within the assistant's contract", "Avenant 7, art. 9-5-2-2 (l'option est un temps d'assistant minimal) ; lecture du projet";
    AmTraceability = "AM-TRACEABILITY", "Monthly records of the assistant's activity", "Traçabilité de l'activité de l'assistant au niveau de la structure (documents sources du projet)";
    ColSignatory = "COL-SIGNATORY", "Company that may sign a collective contract", "Aide collective C2026 : SCP, SCM ou SISA, SEL exclue";
    ColMembers = "COL-MEMBERS", "Doctors who may adhere", "Aide collective C2026 : médecins généralistes associés en nom propre, hors MEP, secteur 1 ou 2 OPTAM";
    ColThreshold = "COL-THRESHOLD", "Mean PMT of the adhering doctors", "Aide collective C2026 : patientèle MT moyenne d'au moins 775 (P30 au 31/12/2021)";
    ColEtpCap = "COL-ETP-CAP", "Funded ETP within the cap", "Aide collective C2026 : un ETP par médecin, +0,5 par médecin PAMSU accueillant un docteur junior à partir de novembre 2026";
    ColAmounts = "COL-AMOUNTS", "Yearly amounts per funded ETP", "Aide collective C2026 : 38 000, 28 000 puis 22 000 euros par ETP financé ; les montants majorés P90-P95 et P95 de l'aide individuelle ne s'appliquent pas";
    ColObjectives = "COL-OBJECTIVES", "Team objectives", "Aide collective C2026 : +260 patients MT et +110 en file active par ETP en 2 ans, moins les gains des contrats individuels";
    ColAchievement = "COL-ACHIEVEMENT", "Achievement and prorated amount", "Aide collective C2026 : aide proratisée à l'atteinte des objectifs à partir de l'année 3";
    ColNoCumulation = "COL-NO-CUMULATION", "No individual contract alongside", "Aide collective C2026 : contrats individuels clos avant l'adhésion";
    ColWaitingPeriod = "COL-WAITING-PERIOD", "Waiting period after a collective contract", "Aide collective C2026 : délai de carence de 2 ans après la fin ou la résiliation d'un contrat collectif, avant tout nouveau contrat d'aide, individuel ou collectif";
    ColDuration = "COL-DURATION", "Five-year term", "Aide collective C2026 : contrat de 5 ans, renouvelable";
    ColEmployer = "COL-EMPLOYER", "Employer of the assistant under a collective contract", "Aide collective C2026 (en vigueur depuis le 2026-02-25, validée par la CPN) : l'assistant est salarié de la société signataire ou d'un groupement d'employeurs relevant de la convention des cabinets médicaux (IDCC 1147) ; avenant au contrat de travail, avec l'accord de la salariée, s'il était salarié d'un médecin";
    StrProjetSante = "STR-PROJET-SANTE", "Projet de santé validated by the ARS", "Documents sources du projet : un modèle au niveau de la structure suppose un projet de santé validé par l'ARS (date de validation)";
    StrEmployer = "STR-EMPLOYER", "Who may employ the assistant", "Ordonnance n° 2021-584 du 12 mai 2021 et décret n° 2021-747 du 9 juin 2021 (SISA employeur) ; le médecin ou un groupement d'employeurs ; convention de partage des frais si l'employeur n'est pas le bénéficiaire de l'aide";
    CmpPayees = "CMP-PAYEES", "AM aid and ACI: different payees and objects", "Aide à l'emploi d'un assistant médical versée au médecin (ou à la société signataire sous C2026) ; ACI MSP du 20 avril 2017 versé à la SISA (ameli, structures concernées) ; cumul au niveau de la structure : lecture du projet, aucun texte ne le règle";
    CmpSameHours = "CMP-SAME-HOURS", "One person as aid-funded assistant and ACI coordinator", "Guide des indicateurs ACI, avenant 1 (Cnam/DDGOS/DPROF, octobre 2022) : la fonction de coordination peut être tenue par une personne de la structure ayant un temps identifié et dédié ; partage des heures et pas d'heure comptée deux fois : lecture du projet";
    CmpEtpOverfunded = "CMP-ETP-OVERFUNDED", "More ETP funded by aid contracts than employed", "AM-ETP-CONSISTENCY (avenant 7, art. 9-5-2-2 : l'option est un temps d'assistant) ; lecture du projet";
    CmpCostCap = "CMP-COST-CAP", "Public money within one employee's employment cost", "Aucun texte sur le cumul de l'aide à l'emploi, de la fonction de coordination ACI et des aides régionales sur un même salaire : lecture du projet (pas plus que le coût employeur)";
    CmpIndAndCol = "CMP-IND-AND-COL", "Individual contract alongside a collective adhesion", "Aide collective C2026 (en vigueur le 2026-02-25, validée en CPN) : le contrat individuel doit d'abord être résilié, le cumul n'est pas possible";
    CmpSisaRequired = "CMP-SISA-REQUIRED", "ACI signatory a SISA within the delay", "ACI MSP du 20 avril 2017 (arrêté du 24 juillet 2017) : la structure est une SISA ou le devient dans les 6 mois suivant la signature du contrat tripartite (ameli, structures concernées)";
    CmpSisaEmployer = "CMP-SISA-EMPLOYER", "SISA employing an aid-funded assistant", "Ordonnance n° 2021-584 du 12 mai 2021 et décret n° 2021-747 du 9 juin 2021 : activité de groupement d'employeurs de la SISA, prévue par ses statuts, pour mettre des salariés à la disposition de ses associés";
    CmpRegional = "CMP-REGIONAL", "Regional grant paying salaries alongside the AM aid", "Fonds d'intervention régional (FIR) et aides des ARS et régions : aucun texte sur leur cumul avec l'aide à l'emploi sur un même salaire ; lecture du projet";
    CmpCpts = "CMP-CPTS", "CPTS money paying an aid-funded assistant's hours", "ACI CPTS de 2019 (structure distincte) : aucun texte sur un assistant médical payé en partie par la CPTS ; lecture du projet";
    CmpSchemeEnded = "CMP-SCHEME-ENDED", "Demographic contract used after its end", "Convention médicale de 2016, contrats démographiques CAIM, COSCOM, COTRAM et CSTM : fin au 31 décembre 2025 (ARS Pays de la Loire) ; convention médicale 2024-2029";
    CmpUnsettled = "CMP-UNSETTLED", "Combination the texts do not settle", "Textes officiels muets (documents sources du projet : « la compatibilité reste à clarifier ») : à faire confirmer par la CPAM";
    AciPrerequisites = "ACI-PREREQUISITES", "ACI prerequisite indicators met", "ACI MSP du 20 avril 2017 (arrêté du 24 juillet 2017) et avenant 1 (JO 3 août 2022) : indicateurs socles prérequis, dont l'atteinte conditionne tout versement ; Cnam, guide des indicateurs ACI, avenant 1 (octobre 2022)";
    AciPoints = "ACI-POINTS", "Points of an ACI indicator", "ACI MSP de 2017 et avenant 1 : points fixes, points variables selon la patientèle MT des médecins associés de la SISA (référence 4 000 patients, sans plafond) ou le nombre de professionnels associés, 1 point = 7 euros ; Cnam, guide des indicateurs ACI, avenant 1 (octobre 2022)";
    AciCoordination = "ACI-COORDINATION", "Points of the ACI coordination function", "Cnam, guide des indicateurs ACI, avenant 1 (DDGOS/DPROF, octobre 2022) : 1 000 points fixes + 1 700 points variables jusqu'à 8 000 patients + 1 100 au-delà ; ACI MSP de 2017 : 700 + 1 100";
    AciPrecarity = "ACI-PRECARITY", "Precarity uplift of the ACI remuneration", "ACI MSP de 2017 : majoration selon les taux de patients CMU-C (C2S) et AME de la structure au-delà des taux nationaux, plafonnée à 25 % (résumés fédératifs)";
    AciPayment = "ACI-PAYMENT", "ACI advance and balance", "ACI MSP de 2017 et avenant 1 : avance de 60 % du montant à 100 % des indicateurs socles et prérequis au plus tard le 30 avril de l'année N (dans les 3 mois de l'adhésion l'année de signature), solde au plus tard le 30 avril de N+1 (résumés fédératifs)";
}

impl RuleId {
    /// The rules an eligibility verdict rests on (as opposed to amounts and objectives).
    pub fn decides_eligibility(self) -> bool {
        !matches!(
            self,
            RuleId::AmtBand
                | RuleId::AmtRevaluation
                | RuleId::PaySchedule
                | RuleId::IndTerm
                | RuleId::IndLegacyRenewal
                | RuleId::ObjTargets
                | RuleId::ObjRounding
                | RuleId::ObjAchievement
                | RuleId::ColAmounts
                | RuleId::ColObjectives
                | RuleId::ColAchievement
                | RuleId::ColDuration
                | RuleId::AciPoints
                | RuleId::AciCoordination
                | RuleId::AciPrecarity
                | RuleId::AciPayment
        )
    }

    pub fn is_amount(self) -> bool {
        matches!(
            self,
            RuleId::AmtBand
                | RuleId::AmtRevaluation
                | RuleId::PaySchedule
                | RuleId::IndTerm
                | RuleId::IndLegacyRenewal
                | RuleId::ColAmounts
                | RuleId::AciPoints
                | RuleId::AciCoordination
                | RuleId::AciPrecarity
                | RuleId::AciPayment
        )
    }

    /// Whether the rule checks a condition that can be unmet (`Fail`). The others compute an
    /// adjustment (a band amount, the revalued table, rounding, the payment calendar, a
    /// deduction): they `Pass` when it applies and are `NotApplicable` otherwise, never `Fail`.
    pub fn can_fail(self) -> bool {
        !matches!(
            self,
            RuleId::AmtBand
                | RuleId::AmtRevaluation
                | RuleId::PaySchedule
                | RuleId::ObjRounding
                | RuleId::ColAmounts
                | RuleId::ColObjectives
                | RuleId::AciPoints
                | RuleId::AciCoordination
                | RuleId::AciPrecarity
                | RuleId::AciPayment
        )
    }

    /// The confidence of the rule itself, apart from the parameters it reads: the project's
    /// own reading where the texts are silent.
    pub fn own_confidence(self) -> Confidence {
        match self {
            RuleId::ObjRounding | RuleId::AmEtpConsistency | RuleId::AmTraceability | RuleId::StrProjetSante => {
                Confidence::Assumption
            }
            // The collective aid is known from a paraphrase of its ameli page.
            RuleId::ColEmployer => Confidence::Secondary,
            // Funding compatibility: the texts are silent but for the SISA delay (official), the
            // end of the demographic contracts (official, read from its parameter) and C2026's
            // no-cumulation clause (secondary); the SISA employer group's reach is a reading of
            // the 2021 ordonnance by lawyers and federations.
            RuleId::CmpPayees
            | RuleId::CmpSameHours
            | RuleId::CmpEtpOverfunded
            | RuleId::CmpCostCap
            | RuleId::CmpRegional
            | RuleId::CmpCpts
            | RuleId::CmpUnsettled => Confidence::Assumption,
            RuleId::CmpIndAndCol | RuleId::CmpSisaEmployer => Confidence::Secondary,
            _ => Confidence::Official,
        }
    }

    pub fn is_objective(self) -> bool {
        matches!(
            self,
            RuleId::ObjTargets
                | RuleId::ObjRounding
                | RuleId::ObjAchievement
                | RuleId::ColObjectives
                | RuleId::ColAchievement
        )
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// What a rule concluded. For rules that compute rather than check (amounts, rounding,
/// achievement), `Pass` means their adjustment applied and `Fail` that it did not; each rule's
/// note says which.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    Pass,
    Fail,
    /// Holds for now, with something to do before a deadline.
    Warn,
    /// The rule does not apply on this date or to this case.
    NotApplicable,
    /// An input is missing; see the rule's `missing`.
    Undecided,
}

/// An input a rule used, without allocation: values, codes, or text borrowed from the case
/// (such as the doctor a per-member rule is about).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input<'b> {
    Date(NaiveDate),
    Bool(bool),
    Count(u32),
    Decimal(Decimal),
    Code(&'static str),
    Text(&'b str),
}

impl fmt::Display for Input<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Input::Date(d) => write!(f, "{d}"),
            Input::Bool(b) => write!(f, "{b}"),
            Input::Count(n) => write!(f, "{n}"),
            Input::Decimal(d) => write!(f, "{d}"),
            Input::Code(c) => f.write_str(c),
            Input::Text(t) => f.write_str(t),
        }
    }
}

/// Receives what rules do. Methods take cheap values; [`NoTrace`] ignores them.
pub trait Tracer<'b> {
    /// Whether anything is kept: lets a rule skip work done only for the explanation.
    const RECORDS: bool;
    fn rule(&mut self, id: RuleId);
    fn input(&mut self, name: &'static str, value: Input<'b>);
    fn param(&mut self, p: P, step: &'b Step);
    fn missing(&mut self, name: &'static str);
    /// Closes the current rule. `note` says, for a person, why it concluded so.
    fn outcome(&mut self, outcome: Outcome, note: &'static str);
}

/// Batch mode: records nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoTrace;

impl<'b> Tracer<'b> for NoTrace {
    const RECORDS: bool = false;
    #[inline(always)]
    fn rule(&mut self, _: RuleId) {}
    #[inline(always)]
    fn input(&mut self, _: &'static str, _: Input<'b>) {}
    #[inline(always)]
    fn param(&mut self, _: P, _: &'b Step) {}
    #[inline(always)]
    fn missing(&mut self, _: &'static str) {}
    #[inline(always)]
    fn outcome(&mut self, _: Outcome, _: &'static str) {}
}

#[derive(Debug, Clone)]
struct RuleRecord {
    id: RuleId,
    outcome: Outcome,
    note: &'static str,
    inputs: Range<u32>,
    params: Range<u32>,
    missing: Range<u32>,
}

/// Explained mode: keeps every rule's trace, borrowing parameter steps from the rule book.
#[derive(Debug, Clone, Default)]
pub struct Recorder<'b> {
    rules: Vec<RuleRecord>,
    inputs: Vec<(&'static str, Input<'b>)>,
    params: Vec<(P, &'b Step)>,
    missing: Vec<&'static str>,
    open: Option<(RuleId, u32, u32, u32)>,
}

fn len32<T>(v: &[T]) -> u32 {
    u32::try_from(v.len()).unwrap_or(u32::MAX)
}

impl Recorder<'_> {
    pub fn new() -> Self {
        Self {
            rules: Vec::with_capacity(24),
            inputs: Vec::with_capacity(48),
            params: Vec::with_capacity(48),
            missing: Vec::new(),
            open: None,
        }
    }
}

impl<'b> Tracer<'b> for Recorder<'b> {
    const RECORDS: bool = true;
    fn rule(&mut self, id: RuleId) {
        self.open = Some((id, len32(&self.inputs), len32(&self.params), len32(&self.missing)));
    }
    fn input(&mut self, name: &'static str, value: Input<'b>) {
        self.inputs.push((name, value));
    }
    fn param(&mut self, p: P, step: &'b Step) {
        // A rule may read the same step twice (e.g. once per contract year); keep it once.
        let start = self.open.map_or(0, |(_, _, p0, _)| p0 as usize);
        if !self.params[start..].iter().any(|(q, s)| *q == p && std::ptr::eq(*s, step)) {
            self.params.push((p, step));
        }
    }
    fn missing(&mut self, name: &'static str) {
        self.missing.push(name);
    }
    fn outcome(&mut self, outcome: Outcome, note: &'static str) {
        if let Some((id, i0, p0, m0)) = self.open.take() {
            self.rules.push(RuleRecord {
                id,
                outcome,
                note,
                inputs: i0..len32(&self.inputs),
                params: p0..len32(&self.params),
                missing: m0..len32(&self.missing),
            });
        }
    }
}

/// Overall conclusion of an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    Eligible,
    NotEligible,
    /// No rule failed but some could not decide: see `missing`.
    Undecided,
}

/// One rule's trace, as read from an [`Explanation`].
#[derive(Debug, Clone, Copy)]
pub struct RuleTrace<'e, 'b> {
    pub id: RuleId,
    pub outcome: Outcome,
    pub note: &'static str,
    pub inputs: &'e [(&'static str, Input<'b>)],
    pub params: &'e [(P, &'b Step)],
    pub missing: &'e [&'static str],
}

impl RuleTrace<'_, '_> {
    /// The weakest of the rule's own confidence and of the parameters it read.
    pub fn confidence(&self) -> Confidence {
        self.params.iter().map(|(_, s)| s.provenance.confidence).fold(self.id.own_confidence(), Confidence::min)
    }
}

/// A finished explanation.
#[derive(Debug, Clone)]
pub struct Explanation<'b> {
    pub format_version: &'static str,
    pub verdict: Verdict,
    recorder: Recorder<'b>,
}

impl<'b> Explanation<'b> {
    pub fn new(verdict: Verdict, recorder: Recorder<'b>) -> Self {
        Self { format_version: FORMAT_VERSION, verdict, recorder }
    }

    pub fn rules(&self) -> impl Iterator<Item = RuleTrace<'_, 'b>> {
        let r = &self.recorder;
        let slice = |range: &Range<u32>| range.start as usize..range.end as usize;
        r.rules.iter().map(move |rule| RuleTrace {
            id: rule.id,
            outcome: rule.outcome,
            note: rule.note,
            inputs: &r.inputs[slice(&rule.inputs)],
            params: &r.params[slice(&rule.params)],
            missing: &r.missing[slice(&rule.missing)],
        })
    }

    /// The weakest confidence of every rule and parameter the evaluation relied on.
    pub fn confidence(&self) -> Confidence {
        self.rules().map(|r| r.confidence()).min().unwrap_or(Confidence::Official)
    }

    /// The weakest confidence of the parameters read by the rules `which` selects.
    pub fn confidence_of(&self, which: impl Fn(RuleId) -> bool) -> Confidence {
        self.rules().filter(|r| which(r.id)).map(|r| r.confidence()).min().unwrap_or(Confidence::Official)
    }

    /// The parameters read whose confidence is below official: what the verdict rests on that
    /// is "our best reading" rather than "the convention says". Each listed once.
    pub fn caveats(&self) -> Vec<(P, &'b Step)> {
        let mut out: Vec<(P, &'b Step)> = Vec::new();
        for (p, s) in &self.recorder.params {
            if s.provenance.confidence < Confidence::Official
                && !out.iter().any(|(q, t)| q == p && std::ptr::eq(*t, *s))
            {
                out.push((*p, s));
            }
        }
        out
    }

    /// Every missing input, each listed once.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for m in &self.recorder.missing {
            if !out.contains(m) {
                out.push(m);
            }
        }
        out
    }

    pub fn outcome_of(&self, id: RuleId) -> Option<Outcome> {
        self.rules().find(|r| r.id == id).map(|r| r.outcome)
    }
}

/// Plain, owned form of an explanation, for JSON output (batch files, logs).
#[derive(Debug, Clone, Serialize)]
pub struct ExplanationView {
    pub format_version: &'static str,
    pub verdict: Verdict,
    pub confidence: Confidence,
    pub rules: Vec<RuleView>,
    pub missing: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub rule: RuleId,
    pub title: &'static str,
    pub reference: &'static str,
    pub outcome: Outcome,
    pub note: &'static str,
    pub confidence: Confidence,
    pub inputs: Vec<(&'static str, String)>,
    pub parameters: Vec<ParameterView>,
    pub missing: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ParameterView {
    pub key: &'static str,
    pub value: String,
    pub effective_from: NaiveDate,
    pub reference: String,
    pub source: String,
    pub confidence: Confidence,
    pub checked_on: NaiveDate,
}

impl ParameterView {
    pub fn new(p: P, step: &Step) -> Self {
        Self {
            key: p.spec().key,
            value: step.value.to_string(),
            effective_from: step.from,
            reference: step.provenance.reference.clone(),
            source: step.provenance.source.clone(),
            confidence: step.provenance.confidence,
            checked_on: step.provenance.checked_on,
        }
    }
}

impl Explanation<'_> {
    pub fn view(&self) -> ExplanationView {
        ExplanationView {
            format_version: self.format_version,
            verdict: self.verdict,
            confidence: self.confidence(),
            missing: self.missing(),
            rules: self
                .rules()
                .map(|r| RuleView {
                    rule: r.id,
                    title: r.id.title(),
                    reference: r.id.reference(),
                    outcome: r.outcome,
                    note: r.note,
                    confidence: r.confidence(),
                    inputs: r.inputs.iter().map(|(n, v)| (*n, v.to_string())).collect(),
                    parameters: r.params.iter().map(|(p, s)| ParameterView::new(*p, s)).collect(),
                    missing: r.missing.to_vec(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::params::{Provenance, Value};

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn step(from: NaiveDate, value: Value, reference: &str, confidence: Confidence) -> Step {
        Step {
            from,
            value,
            provenance: Provenance {
                reference: reference.to_owned(),
                source: format!("https://example.org/{reference}"),
                confidence,
                checked_on: day(2026, 11, 23),
            },
        }
    }

    /// Steps by address: the recorder keeps the very steps it was given.
    fn addresses(params: &[(P, &Step)]) -> Vec<(P, *const Step)> {
        params.iter().map(|(p, s)| (*p, std::ptr::from_ref(*s))).collect()
    }

    #[test]
    fn rule_families_partition_the_rules() {
        use RuleId::*;
        let amounts = [
            AmtBand,
            AmtRevaluation,
            PaySchedule,
            IndTerm,
            IndLegacyRenewal,
            ColAmounts,
            AciPoints,
            AciCoordination,
            AciPrecarity,
            AciPayment,
        ];
        let objectives = [ObjTargets, ObjRounding, ObjAchievement, ColObjectives, ColAchievement];
        for &id in RuleId::ALL {
            let amount = amounts.contains(&id);
            let objective = objectives.contains(&id);
            assert_eq!(id.is_amount(), amount, "{id:?}");
            assert_eq!(id.is_objective(), objective, "{id:?}");
            assert_eq!(id.decides_eligibility(), !amount && !objective && id != ColDuration, "{id:?}");
        }
        assert!(IndLiberal.decides_eligibility() && ColWaitingPeriod.decides_eligibility());
        assert!(!ColDuration.decides_eligibility() && !ColDuration.is_amount() && !ColDuration.is_objective());
    }

    #[test]
    fn rule_codes_are_unique_and_read_back() {
        let codes: std::collections::BTreeSet<&str> = RuleId::ALL.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), RuleId::ALL.len());
        for &id in RuleId::ALL {
            assert_eq!(RuleId::from_code(id.code()), Some(id));
            assert!(!id.title().is_empty() && !id.reference().is_empty(), "{id:?}");
            assert_eq!(serde_json::to_string(&id).ok(), Some(format!("\"{}\"", id.code())));
        }
        assert_eq!(RuleId::from_code("COL-ETP-CAP"), Some(RuleId::ColEtpCap));
        for unknown in ["", "col-etp-cap", "COL-ETP-CAP ", "IND"] {
            assert_eq!(RuleId::from_code(unknown), None, "{unknown:?}");
        }
    }

    #[test]
    fn inputs_display_as_clients_read_them() {
        for (input, text) in [
            (Input::Date(day(2024, 6, 22)), "2024-06-22"),
            (Input::Bool(true), "true"),
            (Input::Bool(false), "false"),
            (Input::Count(775), "775"),
            (Input::Decimal(Decimal::new(20, 2)), "0.20"),
            (Input::Code("SCP"), "SCP"),
        ] {
            assert_eq!(input.to_string(), text);
        }
    }

    #[test]
    fn an_explanation_says_what_each_rule_used_and_concluded() {
        let floor = step(day(2019, 8, 21), Value::Count(640), "avenant 7", Confidence::Official);
        let share = step(day(2019, 8, 21), Value::Ratio(Decimal::new(20, 2)), "our reading", Confidence::Assumption);
        let y1_old = step(day(2019, 8, 21), Value::Money(Decimal::from(12_000)), "press 2019", Confidence::Secondary);
        let y1_new = step(day(2024, 6, 22), Value::Money(Decimal::from(18_000)), "press 2024", Confidence::Secondary);
        let mut r = Recorder::new();

        r.rule(RuleId::IndActivityFloor);
        r.input("doctor.activity.pmt", Input::Count(700));
        r.input("hired_on", Input::Date(day(2025, 1, 2)));
        r.param(P::GpFloor, &floor);
        r.param(P::GpFloor, &floor);
        r.param(P::ClinicalShareMaxCcam, &share);
        r.outcome(Outcome::Pass, "at or above the floor");

        // Same parameter, two steps (two contract years): both kept; the floor again, in this rule.
        r.rule(RuleId::AmtBand);
        r.param(P::GpFloor, &floor);
        r.param(P::AmountHalfY1, &y1_old);
        r.param(P::AmountHalfY1, &y1_new);
        r.param(P::AmountHalfY1, &y1_old);
        r.missing("doctor.activity.adult_pmt");
        r.outcome(Outcome::Undecided, "band unknown");

        r.rule(RuleId::ObjTargets);
        r.param(P::ClinicalShareMaxCcam, &share);
        r.missing("doctor.activity.adult_pmt");
        r.missing("actual.pmt");
        r.outcome(Outcome::Fail, "targets not met");

        r.rule(RuleId::ColDuration);
        r.outcome(Outcome::NotApplicable, "no collective contract");
        // An outcome with no rule open records nothing.
        r.outcome(Outcome::Pass, "stray");

        let e = Explanation::new(Verdict::Undecided, r);
        assert_eq!((e.format_version, e.verdict), (FORMAT_VERSION, Verdict::Undecided));

        let rules: Vec<RuleTrace<'_, '_>> = e.rules().collect();
        let summary: Vec<_> = rules.iter().map(|r| (r.id, r.outcome, r.note)).collect();
        assert_eq!(
            summary,
            [
                (RuleId::IndActivityFloor, Outcome::Pass, "at or above the floor"),
                (RuleId::AmtBand, Outcome::Undecided, "band unknown"),
                (RuleId::ObjTargets, Outcome::Fail, "targets not met"),
                (RuleId::ColDuration, Outcome::NotApplicable, "no collective contract"),
            ]
        );
        let params = |i: usize| addresses(rules[i].params);
        assert_eq!(params(0), [(P::GpFloor, &raw const floor), (P::ClinicalShareMaxCcam, &raw const share)]);
        assert_eq!(
            params(1),
            [
                (P::GpFloor, &raw const floor),
                (P::AmountHalfY1, &raw const y1_old),
                (P::AmountHalfY1, &raw const y1_new)
            ]
        );
        assert_eq!(params(2), [(P::ClinicalShareMaxCcam, &raw const share)]);
        assert!(params(3).is_empty());
        assert_eq!(
            rules[0].inputs,
            [("doctor.activity.pmt", Input::Count(700)), ("hired_on", Input::Date(day(2025, 1, 2)))]
        );
        assert!(rules[1..].iter().all(|r| r.inputs.is_empty()));
        let missing: Vec<&[&str]> = rules.iter().map(|r| r.missing).collect();
        assert_eq!(
            missing,
            [&[][..], &["doctor.activity.adult_pmt"][..], &["doctor.activity.adult_pmt", "actual.pmt"][..], &[][..]]
        );

        // Confidence: the weakest read, per rule, per family, overall.
        let confidences: Vec<Confidence> = rules.iter().map(RuleTrace::confidence).collect();
        assert_eq!(
            confidences,
            [Confidence::Assumption, Confidence::Secondary, Confidence::Assumption, Confidence::Official]
        );
        assert_eq!(e.confidence(), Confidence::Assumption);
        assert_eq!(e.confidence_of(RuleId::is_amount), Confidence::Secondary);
        assert_eq!(e.confidence_of(RuleId::decides_eligibility), Confidence::Assumption);
        assert_eq!(e.confidence_of(|id| id == RuleId::ColDuration), Confidence::Official);
        assert_eq!(e.confidence_of(|_| false), Confidence::Official);

        // Caveats: below official, each step once, in reading order.
        assert_eq!(
            addresses(&e.caveats()),
            [
                (P::ClinicalShareMaxCcam, &raw const share),
                (P::AmountHalfY1, &raw const y1_old),
                (P::AmountHalfY1, &raw const y1_new)
            ]
        );
        assert_eq!(e.missing(), ["doctor.activity.adult_pmt", "actual.pmt"]);

        assert_eq!(e.outcome_of(RuleId::IndActivityFloor), Some(Outcome::Pass));
        assert_eq!(e.outcome_of(RuleId::AmtBand), Some(Outcome::Undecided));
        assert_eq!(e.outcome_of(RuleId::ObjTargets), Some(Outcome::Fail));
        assert_eq!(e.outcome_of(RuleId::ColDuration), Some(Outcome::NotApplicable));
        assert_eq!(e.outcome_of(RuleId::IndLiberal), None);
    }

    #[test]
    fn an_explanation_without_parameters_is_official_and_complete() {
        let mut r = Recorder::new();
        r.rule(RuleId::IndLiberal);
        r.input("doctor.liberal", Input::Bool(true));
        r.outcome(Outcome::Pass, "liberal");
        let e = Explanation::new(Verdict::Eligible, r);
        assert_eq!(e.confidence(), Confidence::Official);
        assert_eq!(e.confidence_of(RuleId::decides_eligibility), Confidence::Official);
        assert!(e.caveats().is_empty() && e.missing().is_empty());
        assert_eq!(e.rules().count(), 1);
        let empty = Explanation::new(Verdict::Eligible, Recorder::default());
        assert_eq!((empty.rules().count(), empty.confidence()), (0, Confidence::Official));
        assert_eq!(empty.outcome_of(RuleId::IndLiberal), None);
    }

    #[test]
    fn the_view_is_what_clients_read() {
        let amount =
            step(day(2024, 6, 22), Value::Money(Decimal::from(18_000)), "convention 2024", Confidence::Official);
        let ratio = step(day(2019, 8, 21), Value::Ratio(Decimal::new(70, 2)), "avenant 7", Confidence::Secondary);
        let mut r = Recorder::new();
        r.rule(RuleId::AmtBand);
        r.input("option", Input::Code("HALF_ETP"));
        r.input("signed_on", Input::Date(day(2025, 3, 1)));
        r.param(P::AmountHalfY1, &amount);
        r.outcome(Outcome::Pass, "amount of the band");
        r.rule(RuleId::PaySchedule);
        r.param(P::Year1FirstInstalment, &ratio);
        r.missing("contract.signed_on");
        r.missing("contract.signed_on");
        r.outcome(Outcome::Undecided, "signature date unknown");
        let view = Explanation::new(Verdict::Undecided, r).view();

        assert_eq!(
            (view.format_version, view.verdict, view.confidence),
            ("2.0", Verdict::Undecided, Confidence::Secondary)
        );
        assert_eq!(view.missing, ["contract.signed_on"]);
        assert_eq!(view.rules.len(), 2);
        let band = &view.rules[0];
        assert_eq!(
            (band.rule, band.title, band.reference),
            (RuleId::AmtBand, RuleId::AmtBand.title(), RuleId::AmtBand.reference())
        );
        assert_eq!(
            (band.outcome, band.note, band.confidence),
            (Outcome::Pass, "amount of the band", Confidence::Official)
        );
        assert_eq!(band.inputs, [("option", "HALF_ETP".to_owned()), ("signed_on", "2025-03-01".to_owned())]);
        assert!(band.missing.is_empty());
        let [p] = band.parameters.as_slice() else { panic!("one parameter: {:?}", band.parameters) };
        assert_eq!((p.key, p.value.as_str(), p.effective_from), ("amount.half_etp.year_1", "18000", day(2024, 6, 22)));
        assert_eq!(
            (p.reference.as_str(), p.source.as_str(), p.confidence, p.checked_on),
            ("convention 2024", "https://example.org/convention 2024", Confidence::Official, day(2026, 11, 23))
        );
        let pay = &view.rules[1];
        assert_eq!(
            (pay.rule, pay.outcome, pay.confidence),
            (RuleId::PaySchedule, Outcome::Undecided, Confidence::Secondary)
        );
        assert_eq!(pay.missing, ["contract.signed_on", "contract.signed_on"], "per rule, as recorded");
        assert_eq!(pay.parameters[0].value, "0.70");

        let json = serde_json::to_value(&view).expect("serialises");
        assert_eq!(json["rules"][0]["rule"], "AMT-BAND");
        assert_eq!(json["rules"][1]["outcome"], "UNDECIDED");
        assert_eq!(json["rules"][1]["parameters"][0]["confidence"], "secondary");
        assert_eq!(json["rules"][0]["parameters"][0]["effective_from"], "2024-06-22");
        assert_eq!(json["verdict"], "UNDECIDED");
    }

    #[test]
    fn parameter_views_of_the_rule_book_carry_their_provenance() {
        let book = crate::rules::RuleBook::embedded().expect("embedded");
        let on = day(2025, 1, 1);
        let s = book.step(P::GpFloor, on).expect("in force");
        let v = ParameterView::new(P::GpFloor, s);
        assert_eq!((v.key, v.value.clone(), v.effective_from), ("eligibility.gp_floor", s.value.to_string(), s.from));
        assert_eq!(
            (&v.reference, &v.source, v.confidence),
            (&s.provenance.reference, &s.provenance.source, s.provenance.confidence)
        );
        assert!(v.effective_from <= on && !v.reference.is_empty());
    }
}
