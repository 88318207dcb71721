// French formatting of the API's values. Money arrives as decimal strings ("30000.00"): it is
// formatted from the string (Intl.NumberFormat reads strings as exact decimals) and never
// turned into a float for arithmetic; the page sums nothing the API does not sum.

const MONEY = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
const DECIMAL = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 2 });
const HOURS = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const INTEGER = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
const PERCENT = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 1 });
const DATE = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const MONTH = new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' });

const DECIMAL_TEXT = /^-?\d+(\.\d+)?$/;

/** `"38000.00"` → `38 000,00 €`; null → `—`. */
export function money(value) {
  if (value === null || value === undefined) return '—';
  const text = String(value);
  return DECIMAL_TEXT.test(text) ? MONEY.format(text) : text;
}

/** The opposite sign of a decimal string, as text (no arithmetic). */
export function negate(value) {
  const text = String(value);
  if (text.startsWith('-')) return text.slice(1);
  return /^0+(\.0+)?$/.test(text) ? text : `-${text}`;
}

/** Whether a decimal string is below zero. */
export function isNegative(value) {
  return String(value).startsWith('-') && !/^-0+(\.0+)?$/.test(String(value));
}

/** `"2026-12-01"` → `1 décembre 2026`. */
export function date(iso) {
  if (!iso) return '—';
  const d = new Date(`${iso}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? iso : DATE.format(d);
}

/** `"2026-10"` → `octobre 2026`. */
export function month(ym) {
  if (!ym) return '—';
  const d = new Date(`${ym}-01T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? ym : MONTH.format(d);
}

/** A decimal string (hours, mean PMT) in French: `"151.67"` → `151,67`. */
export function decimal(value) {
  if (value === null || value === undefined) return '—';
  const text = String(value);
  return DECIMAL_TEXT.test(text) ? DECIMAL.format(text) : text;
}

export function integer(value) {
  if (value === null || value === undefined) return '—';
  return INTEGER.format(value);
}

/** A share or rate from 0 to 1, as a decimal string: `"0.5"` → `50 %`. */
export function percent(value) {
  if (value === null || value === undefined) return '—';
  const text = String(value);
  return DECIMAL_TEXT.test(text) ? PERCENT.format(text) : text;
}

/** An exact ETP fraction: `"7/6"` → `7/6 ETP (≈ 1,17)`; `"1/2"` → `1/2 ETP`. */
export function etp(value) {
  if (value === null || value === undefined) return '—';
  const text = String(value);
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m) return `${decimal(text)} ETP`;
  const [num, den] = [Number(m[1]), Number(m[2])];
  const simple = [2, 3, 4, 5, 10].includes(den) && num < den;
  return simple ? `${text} ETP` : `${text} ETP (≈ ${DECIMAL.format(num / den)})`;
}

/** Hours with two decimals: `"151.67"` → `151,67 h`. */
export function hours(value) {
  if (value === null || value === undefined) return '—';
  const text = String(value);
  return DECIMAL_TEXT.test(text) ? `${HOURS.format(text)} h` : `${text} h`;
}

/** Today, in the browser's calendar, as `YYYY-MM-DD`. */
export function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `YYYY-MM` of the month before the day `YYYY-MM-DD`. */
export function previousMonth(iso) {
  const [y, m] = iso.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** A decimal string as a number, for the geometry of charts only (never for money sums). */
export function toPlot(value) {
  const n = Number(value);
  return Number.isFinite(n) ? n : 0;
}
