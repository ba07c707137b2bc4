// A horizontal bar chart as hand-written SVG: one bar per item, its label at the left and its
// count at the right. Colours come from the stylesheet (classes), so no inline style is needed.

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

// items: [{label, count, kind}] (kind: a class for the bar, e.g. 'device' or 'dpi').
export function barChart(items, { title = 'chart', width = 560 } = {}) {
  const row = 26;
  const labelWidth = 170;
  const countWidth = 60;
  const height = Math.max(1, items.length) * row + 8;
  const max = Math.max(1, ...items.map((i) => i.count));
  const root = svg('svg', {
    class: 'chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title,
  });
  root.append(svg('title', {}, title));
  items.forEach((item, i) => {
    const y = 4 + i * row;
    const barWidth = Math.max(2, Math.round(((width - labelWidth - countWidth) * item.count) / max));
    const g = svg('g', { class: `bar ${item.kind || ''}`.trim() });
    g.append(svg('text', { x: labelWidth - 8, y: y + 17, 'text-anchor': 'end', class: 'label' }, item.label));
    g.append(svg('rect', { x: labelWidth, y: y + 3, width: barWidth, height: row - 8, rx: 3 }));
    g.append(svg('text', { x: labelWidth + barWidth + 6, y: y + 17, class: 'count' }, String(item.count)));
    root.append(g);
  });
  return root;
}
