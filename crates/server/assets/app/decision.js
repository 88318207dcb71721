// The decision view (STR-COMPARISON): keep the individual contracts or sign the collective one,
// side by side over five years, with the what-if controls re-querying as they change.

import { gql, EXPLANATION, CAVEATS, describeError, contractTrace } from './api.js';
import { h, fill, table, uid } from './dom.js';
import { money, date, etp, negate, isNegative, integer } from './format.js';
import { label } from './labels.js';
import { barChart } from './chart.js';
import { explainButton, confidenceMark, verdictBadge, legend, ruleName, missingName } from './explain.js';

const SETUP = `query DecisionSetup($id: ID!, $asOf: Date!) { structure(id: $id) { id name
  members(first: 100, activeOn: $asOf) { edges { node { partner practitioner { id firstName lastName rpps } } } } } }`;

const SCENARIO = `yearly total confidence conditionsNotMet waitingPeriodRisk
  lines { label practitionerId contractId kind option fundedEtp yearly total assumesObjectivesMet }
  objectives { indicator baseline target }
  leftOut { practitionerId name rules reason }
  undecided { name missingInputs }
  closings { contractId label closedOn nextAnniversary lost }`;

const COMPARISON = `query Comparison($id: ID!, $startOn: Date, $adhering: [ID!], $etp: String) { structure(id: $id) {
  comparison(startOn: $startOn, adheringDoctors: $adhering, fundedEtp: $etp) {
    start years { from to difference } totalDifference
    recommendation { choice confidence reason }
    individual { ${SCENARIO} }
    collective { ${SCENARIO} collective { verdict confidence failingRules undecidedRules missingInputs } }
    dimensions { name individual collective } } } }`;

const COLLECTIVE_TRACE = `query CollectiveTrace($id: ID!, $startOn: Date, $adhering: [ID!], $etp: String) { structure(id: $id) {
  comparison(startOn: $startOn, adheringDoctors: $adhering, fundedEtp: $etp) {
    collective { collective { ${CAVEATS} explanation { ${EXPLANATION} } } } } } }`;

const NEW_CONTRACT_TRACE = `query NewContractTrace($id: ID!, $signedOn: Date!, $option: AidOption!) { node(id: $id) { ... on Practitioner {
  aidSimulation(signedOn: $signedOn, option: $option) { ${CAVEATS} explanation { ${EXPLANATION} } } } } }`;

const CONFIDENCE_WORDS = {
  OFFICIAL: 'Tout ce sur quoi repose cette comparaison vient des textes officiels.',
  SECONDARY: 'Une partie de ce qui fonde cette comparaison vient d’une source secondaire fidèle, pas du texte lui-même : à vérifier auprès de la CPAM avant de signer.',
  ASSUMPTION: 'Cette comparaison repose en partie sur notre lecture là où les textes se taisent (hypothèse) : votre CPAM doit la confirmer avant toute décision.',
};

function lineTrace(ctx, line, start) {
  if (line.kind === 'RUNNING' && line.contractId) {
    return () => contractTrace(line.contractId, start);
  }
  if (line.kind === 'NEW' && line.practitionerId && line.option) {
    return async () => (await gql(NEW_CONTRACT_TRACE, { id: line.practitionerId, signedOn: start, option: line.option })).node.aidSimulation;
  }
  return async () => (await gql(COLLECTIVE_TRACE, ctx.variables())).structure.comparison.collective.collective;
}

function scenarioTable(ctx, title, scenario, years, start) {
  return table({
    caption: title,
    head: ['Contrat', 'Nature', 'ETP', ...years.map((y, i) => ({ cell: `Année ${i + 1}`, class: 'num' })), { cell: 'Total', class: 'num' }],
    rows: scenario.lines.map((l) => [l.label, label('ScenarioLineKind', l.kind), l.option ? label('AidOption', l.option) : etp(l.fundedEtp),
      ...l.yearly.map((v) => ({ cell: money(v), class: 'num' })),
      { cell: [explainButton(money(l.total), `${l.label}`, lineTrace(ctx, l, start)), l.assumesObjectivesMet ? h('span', { class: 'small muted' }, ' *') : null], class: 'num' }]),
    foot: [['Total', '', '', ...scenario.yearly.map((v) => ({ cell: money(v), class: 'num' })), { cell: money(scenario.total), class: 'num' }]],
  });
}

/**
 * Whether the collective is a real option under these assumptions: the API still answers with
 * a "collective" scenario when it is not (no doctor adhering, too many ETP…), made of the
 * individual contracts, its verdict NOT_ELIGIBLE and its total difference 0.
 */
export function collectivePossible(c) {
  return c.collective.lines.some((l) => l.kind === 'COLLECTIVE') && c.collective.collective?.verdict !== 'NOT_ELIGIBLE';
}

const choiceOf = (c) => c.recommendation.choice;

function isZero(value) {
  return /^-?0+(\.0+)?$/.test(String(value));
}

function results(ctx, c) {
  const years = c.years;
  const categories = years.map((y, i) => `Année ${i + 1}`);
  const rec = c.recommendation;
  const diff = c.totalDifference;
  const possible = collectivePossible(c);
  const col = c.collective.collective;
  const notMet = [...c.collective.conditionsNotMet];
  let better;
  if (!possible) {
    better = h('div', { 'data-testid': 'collective-impossible' },
      h('p', {}, h('strong', {}, 'Le contrat collectif n’est pas possible avec ces hypothèses'),
        ' : seule l’option des contrats individuels est chiffrée.'),
      notMet.length || col?.failingRules?.length ? h('p', {}, 'Conditions non remplies :') : null,
      notMet.length ? h('ul', { class: 'compact' }, notMet.map((x) => h('li', { lang: 'en' }, x))) : null,
      col?.failingRules?.length ? h('ul', { class: 'compact' }, col.failingRules.map((r) => h('li', {}, ruleName(r), ' non respectée'))) : null);
  } else if (isZero(diff)) {
    better = h('p', {}, 'Les deux options rapportent exactement la même aide sur cinq ans.');
  } else if (isNegative(diff)) {
    better = h('p', {}, `Les contrats individuels rapportent ${money(negate(diff))} de plus sur cinq ans.`);
  } else {
    better = h('p', {}, `Le contrat collectif rapporte ${money(diff)} de plus sur cinq ans.`);
  }
  // A fresh node per cell (one node appended twice would move).
  const dash = () => ({ cell: h('span', { class: 'muted' }, 'impossible'), class: 'num' });
  return h('div', { class: 'decision-results', 'data-testid': 'comparison', 'data-possible': String(possible) },
    h('div', { class: 'recommendation', 'data-choice': rec.choice },
      h('p', { class: 'choice' }, 'Recommandation : ', label('ComparisonChoice', rec.choice)),
      better,
      h('p', {}, `Confiance : ${label('Confidence', rec.confidence)}. `, CONFIDENCE_WORDS[rec.confidence] ?? '', confidenceMark(rec.confidence)),
      h('p', { class: 'small muted' }, 'Motif donné par l’API : ', h('span', { lang: 'en' }, rec.reason))),
    h('h2', {}, possible ? 'Les deux options, année par année' : 'Les contrats individuels, année par année'),
    barChart({
      title: `Aide par année de comparaison, à partir du ${date(c.start)}${possible ? '' : ' (contrat collectif impossible : non tracé)'}`,
      categories,
      series: [
        { name: 'Contrats individuels', key: 'individual', values: c.individual.yearly },
        possible ? { name: 'Contrat collectif', key: 'collective', values: c.collective.yearly } : null,
      ].filter(Boolean),
      tableId: 'comparison-table', testId: 'comparison-chart',
    }),
    h('div', { id: 'comparison-table' }, table({
      caption: possible ? 'Aide par année, les deux options et leur écart (collectif moins individuel)' : 'Aide par année des contrats individuels (le contrat collectif est impossible)',
      head: ['Année', 'Période', { cell: 'Individuel', class: 'num' }, { cell: 'Collectif', class: 'num' }, { cell: 'Écart', class: 'num' }],
      rows: years.map((y, i) => ({ attrs: { 'data-year': i + 1 }, cells: [categories[i], `du ${date(y.from)} au ${date(y.to)}`,
        { cell: money(c.individual.yearly[i]), class: 'num', dataset: { money: c.individual.yearly[i], series: 'individual' } },
        possible ? { cell: money(c.collective.yearly[i]), class: 'num', dataset: { money: c.collective.yearly[i], series: 'collective' } } : dash(),
        possible ? { cell: money(y.difference), class: 'num' } : dash()] })),
      foot: [['Cinq ans', '', { cell: money(c.individual.total), class: 'num' },
        possible ? { cell: money(c.collective.total), class: 'num' } : dash(), possible ? { cell: money(c.totalDifference), class: 'num' } : dash()]],
    })),
    h('h2', {}, 'Côte à côte'),
    table({
      caption: 'Les dimensions du choix (textes de l’API)',
      className: 'side-by-side',
      head: ['Dimension', 'Contrats individuels', 'Contrat collectif'],
      rows: c.dimensions.map((x) => [label('Dimension', x.name), h('span', { lang: 'en' }, x.individual), h('span', { lang: 'en' }, x.collective)]),
    }),
    h('h2', {}, 'Le contrat collectif'),
    col ? h('p', {}, 'Éligibilité : ', explainButton(verdictBadge(col.verdict), 'contrat collectif', lineTrace(ctx, { kind: 'COLLECTIVE' }, c.start)),
      confidenceMark(col.confidence), col.failingRules.length ? [' — règles non respectées : ', col.failingRules.map((r, i) => [i ? ', ' : '', ruleName(r)])] : '',
      col.undecidedRules.length ? [' — règles indécises : ', col.undecidedRules.map((r, i) => [i ? ', ' : '', ruleName(r)])] : '') : null,
    c.collective.conditionsNotMet.length ? h('div', {}, h('p', {}, 'Conditions non remplies :'),
      h('ul', { class: 'compact', lang: 'en' }, c.collective.conditionsNotMet.map((x) => h('li', {}, x)))) : null,
    c.collective.waitingPeriodRisk ? h('p', {}, 'Délai de carence : ', h('span', { lang: 'en' }, c.collective.waitingPeriodRisk)) : null,
    c.collective.closings.length ? table({
      caption: 'Contrats individuels fermés à la date de départ',
      head: ['Contrat', 'Fermé le', 'Prochain anniversaire', { cell: 'Aide perdue', class: 'num' }],
      rows: c.collective.closings.map((x) => [x.label, date(x.closedOn), date(x.nextAnniversary), { cell: money(x.lost), class: 'num' }]),
    }) : null,
    possible && c.collective.objectives.length ? table({
      caption: 'Objectifs du contrat collectif',
      head: ['Indicateur', { cell: 'Départ', class: 'num' }, { cell: 'Objectif', class: 'num' }],
      rows: c.collective.objectives.map((o) => [label('Indicator', o.indicator), { cell: integer(o.baseline), class: 'num' }, { cell: integer(o.target), class: 'num' }]),
    }) : null,
    c.collective.leftOut.length ? table({
      caption: 'Médecins hors du contrat collectif (ils gardent ou signent un contrat individuel)',
      head: ['Médecin', 'Règles', 'Motif (texte de l’API)'],
      rows: c.collective.leftOut.map((l) => [l.name, l.rules.map((r, i) => [i ? ', ' : '', ruleName(r)]), h('span', { lang: 'en' }, l.reason)]),
    }) : null,
    h('h2', {}, 'Détail des contrats'),
    scenarioTable(ctx, 'Option 1 : garder les contrats individuels (et signer les nouveaux possibles)', c.individual, years, c.start),
    possible ? scenarioTable(ctx, 'Option 2 : passer au contrat collectif', c.collective, years, c.start)
      : h('p', {}, 'Option 2 (passer au contrat collectif) : impossible avec ces hypothèses, voir les conditions non remplies ci-dessus.'),
    h('p', { class: 'small muted' }, '* Un montant suppose les objectifs atteints : aucune réalisation n’est encore connue.'),
    c.individual.undecided.length ? table({
      caption: 'Médecins dont l’éligibilité reste à préciser',
      head: ['Médecin', 'Données manquantes'],
      rows: c.individual.undecided.map((u) => [u.name, u.missingInputs.map((m, i) => [i ? ', ' : '', missingName(m)])]),
    }) : null);
}

export async function render({ structure, asOf, stale }) {
  const setup = (await gql(SETUP, { id: structure.id, asOf })).structure;
  const members = setup.members.edges.map((e) => ({
    practitionerId: e.node.practitioner.id,
    name: `${e.node.practitioner.firstName} ${e.node.practitioner.lastName}`,
    partner: e.node.partner,
  }));
  const controls = { start: asOf, adhering: null, etp: '' };
  const ctx = {
    id: structure.id,
    variables: () => ({ id: structure.id, startOn: controls.start, adhering: controls.adhering, etp: controls.etp.trim().replace(',', '.') || null }),
  };

  const ids = { start: uid('start'), etp: uid('etp'), startError: uid('start-error'), etpError: uid('etp-error'), adhering: uid('adhering') };
  // The results are not a live region (a whole screen read out at each change); a short
  // summary is, and says what changed.
  const out = h('div', { 'aria-busy': 'false', 'data-testid': 'comparison-out' });
  const live = h('p', { class: 'sr-only', 'aria-live': 'polite', 'data-testid': 'comparison-live' });
  const startInput = h('input', { type: 'date', id: ids.start, value: asOf, required: true, 'aria-describedby': ids.startError });
  const etpInput = h('input', { type: 'text', id: ids.etp, inputmode: 'decimal', autocomplete: 'off', 'aria-describedby': `${ids.etp}-hint ${ids.etpError}`, size: 8 });
  const etpHint = h('span', { class: 'hint', id: `${ids.etp}-hint` }, 'Ex. 1, 2,5 ou 7/6. Vide : le temps des assistant(e)s pour les adhérents, dans le plafond.');
  const startError = h('p', { class: 'field-error', id: ids.startError });
  const etpError = h('p', { class: 'field-error', id: ids.etpError });
  const checks = members.map((m) => {
    const id = uid('adh');
    const box = h('input', { type: 'checkbox', id, value: m.practitionerId });
    return { box, el: h('label', { for: id }, box, ` ${m.name}`, m.partner ? '' : ' (non associé)') };
  });
  const summary = h('p', { class: 'print-only' });

  let pending = 0;
  let timer = null;
  // A refused value is said next to its control: the API names the argument it refuses in
  // `extensions.argument`.
  const controlOf = { fundedEtp: 'etp', startOn: 'start' };
  async function refresh() {
    const ticket = ++pending;
    out.setAttribute('aria-busy', 'true');
    fill(startError);
    fill(etpError);
    startInput.removeAttribute('aria-invalid');
    etpInput.removeAttribute('aria-invalid');
    try {
      const data = await gql(COMPARISON, ctx.variables());
      if (ticket !== pending || stale()) return;
      const c = data.structure.comparison;
      // The API's defaults, shown in the controls: every doctor the collective does not leave
      // out adheres, funded for the collective line's ETP.
      const leftOut = new Set(c.collective.leftOut.map((l) => l.practitionerId));
      if (!controls.adhering) for (const { box } of checks) box.checked = !leftOut.has(box.value);
      const line = c.collective.lines.find((l) => l.kind === 'COLLECTIVE');
      if (!controls.etp.trim()) {
        etpInput.placeholder = line ? line.fundedEtp : '';
        fill(etpHint, `Ex. 1, 2,5 ou 7/6. Vide : le temps des assistant(e)s pour les adhérents dans le plafond${line ? `, soit ${etp(line.fundedEtp)}` : ''}.`);
      }
      const adhering = checks.filter((x) => x.box.checked).map((x) => members.find((m) => m.practitionerId === x.box.value)?.name).join(', ');
      const possible = collectivePossible(c);
      const funded = possible && line ? `${etp(line.fundedEtp)}${controls.etp.trim() ? '' : ' (par défaut)'}` : 'sans objet (contrat collectif impossible avec ces hypothèses)';
      fill(summary, `Hypothèses : départ le ${date(c.start)} ; médecins adhérents : ${adhering || 'aucun'} ; ETP financés : ${funded}.`);
      fill(out, results(ctx, c));
      fill(live, possible
        ? `Comparaison mise à jour : individuel ${money(c.individual.total)}, collectif ${money(c.collective.total)} sur cinq ans. ${label('ComparisonChoice', choiceOf(c))}.`
        : `Comparaison mise à jour : le contrat collectif n’est pas possible avec ces hypothèses ; individuel ${money(c.individual.total)} sur cinq ans.`);
      out.dataset.etp = controls.etp.trim();
      out.dataset.start = controls.start;
      out.dataset.adhering = controls.adhering ? controls.adhering.join(',') : 'default';
      delete out.dataset.error;
      out.dataset.version = String(ticket);
    } catch (error) {
      if (ticket !== pending) return;
      const text = describeError(error);
      const cause = controlOf[error?.argument] ?? null;
      // The results of the previous value would read as those of the refused one: cleared.
      fill(summary);
      const target = cause === 'etp' ? [etpError, etpInput] : cause === 'start' ? [startError, startInput] : null;
      if (target) {
        fill(target[0], text);
        target[1].setAttribute('aria-invalid', 'true');
      }
      const what = cause === 'etp' ? 'Les ETP financés saisis sont refusés' : cause === 'start' ? 'La date de départ saisie est refusée' : 'La comparaison n’a pas pu être calculée';
      fill(out, h('p', { class: 'field-error', role: target ? null : 'alert', 'data-testid': 'comparison-error' },
        `${what} : aucun résultat affiché. `, target ? 'Le motif est sous le champ.' : text));
      fill(live, `${what}.`);
      out.dataset.error = cause ?? 'other';
      out.dataset.etp = controls.etp.trim();
      out.dataset.start = controls.start;
      out.dataset.version = String(ticket);
    } finally {
      if (ticket === pending) out.setAttribute('aria-busy', 'false');
    }
  }
  const later = (delay) => {
    clearTimeout(timer);
    timer = setTimeout(refresh, delay);
  };
  startInput.addEventListener('change', () => {
    if (!startInput.value) return;
    controls.start = startInput.value;
    later(0);
  });
  etpInput.addEventListener('input', () => {
    controls.etp = etpInput.value;
    later(400);
  });
  etpInput.addEventListener('change', () => {
    controls.etp = etpInput.value;
    later(0);
  });
  for (const { box } of checks) {
    box.addEventListener('change', () => {
      controls.adhering = checks.filter((c) => c.box.checked).map((c) => c.box.value);
      later(150);
    });
  }

  const view = h('div', { class: 'decision', 'data-testid': 'decision' },
    h('h1', {}, `${setup.name} — individuel ou collectif ?`),
    h('p', {}, 'Une simulation qui n’enregistre rien : sur cinq ans, garder les contrats individuels ou signer le contrat collectif (aide de 2026).'),
    legend(),
    h('form', { class: 'controls controls-only', 'aria-label': 'Hypothèses de la simulation', onsubmit: (e) => { e.preventDefault(); later(0); } },
      h('div', { class: 'field' }, h('label', { for: ids.start }, 'Date de départ'), startInput, startError),
      h('fieldset', { class: 'checks', id: ids.adhering },
        h('legend', {}, 'Médecins adhérents'),
        h('p', { class: 'small muted' }, 'Par défaut, ceux que les règles du contrat collectif acceptent (leurs contrats individuels fermés à la date de départ).'),
        checks.map((c) => c.el)),
      h('div', { class: 'field' },
        h('label', { for: ids.etp }, 'ETP financés'), etpInput,
        etpHint,
        etpError)),
    summary,
    live,
    out);
  await refresh();
  return view;
}
