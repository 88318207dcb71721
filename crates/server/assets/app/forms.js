// What a coordinator maintains: a doctor's yearly activity figures, an assistant's hours of a
// month, the CSV import of hours with its line report, and a doctor leaving. Each mutation's
// `userErrors` are shown next to the field their path names.

import { gql, describeError } from './api.js';
import { h, fill, table, uid } from './dom.js';
import { date, month, hours as fmtHours } from './format.js';
import { label } from './labels.js';

const SETUP = `query FormsSetup($id: ID!, $asOf: Date!) { structure(id: $id) { id name
  members(first: 100, activeOn: $asOf) { edges { node { id partner from to practitioner { id firstName lastName rpps } } } }
  assistants(first: 100) { edges { node { id firstName lastName hiredOn } } } } }`;

const ERRORS = 'userErrors { field message code } warnings { field message code }';

const RECORD_FIGURES = `mutation RecordFigures($input: RecordActivityFiguresInput!) { recordActivityFigures(input: $input) {
  figures { year pmt adultPmt fileActive ccamSharePercent band } ${ERRORS} } }`;
const RECORD_HOURS = `mutation RecordHours($input: RecordAssistantActivityInput!) { recordAssistantActivity(input: $input) {
  lines { id month family label hours practitioner { id lastName } } ${ERRORS} } }`;
const IMPORT = `mutation ImportHours($input: ImportAssistantActivityInput!) { importAssistantActivity(input: $input) {
  linesRead linesWritten refusedLines { line field message code } ${ERRORS} } }`;
const LEAVE = `mutation DoctorLeaves($input: UpdateMembershipInput!) { updateMembership(input: $input) {
  membership { id to practitioner { lastName } } ${ERRORS} } }`;

const FAMILIES = ['CONSULTATION', 'ADMINISTRATIVE', 'COORDINATION', 'ACI_COORDINATION', 'OTHER_FUNCTION'];
const BANDS = ['BELOW_P30', 'P30_P50', 'P50_P70', 'P70_P90', 'P90_P95', 'P95_PLUS'];

/** The message of a user error: the French reading of its code when the table has one. */
function errorText(e) {
  const fr = label('ErrorCode', e.code);
  return fr === e.code ? `${e.message} (${e.code})` : `${fr} (${e.code} : ${e.message})`;
}

/** A labelled field with its error line; registered under `key` (the error path after `input`). */
function field(form, key, text, control, hint) {
  const id = control.id || uid(key.replace(/\W/g, '-'));
  control.id = id;
  const error = h('p', { class: 'field-error', id: `${id}-error`, 'data-error-for': key });
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
  control.setAttribute('aria-describedby', [hintEl ? `${id}-hint` : null, `${id}-error`].filter(Boolean).join(' '));
  form.fields.set(key, { control, error });
  return h('div', { class: 'field' }, h('label', { for: id }, text), control, hintEl, error);
}

/** A form whose errors are cleared and shown by field path. */
function formState() {
  const result = h('div', { class: 'form-result', role: 'status' });
  return {
    fields: new Map(),
    result,
    clear() {
      for (const { control, error } of this.fields.values()) {
        fill(error);
        control.removeAttribute('aria-invalid');
      }
      fill(result);
      result.className = 'form-result';
    },
    /** Shows each error by its field; returns those no field takes. */
    show(errors) {
      const rest = [];
      let first = null;
      for (const e of errors) {
        const path = (e.field ?? []).slice(e.field?.[0] === 'input' ? 1 : 0).join('.');
        const target = this.fields.get(path);
        if (target) {
          fill(target.error, target.error.textContent ? `${target.error.textContent} ` : '', errorText(e));
          target.control.setAttribute('aria-invalid', 'true');
          first ??= target.control;
        } else {
          rest.push(e);
        }
      }
      if (first) first.focus();
      return rest;
    },
    /** Errors found by the page itself (no API code): the French text only. */
    showLocal(errors, text) {
      let first = null;
      for (const e of errors) {
        const target = this.fields.get(e.field.slice(1).join('.'));
        if (!target) continue;
        fill(target.error, text);
        target.control.setAttribute('aria-invalid', 'true');
        first ??= target.control;
      }
      if (first) first.focus();
    },
    done(text, ok) {
      result.className = `form-result ${ok ? 'ok' : 'error'}`;
      fill(result, text);
    },
  };
}

async function submit(form, button, run) {
  form.clear();
  button.disabled = true;
  try {
    await run();
  } catch (error) {
    form.done(describeError(error), false);
  } finally {
    button.disabled = false;
  }
}

const FIGURES_OF = `query FiguresOf($id: ID!) { node(id: $id) { ... on Practitioner {
  activityFigures { year pmt adultPmt fileActive ccamSharePercent band origin obtainedAt } } } }`;

function figuresForm(ctx) {
  const form = formState();
  const doctor = h('select', {}, ctx.members.map((m) => h('option', { value: m.practitioner.id }, `${m.practitioner.firstName} ${m.practitioner.lastName}`)));
  const year = h('input', { type: 'text', inputmode: 'numeric', value: String(Number(ctx.asOf.slice(0, 4)) - 1), size: 6 });
  const ints = ['pmt', 'adultPmt', 'fileActive'].map((k) => [k, h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', size: 8 })]);
  const ccam = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', size: 8 });
  const band = h('select', {}, h('option', { value: '' }, '— non connue —'), BANDS.map((b) => h('option', { value: b }, label('ActivityBand', b))));
  const button = h('button', { type: 'submit' }, 'Enregistrer les chiffres');
  const names = { pmt: 'Patientèle médecin traitant (PMT)', adultPmt: 'PMT adulte', fileActive: 'File active' };
  // The API replaces the whole year: the form shows what is stored for the doctor and year, so
  // that editing one figure keeps the others; a field the coordinator empties is sent as null.
  const stored = h('p', { class: 'small', 'data-testid': 'figures-stored', role: 'status' });
  let loading = 0;
  async function load() {
    const ticket = ++loading;
    const y = Number(year.value.trim());
    el.dataset.loaded = '';
    if (!doctor.value || !/^\d{4}$/.test(year.value.trim())) {
      fill(stored, 'Indiquez une année (AAAA) pour voir les chiffres enregistrés.');
      return;
    }
    try {
      const node = (await gql(FIGURES_OF, { id: doctor.value })).node;
      if (ticket !== loading) return;
      const f = (node?.activityFigures ?? []).find((x) => x.year === y) ?? null;
      for (const [k, c] of ints) c.value = f && f[k] !== null ? String(f[k]) : '';
      ccam.value = f?.ccamSharePercent ? f.ccamSharePercent.replace('.', ',') : '';
      band.value = f?.band ?? '';
      fill(stored, f
        ? `Chiffres ${y} enregistrés (${label('FiguresOrigin', f.origin)}) repris ci-dessous : modifiez ce qui change. `
          + 'Un champ que vous videz sera effacé (l’année entière est remplacée).'
        : `Aucun chiffre enregistré pour ${y} : les champs laissés vides resteront inconnus.`);
      el.dataset.loaded = `${doctor.value}:${y}`;
    } catch (error) {
      if (ticket === loading) fill(stored, `Chiffres enregistrés illisibles : ${describeError(error)}`);
    }
  }
  doctor.addEventListener('change', load);
  year.addEventListener('change', load);
  const el = h('form', {
    class: 'form-card', novalidate: true, 'data-form': 'figures', 'aria-labelledby': 'figures-title',
    onsubmit: (event) => {
      event.preventDefault();
      submit(form, button, async () => {
        const input = { practitionerId: doctor.value };
        const bad = [];
        const int = (key, control) => {
          const v = control.value.trim().replace(/\s/g, '');
          if (!v) return null;
          if (!/^\d+$/.test(v)) bad.push({ field: ['input', key] });
          return Number(v);
        };
        input.year = int('year', year);
        for (const [k, c] of ints) input[k] = int(k, c);
        input.ccamSharePercent = ccam.value.trim() ? ccam.value.trim().replace(',', '.') : null;
        input.band = band.value || null;
        if (bad.length) {
          // Checked here, before anything is sent: a page message, not an API code.
          form.showLocal(bad, 'Nombre entier attendu (ex. 1 200).');
          form.done('Corrigez les champs signalés.', false);
          return;
        }
        const p = (await gql(RECORD_FIGURES, { input })).recordActivityFigures;
        const rest = form.show(p.userErrors);
        if (p.userErrors.length) {
          form.done(['Rien n’a été enregistré. ', rest.map(errorText).join(' ')], false);
        } else {
          form.done(`Chiffres ${p.figures.year} enregistrés.${p.warnings.length ? ` À vérifier : ${p.warnings.map(errorText).join(' ')}` : ''}`, true);
          load();
        }
      });
    },
  },
  h('h2', { id: 'figures-title' }, 'Chiffres d’activité d’un médecin'),
  h('p', { class: 'small muted' }, 'Les chiffres enregistrés pour ce médecin et cette année sont repris dans les champs. L’enregistrement remplace toute l’année : un champ vidé est effacé.'),
  h('div', { class: 'form-grid' },
    field(form, 'practitionerId', 'Médecin', doctor),
    field(form, 'year', 'Année', year),
    ints.map(([k, c]) => field(form, k, names[k], c)),
    field(form, 'ccamSharePercent', 'Part CCAM des honoraires (%)', ccam, 'ex. 12,5'),
    field(form, 'band', 'Tranche de la distribution', band)),
  stored, button, form.result);
  load();
  return el;
}

function hoursForm(ctx) {
  const form = formState();
  const assistant = h('select', {}, ctx.assistants.map((a) => h('option', { value: a.id }, `${a.firstName} ${a.lastName}`)));
  const previous = (() => {
    const [y, m] = ctx.asOf.split('-').map(Number);
    return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
  })();
  const monthInput = h('input', { type: 'month', value: previous, required: true });
  const rows = [];
  const ROWS = 4;
  for (let i = 0; i < ROWS; i += 1) {
    const doctor = h('select', { 'aria-label': `Ligne ${i + 1} : médecin` }, h('option', { value: '' }, '— aucun médecin —'),
      ctx.members.map((m) => h('option', { value: m.practitioner.id }, `Dr ${m.practitioner.lastName}`)));
    const family = h('select', { 'aria-label': `Ligne ${i + 1} : mission` }, FAMILIES.map((f) => h('option', { value: f }, label('MissionFamily', f))));
    const text = h('input', { type: 'text', 'aria-label': `Ligne ${i + 1} : libellé`, size: 12, autocomplete: 'off' });
    const hoursInput = h('input', { type: 'text', inputmode: 'decimal', 'aria-label': `Ligne ${i + 1} : heures`, size: 7, autocomplete: 'off', 'data-line': i });
    rows.push({ doctor, family, text, hours: hoursInput });
  }
  // Errors name the line as sent; rows left empty are not sent, so keep which row each was.
  let sent = [];
  const errorCell = (key, control) => {
    const id = uid('line');
    control.id = id;
    const error = h('p', { class: 'field-error', id: `${id}-error`, 'data-error-for': key });
    control.setAttribute('aria-describedby', `${id}-error`);
    form.fields.set(key, { control, error });
    return [control, error];
  };
  const button = h('button', { type: 'submit' }, 'Enregistrer le mois');
  const linesTable = table({
    caption: 'Lignes du mois (une par médecin et mission ; laissez vides les lignes inutiles)',
    head: ['Ligne', 'Médecin', 'Mission', 'Libellé', 'Heures'],
    rows: rows.map((r, i) => [String(i + 1), errorCell(`row${i}.practitionerId`, r.doctor), errorCell(`row${i}.family`, r.family),
      errorCell(`row${i}.label`, r.text), errorCell(`row${i}.hours`, r.hours)]),
  });
  const showErrors = (errors) => form.show(errors.map((e) => {
    const f = e.field ?? [];
    if (f[1] === 'lines' && f.length >= 4 && sent[Number(f[2])] !== undefined) {
      return { ...e, field: [`row${sent[Number(f[2])]}`, f[3]] };
    }
    return e;
  }));
  const el = h('form', {
    class: 'form-card', novalidate: true, 'data-form': 'hours', 'aria-labelledby': 'hours-title',
    onsubmit: (event) => {
      event.preventDefault();
      submit(form, button, async () => {
        sent = [];
        const lines = [];
        // A row with a doctor or a label but no hours is not silently dropped.
        const incomplete = rows.map((r, i) => [r, i]).filter(([r]) => !r.hours.value.trim() && (r.doctor.value || r.text.value.trim()));
        if (incomplete.length) {
          form.showLocal(incomplete.map(([, i]) => ({ field: ['input', `row${i}`, 'hours'] })), 'Heures manquantes : saisissez-les, ou videz la ligne.');
          form.done(`Rien n’a été enregistré : ${incomplete.length} ligne(s) sans heures.`, false);
          return;
        }
        rows.forEach((r, i) => {
          if (!r.hours.value.trim()) return;
          sent.push(i);
          const line = { family: r.family.value, hours: r.hours.value.trim() };
          if (r.doctor.value) line.practitionerId = r.doctor.value;
          if (r.text.value.trim()) line.label = r.text.value.trim();
          lines.push(line);
        });
        if (!lines.length) {
          form.showLocal([{ field: ['input', 'row0', 'hours'] }], 'Au moins une ligne avec des heures.');
          form.done('Saisissez les heures d’au moins une ligne.', false);
          return;
        }
        const p = (await gql(RECORD_HOURS, { input: { assistantId: assistant.value, month: monthInput.value, lines } })).recordAssistantActivity;
        const rest = showErrors(p.userErrors);
        if (p.userErrors.length) {
          form.done(['Rien n’a été enregistré pour ce mois. ', rest.map(errorText).join(' ')], false);
        } else {
          // The payload holds the whole month once written; the new lines are those sent.
          const isNew = (l) => lines.some((x) => x.family === l.family && (x.practitionerId ?? null) === (l.practitioner?.id ?? null));
          const added = p.lines.filter(isNew);
          form.done(`${added.length} ligne(s) enregistrée(s) pour ${month(monthInput.value)} : `
            + added.map((l) => `${label('MissionFamily', l.family)}${l.practitioner ? ` (Dr ${l.practitioner.lastName})` : ''} ${fmtHours(l.hours)}`).join(', ')
            + (p.lines.length > added.length ? `. Le mois compte ${p.lines.length} ligne(s) en tout.` : '.'), true);
          for (const r of rows) r.hours.value = '';
        }
      });
    },
  },
  h('h2', { id: 'hours-title' }, 'Heures d’un(e) assistant(e) sur un mois'),
  h('div', { class: 'form-grid' }, field(form, 'assistantId', 'Assistant(e)', assistant), field(form, 'month', 'Mois', monthInput, 'AAAA-MM, pas après le mois en cours')),
  linesTable, button, form.result);
  if (!ctx.assistants.length) {
    // Nothing to record for: said, and the form cannot be sent.
    button.disabled = true;
    assistant.disabled = true;
    el.insertBefore(h('p', { class: 'field-error', 'data-testid': 'no-assistant' }, 'Aucun(e) assistant(e) n’est enregistré(e) pour cette structure : il n’y a pas d’heures à saisir.'), el.children[1]);
  }
  return el;
}

/**
 * A CSV file's bytes as text: strict UTF-8 first (a BOM is dropped), else Windows-1252, which is
 * what Excel's "CSV (séparateur point-virgule)" writes on a French Windows. A strict decoder
 * refuses any byte sequence that is not UTF-8, so a Windows-1252 "É" (0xC9) is never garbled.
 */
export function decodeCsv(buffer) {
  const bytes = new Uint8Array(buffer);
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

function importForm(ctx) {
  const form = formState();
  const text = h('textarea', { rows: 8, spellcheck: 'false', autocomplete: 'off' });
  const file = h('input', { type: 'file', accept: '.csv,text/csv,text/plain' });
  const decoded = h('p', { class: 'small', 'data-testid': 'csv-encoding', role: 'status' });
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    const { text: content, encoding } = decodeCsv(await f.arrayBuffer());
    text.value = content;
    decoded.dataset.encoding = encoding;
    fill(decoded, encoding === 'utf-8' ? `Fichier « ${f.name} » lu (UTF-8).`
      : `Fichier « ${f.name} » lu en Windows-1252 (export Excel « CSV séparateur point-virgule ») : vérifiez les accents ci-dessous.`);
  });
  const report = h('div', { 'data-testid': 'import-report' });
  const button = h('button', { type: 'submit' }, 'Importer');
  const el = h('form', {
    class: 'form-card', novalidate: true, 'data-form': 'import', 'aria-labelledby': 'import-title',
    onsubmit: (event) => {
      event.preventDefault();
      fill(report);
      submit(form, button, async () => {
        const p = (await gql(IMPORT, { input: { structureId: ctx.structureId, csv: text.value } })).importAssistantActivity;
        const lineErrors = p.userErrors.filter((e) => e.field?.[1] === 'csv' && e.field.length > 2);
        const rest = form.show(p.userErrors.filter((e) => !lineErrors.includes(e)));
        report.dataset.read = p.linesRead;
        report.dataset.written = p.linesWritten;
        report.dataset.refused = p.refusedLines.length;
        fill(report,
          h('p', {}, `${p.linesRead} ligne(s) lue(s), ${p.linesWritten} écrite(s), ${p.refusedLines.length} refusée(s).`),
          p.refusedLines.length ? table({
            caption: 'Lignes refusées (rien n’a été écrit : corrigez-les et importez de nouveau le fichier)',
            head: ['Ligne du fichier', 'Colonne', 'Motif'],
            rows: p.refusedLines.map((r) => ({ attrs: { 'data-line': r.line, 'data-field': r.field }, cells: [String(r.line), r.field, errorText(r)] })),
          }) : null);
        if (p.linesWritten > 0 && !p.refusedLines.length && !p.userErrors.length) form.done('Import terminé : toutes les lignes sont enregistrées.', true);
        else form.done(['Rien n’a été enregistré. ', rest.map(errorText).join(' ')], false);
      });
    },
  },
  h('h2', { id: 'import-title' }, 'Importer un fichier d’heures (CSV)'),
  h('p', { class: 'small' }, 'En-tête ', h('code', {}, 'assistant,month,doctor,family,hours'), ' (et ', h('code', {}, 'label'),
    ' en option), séparateur virgule ou point-virgule ; l’assistant(e) par son nom, le médecin par son RPPS (vide pour des heures sans médecin), le mois en AAAA-MM. Tout le fichier est écrit, ou rien.'),
  field(form, 'file', 'Fichier', file), decoded,
  field(form, 'csv', 'Contenu du fichier', text),
  button, form.result, report);
  return el;
}

function leavingForm(ctx) {
  const form = formState();
  const member = h('select', {}, ctx.members.map((m) => h('option', { value: m.id }, `${m.practitioner.firstName} ${m.practitioner.lastName}${m.to ? ` (jusqu’au ${date(m.to)})` : ''}`)));
  const to = h('input', { type: 'date', required: true });
  const button = h('button', { type: 'submit' }, 'Enregistrer le départ');
  const el = h('form', {
    class: 'form-card', novalidate: true, 'data-form': 'leaving', 'aria-labelledby': 'leaving-title',
    onsubmit: (event) => {
      event.preventDefault();
      submit(form, button, async () => {
        if (!to.value) {
          form.showLocal([{ field: ['input', 'to'] }], 'Date obligatoire.');
          form.done('Indiquez le dernier jour.', false);
          return;
        }
        const p = (await gql(LEAVE, { input: { id: member.value, to: to.value } })).updateMembership;
        const rest = form.show(p.userErrors);
        if (p.userErrors.length) form.done(['Rien n’a été enregistré. ', rest.map(errorText).join(' ')], false);
        else form.done(`Départ du Dr ${p.membership.practitioner.lastName} enregistré au ${date(p.membership.to)}.`, true);
      });
    },
  },
  h('h2', { id: 'leaving-title' }, 'Départ d’un médecin'),
  h('div', { class: 'form-grid' }, field(form, 'id', 'Médecin', member), field(form, 'to', 'Dernier jour dans la structure', to)),
  button, form.result);
  return el;
}

export async function render({ structure, asOf }) {
  const s = (await gql(SETUP, { id: structure.id, asOf })).structure;
  const ctx = {
    structureId: s.id,
    asOf,
    members: s.members.edges.map((e) => e.node),
    assistants: s.assistants.edges.map((e) => e.node),
  };
  return h('div', { class: 'forms', 'data-testid': 'forms' },
    h('h1', {}, `${s.name} — saisies`),
    h('p', {}, 'Ce que la structure tient à jour. Une saisie refusée n’écrit rien ; chaque erreur s’affiche à côté de son champ.'),
    hoursForm(ctx),
    importForm(ctx),
    figuresForm(ctx),
    leavingForm(ctx));
}
