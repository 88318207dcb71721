// The rule trace behind a verdict or an amount, one click away: every rule evaluated, its
// outcome and note, and each parameter it read with its date, reference and confidence.
// Values that are not the text's own are marked: SECONDARY (a faithful second-hand report)
// and ASSUMPTION (the product's reading where the texts are silent).

import { h, fill, sr, table } from './dom.js';
import { date } from './format.js';
import { label } from './labels.js';

/** The confidence marker: a visible short tag and, for screen readers, the words. */
export function confidenceMark(confidence, { always = false } = {}) {
  if (!confidence || (confidence === 'OFFICIAL' && !always)) return null;
  return h('span', { class: `conf conf-${confidence}`, title: label('Confidence', confidence), 'data-confidence': confidence },
    h('span', { 'aria-hidden': 'true' }, label('ConfidenceShort', confidence)),
    sr(` (${label('Confidence', confidence)})`));
}

export function verdictBadge(verdict) {
  return h('span', { class: `verdict verdict-${verdict}` }, label('Verdict', verdict));
}

/** The legend of the markers, shown once per screen. */
export function legend() {
  return h('p', { class: 'legend' },
    'Les montants et verdicts soulignés ouvrent leur explication. ',
    h('span', { class: 'conf conf-SECONDARY', 'aria-hidden': 'true' }, 'sec.'), ' source secondaire fidèle ; ',
    h('span', { class: 'conf conf-ASSUMPTION', 'aria-hidden': 'true' }, 'hyp.'),
    ' hypothèse : notre lecture là où les textes se taisent. Sans marque : ce que dit la convention.');
}

let lastOpener = null;

/**
 * A button showing `content` that opens the explanation `load()` resolves with
 * (`{ explanation, caveats?, onlyRules? }`).
 */
export function explainButton(content, title, load, attrs = {}) {
  return h('button', {
    type: 'button', class: 'explain', 'aria-haspopup': 'dialog', ...attrs,
    onclick: (event) => openExplanation(title, load, event.currentTarget),
  }, content, sr(' — voir l’explication'));
}

export async function openExplanation(title, load, opener) {
  const dialog = document.getElementById('explain');
  const body = document.getElementById('explain-body');
  lastOpener = opener ?? document.activeElement;
  fill(document.getElementById('explain-title'), `Explication : ${title}`);
  fill(body, h('p', {}, 'Chargement de l’explication…'));
  if (!dialog.open) dialog.showModal();
  try {
    const result = await load();
    fill(body, renderExplanation(result));
    body.dataset.loaded = 'true';
  } catch (e) {
    fill(body, h('p', { class: 'field-error' }, `L’explication n’a pas pu être chargée : ${e.message}`));
  }
}

export function setupDialog() {
  const dialog = document.getElementById('explain');
  document.getElementById('explain-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    delete document.getElementById('explain-body').dataset.loaded;
    if (lastOpener && document.contains(lastOpener)) lastOpener.focus();
  });
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
        [p.reference, p.source ? [' — ', h('a', { href: p.source, rel: 'noreferrer noopener', target: '_blank' }, 'source')] : null,
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
      h('h4', {}, h('code', {}, r.rule), ' ', r.title, ' ', h('span', { class: `verdict outcome-${r.outcome}` }, label('Outcome', r.outcome)),
        confidenceMark(r.confidence)),
      h('p', { lang: 'en' }, r.note),
      h('p', { class: 'small muted' }, 'Référence : ', r.reference),
      r.inputs?.length ? h('p', { class: 'small' }, 'Données lues : ',
        r.inputs.map((i, k) => [k ? ' · ' : '', h('code', {}, i.name), ' = ', i.value])) : null,
      r.missing?.length ? h('p', { class: 'small' }, 'Données manquantes : ', r.missing.join(', ')) : null,
      r.parameters?.length ? parameterTable(r.parameters) : null)));
}
