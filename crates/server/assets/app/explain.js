// The rule trace behind a verdict or an amount, one click away: every rule evaluated, its
// outcome and note, and each parameter it read with its date, reference and confidence.
// Values that are not the text's own are marked: SECONDARY (a faithful second-hand report)
// and ASSUMPTION (the product's reading where the texts are silent).

import { h, fill, sr, table } from './dom.js';
import { date } from './format.js';
import { label, known } from './labels.js';

/** The confidence marker: a visible short tag and, for screen readers, the words. */
export function confidenceMark(confidence, { always = false } = {}) {
  if (!confidence || (confidence === 'OFFICIAL' && !always)) return null;
  return h('span', { class: `conf conf-${confidence}`, title: label('Confidence', confidence), 'data-confidence': confidence },
    h('span', { 'aria-hidden': 'true' }, label('ConfidenceShort', confidence)),
    sr(` (${label('Confidence', confidence)})`));
}

/** A rule code with its French title beside it: "Traçabilité… `AM-TRACEABILITY`". */
export function ruleName(code) {
  return h('span', { class: 'rule-name' }, known('Rule', code) ? `${label('Rule', code)} ` : '', h('code', {}, code));
}

/** An input the rules could not read, in French, its key kept small beside it. */
export function missingName(key) {
  return known('MissingInput', key)
    ? h('span', {}, label('MissingInput', key), ' ', h('code', { class: 'small muted' }, key))
    : h('code', { lang: 'en' }, key);
}

export function verdictBadge(verdict) {
  return h('span', { class: `verdict verdict-${verdict}` }, label('Verdict', verdict));
}

/** The legend of the markers, shown once per screen. */
export function legend() {
  return h('p', { class: 'legend' },
    h('span', { class: 'no-print' }, 'Les montants et verdicts soulignés ouvrent leur explication. '),
    h('span', { class: 'conf conf-SECONDARY', 'aria-hidden': 'true' }, 'sec.'), ' source secondaire fidèle ; ',
    h('span', { class: 'conf conf-ASSUMPTION', 'aria-hidden': 'true' }, 'hyp.'),
    ' hypothèse : notre lecture là où les textes se taisent. Sans marque : ce que dit la convention.');
}

let lastOpener = null;
let opening = 0;

/**
 * A button showing `content` that opens the explanation `load()` resolves with
 * (`{ explanation, caveats?, onlyRules? }`).
 */
export function explainButton(content, title, load, attrs = {}) {
  return h('button', {
    type: 'button', class: 'explain', 'aria-haspopup': 'dialog', ...attrs,
    onclick: (event) => openExplanation(title, load, event.currentTarget),
  }, content, sr(` — voir l’explication : ${title}`));
}

export async function openExplanation(title, load, opener) {
  const dialog = document.getElementById('explain');
  const body = document.getElementById('explain-body');
  // A ticket per opening: a slow answer for a dialog since closed or reopened on another
  // trace is dropped instead of replacing the trace now shown.
  const ticket = ++opening;
  body.dataset.ticket = String(ticket);
  delete body.dataset.loaded;
  lastOpener = opener ?? document.activeElement;
  fill(document.getElementById('explain-title'), `Explication : ${title}`);
  fill(body, h('p', {}, 'Chargement de l’explication…'));
  if (!dialog.open) dialog.showModal();
  try {
    const result = await load();
    if (ticket !== opening || !dialog.open) return;
    fill(body, renderExplanation(result));
    body.dataset.loaded = 'true';
  } catch (e) {
    if (ticket !== opening || !dialog.open) return;
    fill(body, h('p', { class: 'field-error' }, `L’explication n’a pas pu être chargée : ${e.message}`));
  }
}

export function setupDialog() {
  const dialog = document.getElementById('explain');
  document.getElementById('explain-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    opening += 1; // an answer still on its way belongs to no open dialog
    delete document.getElementById('explain-body').dataset.loaded;
    if (lastOpener && document.contains(lastOpener)) lastOpener.focus();
  });
}

/** Only http(s) sources become links (a `javascript:` or `data:` URL from data stays text). */
export function safeLink(url) {
  try {
    return url && ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

function parameterTable(parameters) {
  return table({
    caption: 'Paramètres lus',
    head: ['Paramètre', 'Valeur', 'En vigueur depuis', 'Référence', 'Confiance'],
    rows: parameters.map((p) => ({
      attrs: { 'data-confidence': p.confidence },
      cells: [
        h('code', {}, p.key),
        p.value,
        date(p.effectiveFrom),
        [p.reference, safeLink(p.source) ? [' — ', h('a', { href: p.source, rel: 'noreferrer noopener', target: '_blank' }, 'source')] : null,
          p.checkedOn ? h('span', { class: 'muted small' }, ` (vérifié le ${date(p.checkedOn)})`) : null],
        [label('Confidence', p.confidence), confidenceMark(p.confidence)],
      ],
    })),
  });
}

export function renderExplanation({ explanation, caveats, onlyRules, note }) {
  const rules = onlyRules ? explanation.rules.filter((r) => onlyRules.includes(r.rule)) : explanation.rules;
  return h('div', { class: 'explanation', 'data-format-version': explanation.formatVersion },
    note ? h('p', {}, note) : null,
    h('p', {},
      'Conclusion : ', verdictBadge(explanation.verdict),
      ' — confiance la plus faible des paramètres : ', label('Confidence', explanation.confidence),
      confidenceMark(explanation.confidence), h('span', { class: 'muted small' }, ` (format ${explanation.formatVersion})`)),
    caveats?.length ? h('div', {},
      h('h3', {}, 'Ce qui n’est pas le texte de la convention'),
      h('ul', { class: 'compact' }, caveats.map((c) => h('li', {},
        h('code', {}, c.key), ` = ${c.value} — ${label('Confidence', c.confidence)}`, confidenceMark(c.confidence),
        c.reference ? ` — ${c.reference}` : null)))) : null,
    h('h3', {}, `Règles évaluées (${rules.length})`),
    rules.map((r) => h('section', { class: 'rule', 'data-rule': r.rule },
      h('h4', {}, ruleName(r.rule), ' — ', h('span', { lang: 'en' }, r.title), ' ', h('span', { class: `verdict outcome-${r.outcome}` }, label('Outcome', r.outcome)),
        confidenceMark(r.confidence)),
      h('p', { lang: 'en' }, r.note),
      h('p', { class: 'small muted' }, 'Référence : ', r.reference),
      r.inputs?.length ? h('p', { class: 'small' }, 'Données lues : ',
        r.inputs.map((i, k) => [k ? ' · ' : '', h('code', {}, i.name), ' = ', i.value])) : null,
      r.missing?.length ? h('p', { class: 'small' }, 'Données manquantes : ', r.missing.map((m, k) => [k ? ', ' : '', missingName(m)])) : null,
      r.parameters?.length ? parameterTable(r.parameters) : null)));
}
