// Building the page's elements. Every text goes through textContent, never through markup, so
// nothing an API answer holds can become HTML; styles are set through the CSSOM only (the
// Content-Security-Policy forbids style attributes in markup).

const SVG_NS = 'http://www.w3.org/2000/svg'; // a name, not a location: nothing is fetched
const SVG_TAGS = new Set(['svg', 'g', 'rect', 'line', 'text', 'title', 'desc', 'path', 'polyline']);

/** `h('td', {class: 'num'}, 'text', child…)`: an element; `on<event>` attributes are listeners. */
export function h(tag, attrs, ...children) {
  const svg = SVG_TAGS.has(tag);
  const el = svg ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') {
      for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) el.dataset[k] = String(v);
    } else if (key === 'width%') {
      el.style.width = `${value}%`;
    } else if (key === 'props') {
      Object.assign(el, value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces an element's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Text for screen readers only. */
export function sr(text) {
  return h('span', { class: 'sr-only' }, text);
}

let ids = 0;
/** A unique id for label / aria wiring. */
export function uid(prefix) {
  ids += 1;
  return `${prefix}-${ids}`;
}

/** A table from a caption, header cells and rows of cells (each a node, text or `{cell, class}`). */
export function table({ caption, head, rows, foot, className, captionHidden }) {
  const cell = (tag, c, scope) => {
    if (c && typeof c === 'object' && !(c instanceof Node) && !Array.isArray(c)) {
      return h(tag, { class: c.class, scope: c.scope ?? scope, colspan: c.colspan, dataset: c.dataset }, c.cell);
    }
    return h(tag, { scope }, c);
  };
  return h('div', { class: 'table-wrap' },
    h('table', { class: className },
      caption ? h('caption', { class: captionHidden ? 'sr-only' : null }, caption) : null,
      head ? h('thead', {}, h('tr', {}, head.map((c) => cell('th', c, 'col')))) : null,
      h('tbody', {}, rows.map((r) => h('tr', r.attrs ?? {}, (r.cells ?? r).map((c, i) => cell(i === 0 && r.rowHeader !== false ? 'th' : 'td', c, i === 0 ? 'row' : null))))),
      foot ? h('tfoot', {}, foot.map((r) => h('tr', {}, r.map((c, i) => cell(i === 0 ? 'th' : 'td', c, i === 0 ? 'row' : null))))) : null,
    ));
}
