// The structure dashboard on the chosen day: money of the year, standing, members, assistants,
// team objectives, the five-year forecast and the coming deadlines (Structure.dashboard).

import { gql, EXPLANATION, CAVEATS, contractTrace as evaluationTrace } from './api.js';
import { h, table, sr } from './dom.js';
import { money, date, month, decimal, percent, etp, hours, previousMonth, toPlot, integer } from './format.js';
import { label } from './labels.js';
import { barChart } from './chart.js';
import { explainButton, confidenceMark, verdictBadge, legend, ruleName, missingName } from './explain.js';

const QUERY = `query Dashboard($id: ID!, $asOf: Date!) { structure(id: $id) {
  id name finess commune kind legalForm
  dashboard(asOf: $asOf) {
    asOf
    thisYear { maximum payable payableUnknown }
    standing {
      structure { verdict confidence failingRules undecidedRules missingInputs }
      collective { verdict confidence amountsConfidence failingRules undecidedRules missingInputs adhering meanPmt etpCap fundedEtp
        leftOut { practitionerId name rules reason } }
    }
    members { practitionerId name specialty partner collectiveContractId
      contracts { contractId label option fundedEtp signedOn status contractYear yearStartsOn maximum payable achievementRate
        verdict confidence amountsConfidence failingRules undecidedRules missingInputs }
      offer { option reason verdict confidence amountsConfidence failingRules undecidedRules missingInputs considered { option verdict } } }
    collectiveContracts { contractId label fundedEtp signedOn status contractYear maximum payable achievementRate verdict confidence amountsConfidence missingInputs }
    assistants { assistantId name contractualEtp assignedEtp fundedEtp qualificationDeadline verdict confidence
      failingRules undecidedRules missingInputs activityRecorded missingMonths
      fundedBy { contractId etp }
      months { month employedHours fundedHours assignedHours tracedHours recorded } }
    teamObjectives {
      indicators { indicator baseline target actual rate shares { practitionerId name contractId baseline target actual share } }
      collective { contractId objectives { dueBy targets { indicator kind baseline target actual rate } } } }
    forecast { from until totalMaximum totalPayable totalCash byCalendarYear { year amount }
      contracts { contractId label payments { on contractYear amount } } }
    deadlines { on kind contractId assistantId practitionerId detail }
  } } }`;

/** Re-reads one part of the dashboard with its explanation, for the dialog. */
function dashboardTrace(selection, pick) {
  return async ({ id, asOf }) => {
    const data = await gql(`query Trace($id: ID!, $asOf: Date!) { structure(id: $id) { dashboard(asOf: $asOf) { ${selection} } } }`, { id, asOf });
    return pick(data.structure.dashboard);
  };
}

const contractTrace = (ctx, contractId) => dashboardTrace(
  `members { contracts { contractId ${CAVEATS} explanation { ${EXPLANATION} } } }
   collectiveContracts { contractId ${CAVEATS} explanation { ${EXPLANATION} } }`,
  (d) => [...d.members.flatMap((m) => m.contracts), ...d.collectiveContracts].find((c) => c.contractId === contractId),
)(ctx);

const offerTrace = (ctx, practitionerId) => dashboardTrace(
  `members { practitionerId offer { ${CAVEATS} explanation { ${EXPLANATION} } } }`,
  (d) => d.members.find((m) => m.practitionerId === practitionerId)?.offer,
)(ctx);

const assistantTrace = (ctx, assistantId) => dashboardTrace(
  `assistants { assistantId ${CAVEATS} explanation { ${EXPLANATION} } }`,
  (d) => d.assistants.find((a) => a.assistantId === assistantId),
)(ctx);

const standingTrace = (ctx, part) => dashboardTrace(
  `standing { ${part} { ${CAVEATS} explanation { ${EXPLANATION} } } }`,
  (d) => d.standing[part],
)(ctx);

function rulesList(failing, undecided) {
  const items = [
    ...(failing ?? []).map((r) => h('li', {}, ruleName(r), ' : non respectée')),
    ...(undecided ?? []).map((r) => h('li', {}, ruleName(r), ' : indécise')),
  ];
  return items.length ? h('ul', { class: 'compact small' }, items) : null;
}

function missingList(items) {
  const unique = [...new Set(items.filter(Boolean))];
  return unique.length ? h('ul', { class: 'compact small' }, unique.map((m) => h('li', {}, missingName(m)))) : h('span', { class: 'muted' }, 'aucune');
}

function amount(value, confidence, title, load, dataset) {
  if (value === null || value === undefined) return h('span', { class: 'muted', dataset }, '—');
  return h('span', {},
    explainButton(h('span', { class: 'amount', dataset: { money: value, ...dataset } }, money(value)), title, load),
    confidenceMark(confidence));
}

function standingSection(ctx, d, names) {
  const s = d.standing.structure;
  const c = d.standing.collective;
  return h('section', { 'aria-labelledby': 'standing-title' },
    h('h2', { id: 'standing-title' }, 'Situation de la structure'),
    h('div', { class: 'cards' },
      h('div', { class: 'card', 'data-testid': 'this-year' },
        h('div', { class: 'label' }, `Aide de l’année (${date(d.asOf)})`),
        h('div', { class: 'value' }, h('span', { class: 'amount', dataset: { money: d.thisYear.payable, field: 'thisYear.payable' } }, money(d.thisYear.payable))),
        h('p', {}, 'payable, sur un maximum de ',
          h('span', { class: 'amount', dataset: { money: d.thisYear.maximum, field: 'thisYear.maximum' } }, money(d.thisYear.maximum))),
        d.thisYear.payableUnknown ? h('p', {}, `${d.thisYear.payableUnknown} contrat(s) au montant payable inconnu (réalisation non saisie).`) : null),
      h('div', { class: 'card' },
        h('div', { class: 'label' }, 'Structure (projet de santé, employeur)'),
        h('div', { class: 'value' }, explainButton(verdictBadge(s.verdict), 'situation de la structure', () => standingTrace(ctx, 'structure')), confidenceMark(s.confidence)),
        rulesList(s.failingRules, s.undecidedRules),
        s.missingInputs.length ? h('p', { class: 'small' }, 'À compléter : ', s.missingInputs.map((m, i) => [i ? ', ' : '', missingName(m)])) : null),
      c ? h('div', { class: 'card', 'data-testid': 'collective-standing' },
        h('div', { class: 'label' }, 'Aide collective possible ce jour'),
        h('div', { class: 'value' }, explainButton(verdictBadge(c.verdict), 'aide collective', () => standingTrace(ctx, 'collective')), confidenceMark(c.confidence)),
        h('p', {}, 'Adhérents possibles : ', c.adhering.length ? c.adhering.map((id) => names.get(id) ?? id).join(', ') : 'aucun'),
        h('p', {}, `PMT moyenne : ${decimal(c.meanPmt)} · plafond : ${etp(c.etpCap)} · financé : ${etp(c.fundedEtp)}`),
        rulesList(c.failingRules, c.undecidedRules))
        : h('div', { class: 'card' }, h('div', { class: 'label' }, 'Aide collective'), h('p', {}, 'Elle n’existait pas à cette date (avant le 25 février 2026).'))),
    c?.leftOut?.length ? table({
      caption: 'Médecins que le contrat collectif laisserait de côté',
      head: ['Médecin', 'Règles', 'Motif (texte de l’API)'],
      rows: c.leftOut.map((l) => [l.name, l.rules.map((r, i) => [i ? ', ' : '', ruleName(r)]), h('span', { lang: 'en' }, l.reason)]),
    }) : null);
}

/** Whether the contract has a contract year running on the day (the API's null: none). */
function running(c) {
  return c.contractYear !== null && c.contractYear !== undefined;
}

/**
 * The contract's state in French. A contract ACTIVE in the API but with no contract year on
 * the day has not started yet or is past its five years: said so, not "En cours".
 */
function contractState(c, asOf) {
  if (running(c) || !['ACTIVE', 'SUSPENDED'].includes(c.status)) return label('ContractStatus', c.status);
  return h('span', { 'data-state': c.signedOn > asOf ? 'not-started' : 'elapsed' },
    c.signedOn > asOf ? 'pas encore commencé' : 'terminé (5 ans écoulés)');
}

function membersSection(ctx, d) {
  const rows = [];
  for (const m of d.members) {
    const contracts = m.contracts.length ? m.contracts : [null];
    contracts.forEach((c, i) => {
      const first = i === 0;
      const cells = [
        first ? { cell: [m.name, m.partner ? null : h('span', { class: 'muted small' }, ' (non associé)')], scope: 'row' } : { cell: sr(m.name), scope: 'row' },
        first ? label('Specialty', m.specialty) : '',
        c ? [label('AidOption', c.option) ?? '', c.option ? ' · ' : '', contractState(c, d.asOf), h('br'), h('span', { class: 'small muted' }, `signé le ${date(c.signedOn)}`)] : h('span', { class: 'muted' }, m.collectiveContractId ? 'contrat collectif' : 'aucun contrat'),
        { cell: c?.contractYear ? `année ${c.contractYear}` : '—', class: 'num' },
        { cell: c ? amount(running(c) ? c.maximum : null, c.amountsConfidence, `maximum de ${m.name}`, () => contractTrace(ctx, c.contractId), { kind: 'maximum', contract: c.contractId }) : '—', class: 'num' },
        { cell: c ? amount(running(c) ? c.payable : null, c.amountsConfidence, `montant payable de ${m.name}`, () => contractTrace(ctx, c.contractId), { kind: 'payable', contract: c.contractId }) : '—', class: 'num' },
        first ? [explainButton(verdictBadge(m.offer.verdict), `ce que ${m.name} pourrait signer`, () => offerTrace(ctx, m.practitionerId)),
          confidenceMark(m.offer.confidence), ' ', m.offer.option ? label('AidOption', m.offer.option) : '',
          h('br'), h('span', { class: 'small', lang: 'en' }, m.offer.reason)] : '',
        first ? missingList([...m.contracts.flatMap((x) => x.missingInputs), ...m.offer.missingInputs]) : '',
      ];
      rows.push({ attrs: { 'data-practitioner': m.practitionerId, 'data-contract': c?.contractId }, cells });
    });
  }
  return h('section', { 'aria-labelledby': 'members-title' },
    h('h2', { id: 'members-title' }, 'Médecins'),
    table({
      caption: `Contrats des médecins au ${date(d.asOf)} : maximum et montant payable de l’année de contrat en cours`,
      className: 'members',
      head: ['Médecin', 'Spécialité', 'Contrat', { cell: 'Année', class: 'num' }, { cell: 'Maximum', class: 'num' }, { cell: 'Payable', class: 'num' }, 'Pourrait signer', 'Données à compléter'],
      rows,
    }),
    d.collectiveContracts.length ? table({
      caption: 'Contrats collectifs',
      head: ['Contrat', 'ETP financés', 'Statut', { cell: 'Année', class: 'num' }, { cell: 'Maximum', class: 'num' }, { cell: 'Payable', class: 'num' }],
      rows: d.collectiveContracts.map((c) => ({ attrs: { 'data-contract': c.contractId }, cells: [c.label, etp(c.fundedEtp), contractState(c, d.asOf),
        { cell: c.contractYear ?? '—', class: 'num' },
        { cell: amount(running(c) ? c.maximum : null, c.amountsConfidence, `maximum de ${c.label}`, () => contractTrace(ctx, c.contractId), { kind: 'maximum', contract: c.contractId }), class: 'num' },
        { cell: amount(running(c) ? c.payable : null, c.amountsConfidence, `payable de ${c.label}`, () => contractTrace(ctx, c.contractId), { kind: 'payable', contract: c.contractId }), class: 'num' }] })),
    }) : null);
}

function assistantsSection(ctx, d) {
  const last = previousMonth(d.asOf);
  return h('section', { 'aria-labelledby': 'assistants-title' },
    h('h2', { id: 'assistants-title' }, 'Assistant(e)s médicaux'),
    table({
      caption: `Temps des assistant(e)s, en ETP au ${date(d.asOf)} et en heures sur ${month(last)}`,
      head: ['Assistant(e)', 'Contrat de travail', 'Affecté aux médecins', 'Financé par les aides',
        { cell: `Heures employées`, class: 'num' }, { cell: 'Heures financées', class: 'num' }, { cell: 'Heures affectées', class: 'num' }, { cell: 'Heures tracées', class: 'num' },
        'Vérifications'],
      rows: d.assistants.map((a) => {
        const m = a.months.find((x) => x.month === last) ?? a.months[a.months.length - 1];
        return { attrs: { 'data-assistant': a.assistantId }, cells: [
          a.name, etp(a.contractualEtp), etp(a.assignedEtp), etp(a.fundedEtp),
          { cell: m ? hours(m.employedHours) : '—', class: 'num' },
          { cell: m ? hours(m.fundedHours) : '—', class: 'num' },
          { cell: m ? hours(m.assignedHours) : '—', class: 'num' },
          { cell: m ? (m.recorded ? hours(m.tracedHours) : h('span', { class: 'muted' }, 'non saisi')) : '—', class: 'num' },
          { class: 'checks', cell: [explainButton(verdictBadge(a.verdict), `vérifications de ${a.name}`, () => assistantTrace(ctx, a.assistantId)), confidenceMark(a.confidence),
            rulesList(a.failingRules, a.undecidedRules),
            a.qualificationDeadline ? h('p', { class: 'small' }, `Qualification avant le ${date(a.qualificationDeadline)}`) : null,
            a.activityRecorded && a.missingMonths.length ? h('p', { class: 'small' }, `${a.missingMonths.length} mois sans saisie (dernier : ${month(a.missingMonths[a.missingMonths.length - 1])})`) : null] },
        ] };
      }),
    }));
}

function objectivesSection(d) {
  const t = d.teamObjectives;
  const bar = (rate, labelText) => {
    const width = rate === null || rate === undefined ? 0 : Math.min(100, Math.max(0, toPlot(rate) * 100));
    return h('div', { class: 'progress', role: 'img', 'aria-label': labelText },
      h('div', { class: `bar${width < 100 ? ' partial' : ''}`, 'width%': width }));
  };
  return h('section', { 'aria-labelledby': 'objectives-title' },
    h('h2', { id: 'objectives-title' }, 'Objectifs de patientèle de l’équipe'),
    t.indicators.length ? t.indicators.map((i) => h('div', { class: 'objective', 'data-indicator': i.indicator },
      h('h3', {}, label('Indicator', i.indicator)),
      h('p', {}, `Point de départ ${integer(i.baseline)}, objectif ${integer(i.target)}, réalisé ${i.actual === null ? 'inconnu' : integer(i.actual)}`,
        i.rate !== null ? ` — ${percent(i.rate)} de l’objectif` : ''),
      bar(i.rate, `${label('Indicator', i.indicator)} : ${i.rate === null ? 'réalisation inconnue' : `${percent(i.rate)} de l’objectif`}`),
      table({
        caption: `Part de chaque médecin dans la hausse demandée (${label('Indicator', i.indicator)})`,
        head: ['Médecin', { cell: 'Départ', class: 'num' }, { cell: 'Objectif', class: 'num' }, { cell: 'Réalisé', class: 'num' }, 'Part de la hausse'],
        rows: i.shares.map((s) => [s.name, { cell: integer(s.baseline), class: 'num' }, { cell: integer(s.target), class: 'num' },
          { cell: s.actual === null ? '—' : integer(s.actual), class: 'num' },
          [h('span', { class: 'share-bar', 'width%': Math.min(100, toPlot(s.share) * 100) / 2, 'aria-hidden': 'true' }), percent(s.share)]]),
      })))
      : h('p', {}, 'Aucun contrat individuel en cours ne fixe d’objectif d’équipe ce jour.'),
    t.collective.map((c) => h('div', {},
      h('h3', {}, 'Objectifs du contrat collectif'),
      table({
        caption: c.objectives.dueBy ? `À atteindre au ${date(c.objectives.dueBy)}` : 'Objectifs',
        head: ['Indicateur', 'Nature', { cell: 'Départ', class: 'num' }, { cell: 'Objectif', class: 'num' }, { cell: 'Réalisé', class: 'num' }, 'Réalisation'],
        rows: c.objectives.targets.map((x) => [label('Indicator', x.indicator), label('TargetKind', x.kind), { cell: integer(x.baseline), class: 'num' },
          { cell: integer(x.target), class: 'num' }, { cell: x.actual === null ? '—' : integer(x.actual), class: 'num' }, percent(x.rate)]),
      }))));
}

function forecastSection(d, asOf) {
  const f = d.forecast;
  const years = f.byCalendarYear;
  return h('section', { 'aria-labelledby': 'forecast-title' },
    h('h2', { id: 'forecast-title' }, 'Prévision sur cinq ans'),
    h('p', {}, `Du ${date(f.from)} au ${date(f.until)} (exclu) : versements attendus `,
      h('strong', {}, h('span', { class: 'amount', dataset: { money: f.totalCash, field: 'forecast.totalCash' } }, money(f.totalCash))),
      ` ; maxima des années de contrat concernées ${money(f.totalMaximum)}, payable ${money(f.totalPayable)}.`),
    barChart({
      title: 'Versements attendus par année civile (calendrier de paiement)',
      categories: years.map((y) => String(y.year)),
      series: [{ name: 'Versements', key: 'cash', values: years.map((y) => y.amount) }],
      tableId: 'forecast-table', testId: 'forecast-chart',
    }),
    h('div', { id: 'forecast-table' }, table({
      caption: 'Versements attendus par année civile',
      head: ['Année', { cell: 'Montant', class: 'num' }],
      rows: years.map((y) => ({ attrs: { 'data-year': y.year }, cells: [String(y.year), { cell: h('span', { class: 'amount', dataset: { money: y.amount } }, money(y.amount)), class: 'num' }] })),
      foot: [['Total', { cell: money(f.totalCash), class: 'num' }]],
    })),
    paymentsTable(f, asOf));
}

/**
 * The payments of the forecast's period, contract by contract: `forecast.contracts` also lists
 * payments outside [from, until) (a contract's earlier years), which the totals leave out;
 * they are not rows of this table (it adds up to totalCash), only counted below it.
 */
function paymentsTable(f, asOf) {
  const inPeriod = (p) => p.on >= f.from && p.on < f.until;
  const before = f.contracts.flatMap((c) => c.payments.filter((p) => p.on < f.from));
  const after = f.contracts.flatMap((c) => c.payments.filter((p) => p.on >= f.until));
  const rows = f.contracts.flatMap((c) => c.payments.filter(inPeriod).map((p, i) => ({
    attrs: { 'data-payment': c.contractId, 'data-on': p.on },
    cells: [i === 0 ? c.label : { cell: sr(c.label), scope: 'row' }, date(p.on), { cell: p.contractYear, class: 'num' },
      { cell: explainButton(h('span', { dataset: { money: p.amount } }, money(p.amount)), `versement du ${date(p.on)}, ${c.label}`, () => evaluationTrace(c.contractId, asOf)), class: 'num' }],
  })));
  return h('div', { 'data-testid': 'forecast-payments' },
    rows.length ? table({
      caption: `Détail des versements par contrat, du ${date(f.from)} au ${date(f.until)} (exclu)`,
      head: ['Contrat', 'Date', { cell: 'Année de contrat', class: 'num' }, { cell: 'Montant', class: 'num' }],
      rows,
      foot: [['Total de la période', '', '', { cell: money(f.totalCash), class: 'num' }]],
    }) : h('p', {}, 'Aucun versement attendu sur la période.'),
    before.length || after.length ? h('p', { class: 'small muted' },
      [before.length ? `${before.length} versement(s) avant la période (dernier le ${date(before.map((p) => p.on).sort().pop())})` : null,
        after.length ? `${after.length} versement(s) après la période` : null].filter(Boolean).join(' et '),
      ' : hors de la prévision, non repris ci-dessus.') : null);
}

function deadlinesSection(d, names) {
  return h('section', { 'aria-labelledby': 'deadlines-title' },
    h('h2', { id: 'deadlines-title' }, 'Échéances des douze prochains mois'),
    d.deadlines.length ? table({
      caption: 'Échéances, par date',
      head: ['Date', 'Échéance', 'Concerne', 'Détail (texte de l’API)'],
      rows: d.deadlines.map((x) => [date(x.on), label('DeadlineKind', x.kind),
        names.get(x.practitionerId) ?? names.get(x.assistantId) ?? names.get(x.contractId) ?? '—', h('span', { lang: 'en' }, x.detail)]),
    }) : h('p', {}, 'Aucune échéance dans les douze mois.'));
}

export async function render({ structure, asOf }) {
  const started = performance.now();
  const data = await gql(QUERY, { id: structure.id, asOf });
  const s = data.structure;
  const d = s.dashboard;
  const ctx = { id: s.id, asOf };
  const names = new Map();
  for (const m of d.members) names.set(m.practitionerId, m.name);
  for (const a of d.assistants) names.set(a.assistantId, a.name);
  for (const m of d.members) for (const c of m.contracts) names.set(c.contractId, c.label);
  for (const c of d.collectiveContracts) names.set(c.contractId, c.label);
  const view = h('div', { class: 'dashboard', 'data-testid': 'dashboard', 'data-as-of': d.asOf },
    h('h1', {}, `${s.name} — tableau de bord`),
    h('p', { class: 'muted' }, `${label('StructureKind', s.kind)} · ${label('LegalForm', s.legalForm)}`, s.finess ? ` · FINESS ${s.finess}` : '',
      ` · commune ${s.commune} · situation au ${date(d.asOf)}`),
    legend(),
    standingSection(ctx, d, names),
    membersSection(ctx, d),
    assistantsSection(ctx, d),
    objectivesSection(d),
    forecastSection(d, asOf),
    deadlinesSection(d, names));
  view.dataset.loadMs = String(Math.round(performance.now() - started));
  return view;
}
