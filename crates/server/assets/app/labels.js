// French labels of the API's enum values: the one table of the page. The API stays English;
// a value missing here is shown as the API spells it.

const LABELS = {
  Verdict: { ELIGIBLE: 'Éligible', NOT_ELIGIBLE: 'Non éligible', UNDECIDED: 'À préciser' },
  Outcome: { PASS: 'Respectée', FAIL: 'Non respectée', WARN: 'À surveiller', NOT_APPLICABLE: 'Sans objet', UNDECIDED: 'Indécise' },
  Confidence: { OFFICIAL: 'texte officiel', SECONDARY: 'source secondaire', ASSUMPTION: 'hypothèse (notre lecture)' },
  ConfidenceShort: { OFFICIAL: 'off.', SECONDARY: 'sec.', ASSUMPTION: 'hyp.' },
  AidOption: { ONE_THIRD_ETP: '1/3 ETP', HALF_ETP: '1/2 ETP', ONE_ETP: '1 ETP', ONE_AND_HALF_ETP: '1,5 ETP', TWO_ETP: '2 ETP' },
  ContractStatus: { DRAFT: 'Brouillon', ACTIVE: 'En cours', SUSPENDED: 'Suspendu', TERMINATED: 'Résilié', ENDED: 'Terminé' },
  ContractKind: { INDIVIDUAL: 'Individuel', COLLECTIVE: 'Collectif' },
  Indicator: { PMT: 'Patientèle médecin traitant', ADULT_PMT: 'Patientèle médecin traitant adulte', FILE_ACTIVE: 'File active' },
  TargetKind: { INCREASE: 'Augmenter', MAINTAIN: 'Maintenir', REACH_MEDIAN: 'Atteindre la médiane' },
  DeadlineKind: {
    ANNIVERSARY: 'Date anniversaire', OBJECTIVES_DUE: 'Échéance des objectifs', QUALIFICATION_DEADLINE: 'Date limite de qualification',
    PAYMENT: 'Versement', CONTRACT_END: 'Fin de contrat', WAITING_PERIOD_ENDS: 'Fin du délai de carence',
  },
  Severity: { CONFLICT: 'Conflits', WARNING: 'Points de vigilance', INFO: 'Pour information' },
  SeverityOne: { CONFLICT: 'Conflit', WARNING: 'Vigilance', INFO: 'Information' },
  FindingSubjectKind: {
    DOCTOR: 'Médecin', ASSISTANT: 'Assistant(e)', AID_CONTRACT: "Contrat d'aide", ACI_CONTRACT: 'Contrat ACI', GRANT: 'Subvention', NAMED: 'Personne',
  },
  MoneySource: {
    INDIVIDUAL_AID: 'Aide individuelle', COLLECTIVE_AID: 'Aide collective', ACI: 'ACI', REGIONAL: 'ARS, FIR, collectivités',
    CPTS: 'CPTS', DEMOGRAPHIC_CONTRACT: 'Contrat démographique', OTHER: 'Autre',
  },
  PayeeKind: { DOCTOR: 'Médecin', STRUCTURE: 'Structure' },
  FiguresOrigin: { MANUAL: 'saisis à la main', CPAM: 'reçus de la CPAM' },
  MoneyBasis: { FORECAST: 'prévision', RECORDED: 'enregistré' },
  ComparisonChoice: { COLLECTIVE: 'Passer au contrat collectif', KEEP_INDIVIDUAL: 'Garder les contrats individuels', UNDECIDED: 'Impossible de trancher' },
  ScenarioLineKind: { RUNNING: 'En cours, conservé', NEW: 'Nouveau contrat', COLLECTIVE: 'Contrat collectif' },
  MissionFamily: {
    ADMINISTRATIVE: 'Administratif', CONSULTATION: 'Consultation', COORDINATION: 'Coordination',
    ACI_COORDINATION: 'Coordination ACI', OTHER_FUNCTION: 'Autre fonction',
  },
  ActivityBand: { BELOW_P30: 'Sous le P30', P30_P50: 'P30 à P50', P50_P70: 'P50 à P70', P70_P90: 'P70 à P90', P90_P95: 'P90 à P95', P95_PLUS: 'P95 et plus' },
  Role: { ADMIN: 'administrateur', COORDINATOR: 'coordinateur' },
  StructureKind: { MSP: 'MSP', CENTRE_DE_SANTE: 'Centre de santé', GROUP_PRACTICE: 'Cabinet de groupe', ESP: 'ESP' },
  LegalForm: { SISA: 'SISA', SCM: 'SCM', SCP: 'SCP', SEL: 'SEL', ASSOCIATION: 'Association', OTHER: 'Autre' },
  Specialty: {
    GENERAL_PRACTICE: 'Médecine générale', PEDIATRICS: 'Pédiatrie', GERIATRICS: 'Gériatrie', RHEUMATOLOGY: 'Rhumatologie',
    DERMATOLOGY: 'Dermatologie', ENDOCRINOLOGY: 'Endocrinologie', NEUROLOGY: 'Neurologie', MEDICAL_ENT: 'ORL médicale',
    MEDICAL_GYNAECOLOGY: 'Gynécologie médicale', INTERNAL_MEDICINE: 'Médecine interne',
    PHYSICAL_MEDICINE_REHABILITATION: 'Médecine physique et de réadaptation', GASTROENTEROLOGY: 'Gastro-entérologie',
    PULMONOLOGY: 'Pneumologie', CARDIOLOGY: 'Cardiologie', PSYCHIATRY: 'Psychiatrie', OPHTHALMOLOGY: 'Ophtalmologie',
    VASCULAR_MEDICINE: 'Médecine vasculaire', ALLERGOLOGY: 'Allergologie', NEPHROLOGY: 'Néphrologie',
    MEDICAL_ONCOLOGY: 'Oncologie médicale', ENT: 'ORL', OBSTETRICS_GYNAECOLOGY: 'Gynécologie-obstétrique',
    GENERAL_SURGERY: 'Chirurgie générale', ORTHOPAEDIC_SURGERY: 'Chirurgie orthopédique', UROLOGY: 'Urologie',
    VASCULAR_SURGERY: 'Chirurgie vasculaire', PLASTIC_SURGERY: 'Chirurgie plastique', RADIOLOGY: 'Radiologie',
    RADIOTHERAPY: 'Radiothérapie', STOMATOLOGY: 'Stomatologie', ANAESTHESIA: 'Anesthésie',
    ANATOMO_CYTO_PATHOLOGY: 'Anatomo-cyto-pathologie', NUCLEAR_MEDICINE: 'Médecine nucléaire',
  },
  // Codes of `userErrors` and of GraphQL errors the page explains in French; the API's own
  // message (English) is shown beside it.
  ErrorCode: {
    UNAUTHENTICATED: "Ce jeton n'est pas reconnu : il est erroné, révoqué ou expiré. Demandez-en un nouveau à votre administrateur.",
    FORBIDDEN: "Ce jeton ne donne pas accès à cette structure.",
    NOT_FOUND: 'Introuvable, ou hors de votre périmètre.',
    BAD_USER_INPUT: 'Valeur refusée.',
    TIMEOUT: 'Le serveur a mis trop de temps à répondre ; réessayez.',
    INTERNAL: 'Erreur du serveur ; réessayez plus tard.',
    HOURS_TOO_PRECISE: 'Deux décimales au plus.',
    HOURS_MALFORMED: "Ce n'est pas un nombre d'heures (ex. 12, 7,5).",
    HOURS_NOT_POSITIVE: 'Le nombre d’heures doit être supérieur à zéro.',
    HOURS_OVER_CEILING: 'Plus d’heures que le mois n’en permet.',
    HOURS_INVALID: 'Nombre d’heures invalide.',
    ACTIVITY_LINE_EXISTS: 'Une ligne existe déjà pour ce médecin et cette mission : corrigez-la plutôt.',
    ACTIVITY_MONTH_IN_FUTURE: 'Ce mois n’est pas encore commencé.',
    ACTIVITY_MONTH_BEFORE_HIRE: 'Mois antérieur à l’embauche.',
    MONTH_MALFORMED: 'Mois attendu au format AAAA-MM.',
    MISSION_FAMILY_UNKNOWN: 'Mission inconnue.',
    DOCTOR_NOT_MEMBER: 'Ce médecin n’est pas membre de la structure.',
    ASSISTANT_NOT_FOUND: 'Assistant(e) introuvable.',
    ASSISTANT_AMBIGUOUS: 'Plusieurs assistant(e)s portent ce nom.',
    CSV_EMPTY: 'Le fichier est vide.',
    CSV_HEADER_INVALID: 'En-tête attendu : assistant,month,doctor,family,hours (et label, facultatif).',
    CSV_LINE_MALFORMED: 'Ligne mal formée.',
    CSV_TOO_MANY_LINES: 'Trop de lignes pour un seul fichier.',
    YEAR_OUT_OF_RANGE: 'Année hors de la plage acceptée.',
    ADULT_PMT_EXCEEDS_PMT: 'La patientèle adulte dépasse la patientèle totale.',
    CCAM_SHARE_INVALID: 'Part CCAM invalide (un pourcentage, deux décimales au plus).',
    COUNT_OUT_OF_RANGE: 'Nombre hors de la plage acceptée.',
    END_BEFORE_START: 'La date de fin précède la date de début.',
    MEMBERSHIP_NOT_FOUND: 'Appartenance introuvable.',
    REQUIRED: 'Champ obligatoire.',
    FUNDED_ETP_INVALID: 'ETP invalide (ex. 1, 2,5 ou 7/6).',
    PRACTITIONER_NOT_FOUND: 'Médecin introuvable, ou hors de votre périmètre.',
    STRUCTURE_NOT_FOUND: 'Structure introuvable, ou hors de votre périmètre.',
    PRACTITIONER_NOT_IN_STRUCTURE: 'Ce médecin n’est pas membre de cette structure.',
    ASSISTANT_NOT_IN_STRUCTURE: 'Cet(te) assistant(e) n’est pas employé(e) dans cette structure.',
    ACTIVITY_RECORD_SUPERSEDED: 'Cette ligne a été corrigée entre-temps : rechargez la page et corrigez la dernière version.',
    ACTIVITY_RECORD_NOT_FOUND: 'Ligne d’activité introuvable.',
    MEMBERSHIP_OVERLAPS: 'Cette période chevauche une autre appartenance du médecin à la structure.',
    MEMBERSHIP_REQUIRED: 'Le médecin doit être membre de la structure.',
    END_DATE_REQUIRED: 'Date de fin obligatoire.',
    FIGURES_ALREADY_EXIST: 'Des chiffres existent déjà pour cette année.',
    NO_FIGURES: 'Aucun chiffre pour cette année.',
    TEXT_INVALID: 'Texte refusé (caractères non admis).',
    TOO_LONG: 'Texte trop long.',
    NAME_INVALID_CHARACTERS: 'Le nom contient des caractères non admis.',
  },
  // French titles of the rule codes the page shows; the code stays beside it (the API's
  // explanation gives the English title).
  Rule: {
    'IND-LIBERAL': 'Exercice libéral conventionné', 'IND-SECTOR': 'Secteur 1, ou secteur 2 avec OPTAM',
    'IND-SPECIALTY': 'Spécialité éligible', 'IND-CLINICAL-SHARE': 'Activité surtout clinique',
    'IND-ACTIVITY-FLOOR': 'Activité au moins au P30 de la spécialité', 'IND-ACTIVITY-DEROGATION': 'Dérogation au seuil d’activité',
    'IND-GROUPED': 'Exercice regroupé', 'IND-COORDINATED': 'Exercice coordonné', 'IND-NO-COLLECTIVE': 'Pas de contrat collectif en parallèle',
    'IND-OPTION': 'Option ouverte à un nouveau contrat', 'AM-QUALIFICATION': 'Qualification de l’assistant(e) dans le délai',
    'AM-NO-SUBSTITUTION': 'Pas de substitution à un emploi existant', 'AM-ETP-CONSISTENCY': 'Temps financé dans le contrat de travail',
    'AM-TRACEABILITY': 'Traçabilité mensuelle de l’activité de l’assistant(e)', 'COL-SIGNATORY': 'Société pouvant signer un contrat collectif',
    'COL-MEMBERS': 'Médecins pouvant adhérer', 'COL-THRESHOLD': 'PMT moyenne des adhérents', 'COL-ETP-CAP': 'ETP financés dans le plafond',
    'COL-NO-CUMULATION': 'Pas de contrat individuel en parallèle', 'COL-WAITING-PERIOD': 'Délai de carence après un contrat collectif',
    'COL-EMPLOYER': 'Employeur de l’assistant(e) sous contrat collectif', 'STR-PROJET-SANTE': 'Projet de santé validé par l’ARS',
    'STR-EMPLOYER': 'Qui peut employer l’assistant(e)', 'ACI-PREREQUISITES': 'Indicateurs socles de l’ACI atteints',
    'IND-TERM': 'Contrat en cours ce jour', 'IND-LEGACY-RENEWAL': 'Renouvellement d’un contrat signé avant le 1er mai 2023',
    'AMT-BAND': 'Montant selon la tranche d’activité', 'AMT-REVALUATION': 'Revalorisation au premier anniversaire',
    'PAY-SCHEDULE': 'Versement de l’aide de la première année', 'COL-AMOUNTS': 'Montants annuels par ETP financé',
    'ACI-POINTS': 'Points d’un indicateur ACI', 'ACI-COORDINATION': 'Points de la fonction de coordination ACI',
    'ACI-PRECARITY': 'Majoration précarité de l’ACI', 'ACI-PAYMENT': 'Avance et solde de l’ACI',
    'OBJ-TARGETS': 'Objectifs de patientèle', 'OBJ-ROUNDING': 'Objectifs en patients entiers, arrondis au-dessus',
    'OBJ-ACHIEVEMENT': 'Réalisation et montant payable', 'COL-OBJECTIVES': 'Objectifs de l’équipe',
    'COL-ACHIEVEMENT': 'Réalisation et montant au prorata', 'COL-DURATION': 'Durée de cinq ans',
    'CMP-PAYEES': 'Aide AM et ACI : bénéficiaires et objets distincts', 'CMP-SAME-HOURS': 'Une même personne assistant(e) financé(e) et coordinateur ACI',
    'CMP-ETP-OVERFUNDED': 'Plus d’ETP financés qu’employés', 'CMP-COST-CAP': 'Argent public dans la limite du coût de l’emploi',
    'CMP-IND-AND-COL': 'Contrat individuel et adhésion collective', 'CMP-SISA-REQUIRED': 'Signataire ACI en SISA dans le délai',
    'CMP-SISA-EMPLOYER': 'SISA employant un(e) assistant(e) financé(e)', 'CMP-REGIONAL': 'Subvention régionale payant des salaires avec l’aide AM',
    'CMP-CPTS': 'Argent CPTS payant des heures d’un(e) assistant(e) financé(e)', 'CMP-SCHEME-ENDED': 'Contrat démographique utilisé après sa fin',
    'CMP-UNSETTLED': 'Cumul que les textes ne tranchent pas',
  },
  // The comparison's dimensions (STR-COMPARISON).
  Dimension: {
    beneficiary: 'Bénéficiaire de l’aide', employer: 'Employeur de l’assistant(e)', pooling: 'Mutualisation du temps',
    stability: 'Stabilité', objectives: 'Objectifs',
  },
  // Inputs a rule could not read: what to fill in, in French.
  MissingInput: {
    'structure.projet_sante_validated_on': 'Date de validation du projet de santé par l’ARS',
    'structure.employer_group_statutes': 'Statuts de groupement d’employeurs de la structure',
    'employer.groupement_d_employeurs': 'L’employeur est-il un groupement d’employeurs ?',
    'contract.signed_on': 'Date de signature du contrat',
    'doctor.activity.pmt': 'Patientèle médecin traitant (PMT)', 'doctor.activity.adult_pmt': 'PMT adulte',
    'doctor.activity.file_active': 'File active', 'doctor.band': 'Tranche d’activité', 'doctor.ccam_share': 'Part CCAM des honoraires',
    'doctor.children_share': 'Part d’enfants dans la patientèle', 'doctor.coordinated_practice': 'Exercice coordonné',
    'doctor.grouped_practice': 'Exercice regroupé', 'doctor.installed_on': 'Date d’installation', 'doctor.rqth': 'Reconnaissance RQTH',
    'doctor.specialty_median.file_active': 'Médiane de file active de la spécialité', 'doctor.underserved_departement': 'Département sous-doté',
    'doctor.zone': 'Zonage du lieu d’exercice', actual: 'Réalisation des objectifs', 'actual.pmt': 'PMT réalisée',
    'actual.adult_pmt': 'PMT adulte réalisée', 'actual.file_active': 'File active réalisée',
    recorded_months: 'Mois d’activité saisis', replacement_recorded_on: 'Date d’enregistrement du remplacement', training_site: 'Lieu de formation',
  },
  // Names of the compatibility figures, and how each reads: money, ETP, a date, a count or text.
  Figure: {
    aci_amount_for_year: 'ACI de l’année', aci_coordination: 'Coordination ACI', aci_signed_on: 'ACI signé le', aid: 'Aide AM',
    aid_contracts: 'Contrats d’aide', aid_etp: 'ETP financés par l’aide', aid_funded_employees: 'Salarié(e)s financé(e)s par l’aide',
    amount_for_year: 'Montant de l’année', assistants: 'Assistant(e)s', collective_contracts: 'Contrats collectifs', combination: 'Cumul',
    contractual_etp: 'ETP du contrat de travail', coordination_share: 'Part de coordination', coordinator_etp: 'ETP de coordination',
    employer_group_statutes: 'Statuts de groupement d’employeurs', employment_cost: 'Coût de l’emploi', individual_contracts: 'Contrats individuels',
    legal_form: 'Forme juridique', months_over: 'Mois en dépassement', months_without_split: 'Mois sans répartition des heures',
    other_grants: 'Autres subventions', payer: 'Payeur', public_money: 'Argent public', purpose: 'Objet', scheme: 'Dispositif',
    sisa_deadline: 'Date limite de passage en SISA', sisa_since: 'SISA depuis', used_until: 'Utilisé jusqu’au', pays: 'Paie',
  },
};

/** How each compatibility figure's value reads (by name, never by its shape). */
export const FIGURE_KIND = {
  aci_amount_for_year: 'money', aci_coordination: 'money', aid: 'money', amount_for_year: 'money', employment_cost: 'money',
  other_grants: 'money', public_money: 'money', aid_etp: 'etp', contractual_etp: 'etp', coordinator_etp: 'etp',
  coordination_share: 'decimal', aci_signed_on: 'date', sisa_deadline: 'date', sisa_since: 'date', used_until: 'date',
};

/** A rule code with its French title: `AM-TRACEABILITY` → "Traçabilité… (AM-TRACEABILITY)". */
export function ruleTitle(code) {
  const fr = LABELS.Rule[code];
  return fr ? `${fr} (${code})` : code;
}

/** The French label of `value` of the API type `type`. */
export function label(type, value) {
  if (value === null || value === undefined) return '—';
  return LABELS[type]?.[value] ?? String(value);
}

/** Whether the table knows the value (for codes explained in French). */
export function known(type, value) {
  return Boolean(LABELS[type]?.[value]);
}

