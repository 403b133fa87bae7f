// A per-epoch bar chart drawn as SVG (no chart library needed for bars).
// Heights are scaled with Number (display only); labels stay exact.
const NS = 'http://www.w3.org/2000/svg';

function el(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export interface Bar {
  label: string;
  value: bigint;
  /** Tooltip text (exact value). */
  title: string;
}

export function barChart(title: string, bars: Bar[], color: string, testid: string): SVGSVGElement {
  const w = 360;
  const hgt = 160;
  const pad = { l: 8, r: 8, t: 22, b: 22 };
  const svg = el('svg', { viewBox: `0 0 ${w} ${hgt}`, class: 'chart', 'data-testid': testid, role: 'img' }) as SVGSVGElement;
  svg.append(el('text', { x: pad.l, y: 14, class: 'chart-title' }, title));
  const max = bars.reduce((m, b) => (b.value > m ? b.value : m), 0n);
  const n = Math.max(bars.length, 1);
  const bw = (w - pad.l - pad.r) / n;
  bars.forEach((b, i) => {
    const frac = max === 0n ? 0 : Number((b.value * 10000n) / max) / 10000;
    const bh = frac * (hgt - pad.t - pad.b);
    const x = pad.l + i * bw;
    const rect = el('rect', { x: x + 2, y: hgt - pad.b - bh, width: Math.max(bw - 4, 1), height: bh, fill: color, 'data-value': b.value.toString() });
    rect.append(el('title', {}, b.title));
    svg.append(rect);
    svg.append(el('text', { x: x + bw / 2, y: hgt - 6, 'text-anchor': 'middle', class: 'chart-axis' }, b.label));
  });
  if (bars.length === 0) svg.append(el('text', { x: w / 2, y: hgt / 2, 'text-anchor': 'middle', class: 'chart-axis' }, 'no epochs yet'));
  svg.append(el('line', { x1: pad.l, x2: w - pad.r, y1: hgt - pad.b, y2: hgt - pad.b, stroke: '#889' }));
  return svg;
}
