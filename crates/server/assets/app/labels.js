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
  DeadlineKindObject: {
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
  },
};

/** The French label of `value` of the API type `type`. */
export function label(type, value) {
  if (value === null || value === undefined) return '—';
  return LABELS[type]?.[value] ?? String(value);
}

/** Whether the table knows the value (for codes explained in French). */
export function known(type, value) {
  return Boolean(LABELS[type]?.[value]);
}
