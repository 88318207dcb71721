// Bar charts in SVG, drawn from the API's figures. Each bar carries its exact amount (the
// API's string) in `data-amount` and in its tooltip; every chart comes with a table of the same
// figures beside it, its text alternative. Numbers are used for the bars' geometry only.

import { h, uid } from './dom.js';
import { money, toPlot } from './format.js';

const COMPACT = new Intl.NumberFormat('fr-FR', { notation: 'compact', style: 'currency', currency: 'EUR', maximumFractionDigits: 1 });

function compact(value) {
  return /^-?\d+(\.\d+)?$/.test(String(value)) ? COMPACT.format(String(value)) : String(value);
}

/**
 * `categories`: the x labels; `series`: `[{ name, key, values: [amount string | null] }]`.
 * Returns a `<figure>` whose `<svg role="img">` is labelled by its caption and described by
 * the table that follows it (`tableId`).
 */
export function barChart({ title, categories, series, tableId, testId }) {
  const width = 900;
  const height = 320;
  const left = 78;
  const right = 12;
  const top = 24;
  const bottom = 44;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const all = series.flatMap((s) => s.values.map(toPlot));
  const max = Math.max(0, ...all);
  const min = Math.min(0, ...all);
  const span = max - min || 1;
  const y = (v) => top + ((max - v) / span) * plotH;
  const titleId = uid('chart-title');
  const groupW = plotW / Math.max(1, categories.length);
  const barW = Math.min(70, (groupW * 0.76) / Math.max(1, series.length));

  const ticks = [];
  for (let i = 0; i <= 4; i += 1) ticks.push(min + (span * i) / 4);

  const svg = h('svg', {
    viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': titleId,
    'aria-describedby': tableId, 'data-testid': testId, focusable: 'false',
  },
  h('title', {}, title),
  ticks.map((t) => h('g', {},
    h('line', { class: 'grid', x1: left, x2: width - right, y1: y(t), y2: y(t) }),
    h('text', { x: left - 6, y: y(t) + 4, 'text-anchor': 'end' }, compact(t.toFixed(2))))),
  h('line', { class: 'axis', x1: left, x2: width - right, y1: y(0), y2: y(0) }),
  categories.map((category, i) => {
    const x0 = left + groupW * i + (groupW - barW * series.length) / 2;
    return h('g', {},
      series.map((s, j) => {
        const value = s.values[i];
        if (value === null || value === undefined) return null;
        const v = toPlot(value);
        const yTop = v >= 0 ? y(v) : y(0);
        const barH = Math.max(1, Math.abs(y(v) - y(0)));
        const x = x0 + barW * j;
        return h('g', {},
          h('rect', {
            class: `bar bar-${s.key}${v < 0 ? ' bar-negative' : ''}`, x, y: yTop, width: Math.max(1, barW - 4), height: barH,
            'data-series': s.key, 'data-category': category, 'data-amount': value,
          }, h('title', {}, `${s.name}, ${category} : ${money(value)}`)),
          h('text', { x: x + (barW - 4) / 2, y: v >= 0 ? yTop - 5 : yTop + barH + 13, 'text-anchor': 'middle', 'aria-hidden': 'true' }, compact(value)));
      }),
      h('text', { x: left + groupW * i + groupW / 2, y: height - bottom + 18, 'text-anchor': 'middle' }, category));
  }));

  return h('figure', { class: 'chart' },
    h('figcaption', { id: titleId }, title),
    series.length > 1 ? h('div', { class: 'chart-key', 'aria-hidden': 'true' },
      series.map((s) => h('span', {}, h('span', { class: `swatch key-${s.key}` }), s.name))) : null,
    svg);
}
