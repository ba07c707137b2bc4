// Building the page: elements from data, with every value set as text (never parsed as HTML), so
// names and descriptions that users typed cannot inject markup.

// h('td', {class: 'x'}, 'text', child, ...): an element with attributes and children (strings
// become text nodes; null, undefined and false are skipped; arrays are flattened).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      el.addEventListener(name.slice(2), value);
    } else {
      el.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) {
      append(el, child);
    } else {
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
}

// A table: headers, then rows of cells; `empty` is shown in one cell when there are no rows.
export function table(headers, rows, empty = 'None.', attrs = {}) {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))),
    h('tbody', {}, rows.length ? rows.map((cells) => (cells instanceof Node ? cells : h('tr', {}, cells.map((c) => h('td', {}, c)))))
      : h('tr', {}, h('td', { colspan: headers.length, class: 'empty' }, empty))));
}

// A titled section of a page.
export function section(title, ...body) {
  return h('section', { class: 'panel' }, h('h2', {}, title), ...body);
}

// What a failed call shows in place of its data. A denial names the call and says why.
export function failure(error) {
  if (error && error.denied) {
    const why = error.code === 'Forbidden.OperatorOnly'
      ? `only the operator account may call ${error.action}`
      : `this AccessKey's RAM policies do not allow ${error.action}`;
    return h('p', { class: 'denied', 'data-denied': error.action }, `Denied: ${why} (${error.code}).`);
  }
  const text = error && error.code ? `${error.action} failed: ${error.code}: ${error.apiMessage}` : String(error && error.message || error);
  return h('p', { class: 'error' }, text);
}

// A status word with the class that colours it.
export function badge(text, kind) {
  return h('span', { class: `badge ${kind || ''}`.trim() }, text);
}

// Epoch milliseconds as "YYYY-MM-DD hh:mm:ss UTC"; '' for 0.
export function time(ms) {
  if (!ms) return '';
  return new Date(Number(ms)).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

export function bytes(n) {
  n = Number(n) || 0;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

// A link inside the console.
export function link(route, text) {
  return h('a', { href: `#${route}` }, text);
}

export function instanceRoute(region, id) {
  return `/instance/${encodeURIComponent(region)}/${encodeURIComponent(id)}`;
}

// A progress bar with its percentage as text beside it.
export function progress(done, total, label) {
  const pct = total > 0 ? Math.min(100, Math.floor((100 * done) / total)) : 0;
  return h('span', { class: 'progress' },
    h('progress', { max: 100, value: pct, 'aria-label': label || 'progress' }),
    h('span', { class: 'pct' }, `${pct}%`));
}
