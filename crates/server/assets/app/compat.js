// The compatibility report (CMP-* rules) over the calendar year of the chosen day, grouped by
// severity, and the table of all the structure's public money over five years.

import { gql, EXPLANATION, CAVEATS, contractTrace } from './api.js';
import { h, table, sr } from './dom.js';
import { money, date, etp, decimal } from './format.js';
import { label, FIGURE_KIND } from './labels.js';
import { explainButton, confidenceMark, verdictBadge, legend, ruleName, missingName } from './explain.js';

const QUERY = `query Compatibility($id: ID!, $asOf: Date!) { structure(id: $id) { id name
  compatibility(asOf: $asOf) { asOf year conflicts
    findings { rule title severity about { kind id label } figures { name value } note references confidence missingInputs localCpamMustConfirm }
    assessment { verdict confidence failingRules undecidedRules missingInputs } }
  money(asOf: $asOf) { years
    lines { year payee practitionerId payeeLabel source originId amount basis }
    totals { year amount }
    employees { assistantId name year employmentCost aid aciCoordination grants publicMoney leftToEmployer } } } }`;

const TRACE = `query CompatibilityTrace($id: ID!, $asOf: Date!) { structure(id: $id) {
  compatibility(asOf: $asOf) { assessment { ${CAVEATS} explanation { ${EXPLANATION} } } } } }`;

const SEVERITIES = ['CONFLICT', 'WARNING', 'INFO'];

function trace(ctx, rules) {
  return async () => {
    const a = (await gql(TRACE, ctx)).structure.compatibility.assessment;
    return { ...a, onlyRules: rules };
  };
}

/** A figure's value read by its name (labels.js), never guessed from its shape. */
function figureValue(x) {
  switch (FIGURE_KIND[x.name]) {
    case 'money': return money(x.value);
    case 'etp': return etp(x.value);
    case 'decimal': return decimal(x.value);
    case 'date': return /^\d{4}-\d{2}-\d{2}$/.test(x.value) ? date(x.value) : x.value;
    default: return h('span', { lang: 'en' }, x.value);
  }
}

function finding(ctx, f) {
  return h('article', { class: `finding finding-${f.severity}`, 'data-rule': f.rule, 'data-severity': f.severity },
    h('h4', {}, h('span', { class: 'sr-only' }, `${label('SeverityOne', f.severity)} : `), ruleName(f.rule), ' — ', h('span', { lang: 'en' }, f.title),
      ' ', confidenceMark(f.confidence)),
    f.about.length ? h('p', {}, 'Concerne : ', f.about.map((a, i) => [i ? ', ' : '', `${label('FindingSubjectKind', a.kind)} ${a.label}`])) : null,
    f.figures.length ? h('ul', { class: 'compact' }, f.figures.map((x) => h('li', { 'data-figure': x.name },
      label('Figure', x.name), ' : ', figureValue(x)))) : null,
    h('p', { lang: 'en' }, f.note),
    // The API's flag first; a reading the API itself calls an assumption (texts silent) is
    // worth the same caution, said more softly.
    f.localCpamMustConfirm
      ? h('p', { class: 'cpam-note', 'data-note': 'must-confirm' }, 'Les textes sont muets sur ce cumul : votre CPAM doit confirmer.')
      : f.confidence === 'ASSUMPTION'
        ? h('p', { class: 'cpam-note', 'data-note': 'assumption' }, 'Les textes se taisent : ce constat est notre lecture ; faites-le confirmer par votre CPAM.')
        : null,
    f.missingInputs.length ? h('p', { class: 'small' }, 'Données manquantes : ', f.missingInputs.map((m, i) => [i ? ', ' : '', missingName(m)])) : null,
    f.references.length ? h('div', { class: 'small' }, 'Références :', h('ul', { class: 'compact' }, f.references.map((r) => h('li', {}, r)))) : null,
    h('p', { class: 'small' }, `Confiance : ${label('Confidence', f.confidence)} — `,
      explainButton('la règle et ses paramètres', `${label('Rule', f.rule)} (${f.rule})`, trace(ctx, [f.rule]))));
}

const AID = new Set(['INDIVIDUAL_AID', 'COLLECTIVE_AID']);

function moneyTable(m, asOf) {
  const key = (l) => `${l.payee}|${l.practitionerId ?? ''}|${l.source}|${l.originId}`;
  const groups = new Map();
  for (const l of m.lines) {
    if (!groups.has(key(l))) groups.set(key(l), { first: l, byYear: new Map() });
    const g = groups.get(key(l));
    if (!g.byYear.has(l.year)) g.byYear.set(l.year, []);
    g.byYear.get(l.year).push(l);
  }
  // One cell per line of the API: two lines of the same year and origin are shown one under
  // the other, never added up here.
  // An aid amount opens its contract's evaluation; the ACI and grants are recorded figures.
  const cell = (lines) => lines ? lines.map((l, i) => [i ? h('br') : null,
    AID.has(l.source)
      ? explainButton(money(l.amount), `${label('MoneySource', l.source)}, ${l.payeeLabel}, ${l.year}`, () => contractTrace(l.originId, asOf))
      : money(l.amount),
    l.basis === 'FORECAST' ? h('span', { class: 'small muted' }, ' (prév.)') : null]) : '—';
  return table({
    caption: 'Tout l’argent public de la structure, par année civile, bénéficiaire et source',
    className: 'money',
    head: ['Bénéficiaire', 'Source', ...m.years.map((y) => ({ cell: String(y), class: 'num' }))],
    rows: [...groups.values()].map((g) => [g.first.payeeLabel, label('MoneySource', g.first.source),
      ...m.years.map((y) => ({ cell: cell(g.byYear.get(y)), class: 'num' }))]),
    foot: [['Total', '', ...m.years.map((y) => {
      const t = m.totals.find((x) => x.year === y);
      return { cell: t ? money(t.amount) : '—', class: 'num', dataset: { money: t?.amount, year: y } };
    })]],
  });
}

export async function render({ structure, asOf }) {
  const data = await gql(QUERY, { id: structure.id, asOf });
  const s = data.structure;
  const c = s.compatibility;
  const ctx = { id: s.id, asOf };
  const groups = SEVERITIES.map((sev) => [sev, c.findings.filter((f) => f.severity === sev)]);
  return h('div', { class: 'compatibility', 'data-testid': 'compatibility' },
    h('h1', {}, `${s.name} — compatibilité des financements ${c.year}`),
    h('p', {}, `Comment l’aide à l’assistant médical se combine avec l’ACI, sa fonction de coordination, l’argent de l’ARS, de la CPTS et les contrats démographiques, sur l’année ${c.year} (situation au ${date(c.asOf)}).`),
    legend(),
    h('p', {}, 'Conclusion : ', explainButton(verdictBadge(c.assessment.verdict), 'rapport de compatibilité', trace(ctx, null)),
      confidenceMark(c.assessment.confidence),
      ` — ${c.conflicts} conflit(s), ${c.findings.length} constat(s) en tout.`),
    groups.map(([sev, findings]) => h('section', { 'aria-labelledby': `sev-${sev}`, 'data-group': sev },
      h('h2', { id: `sev-${sev}` }, `${label('Severity', sev)} (${findings.length})`),
      findings.length ? h('h3', { class: 'sr-only' }, `Constats : ${label('Severity', sev)}`) : null,
      findings.length ? findings.map((f) => finding(ctx, f)) : h('p', { class: 'muted' }, 'Aucun.'))),
    h('section', { 'aria-labelledby': 'money-title' },
      h('h2', { id: 'money-title' }, 'Tout l’argent public'),
      moneyTable(s.money, asOf),
      s.money.employees.length ? table({
        caption: 'Par salarié(e) : coût employeur et argent public qui le finance',
        head: ['Salarié(e)', { cell: 'Année', class: 'num' }, { cell: 'Coût employeur', class: 'num' }, { cell: 'Aide', class: 'num' },
          { cell: 'Coordination ACI', class: 'num' }, { cell: 'Subventions', class: 'num' }, { cell: 'Argent public', class: 'num' }, { cell: 'Reste à charge', class: 'num' }],
        rows: s.money.employees.map((e) => [e.name, { cell: e.year, class: 'num' }, { cell: money(e.employmentCost), class: 'num' },
          { cell: money(e.aid), class: 'num' }, { cell: money(e.aciCoordination), class: 'num' }, { cell: money(e.grants), class: 'num' },
          { cell: money(e.publicMoney), class: 'num' }, { cell: money(e.leftToEmployer), class: 'num' }]),
      }) : null,
      h('p', { class: 'small muted' }, sr('Note : '), '(prév.) : versement attendu selon le calendrier de paiement ; les autres montants sont ceux enregistrés.')));
}
