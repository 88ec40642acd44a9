// Small, pure SVG building blocks for the HTML report: escaping, scales, axes, marks, legends.
// Every text a report can influence goes through `h`, which escapes by default: a hostname or
// an errno text of `<script>` can never become markup, and forgetting to escape is not possible
// short of calling `raw`.

/** Markup that is already safe to insert as is. */
export class Safe {
  constructor(readonly s: string) {}
  toString(): string {
    return this.s;
  }
}
export type Part = Safe | string | number | boolean | null | undefined | Part[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c]);

function part(v: Part): string {
  if (v instanceof Safe) return v.s;
  if (Array.isArray(v)) return v.map(part).join('');
  if (v === null || v === undefined || v === false) return '';
  return esc(String(v));
}

/** Template tag: interpolated values are escaped unless they are Safe; arrays are joined. */
export function h(strings: TemplateStringsArray, ...vals: Part[]): Safe {
  let out = strings[0];
  for (let i = 0; i < vals.length; i++) out += part(vals[i]) + strings[i + 1];
  return new Safe(out);
}
/** Only for markup this module or html.ts built itself. */
export const raw = (s: string): Safe => new Safe(s);

/** Coordinates: finite and short, so a NaN from a malformed report cannot break an attribute. */
export const n = (v: number): string => (Number.isFinite(v) ? String(Math.round(v * 10) / 10) : '0');

export interface Scale {
  (v: number): number;
  lo: number;
  hi: number;
  ticks: { v: number; label: string }[];
}

/** Log scale over whole decades that cover [lo, hi]; ticks at each decade (plus 2 and 5 when few). */
export function logScale(lo: number, hi: number, a: number, b: number, label: (v: number) => string): Scale {
  const l0 = Math.floor(Math.log10(Math.max(lo, 1e-12)));
  const l1 = Math.max(l0 + 1, Math.ceil(Math.log10(Math.max(hi, lo, 1e-12))));
  const f = ((v: number) => a + ((Math.log10(Math.max(v, 1e-12)) - l0) / (l1 - l0)) * (b - a)) as Scale;
  f.lo = 10 ** l0;
  f.hi = 10 ** l1;
  f.ticks = [];
  for (let k = l0; k <= l1; k++) {
    f.ticks.push({ v: 10 ** k, label: label(10 ** k) });
    if (l1 - l0 <= 2 && k < l1) for (const m of [2, 5]) f.ticks.push({ v: m * 10 ** k, label: label(m * 10 ** k) });
  }
  return f;
}

export function linScale(
  lo: number,
  hi: number,
  a: number,
  b: number,
  step: number,
  label: (v: number) => string,
): Scale {
  const f = ((v: number) => a + ((v - lo) / (hi - lo || 1)) * (b - a)) as Scale;
  f.lo = lo;
  f.hi = hi;
  f.ticks = [];
  for (let v = lo; v <= hi + step / 1e6; v += step) f.ticks.push({ v, label: label(v) });
  return f;
}

export interface TextOpts {
  anchor?: 'start' | 'middle' | 'end';
  size?: number;
  weight?: 'bold' | 'normal';
  fill?: string;
  mono?: boolean;
  rotate?: number;
  cls?: string;
  /** White outline under the glyphs: keeps a label legible where lines cross it. */
  halo?: boolean;
}

export function text(x: number, y: number, s: Part, o: TextOpts = {}): Safe {
  const rot = o.rotate ? h` transform="rotate(${n(o.rotate)} ${n(x)} ${n(y)})"` : '';
  const attrs = [
    h` font-size="${o.size ?? 12}" text-anchor="${o.anchor ?? 'start'}"`,
    o.weight === 'bold' ? raw(' font-weight="bold"') : '',
    o.fill ? h` fill="${o.fill}"` : '',
    o.mono ? raw(' font-family="ui-monospace, DejaVu Sans Mono, monospace"') : '',
    o.cls ? h` class="${o.cls}"` : '',
    o.halo ? raw(' stroke="#fff" stroke-width="4" paint-order="stroke"') : '',
    rot,
  ];
  return h`<text x="${n(x)}" y="${n(y)}"${attrs}>${s}</text>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke: string, width = 1, dash?: string): Safe {
  const ends = h`x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}"`;
  return h`<line ${ends} stroke="${stroke}" stroke-width="${n(width)}"${dash ? h` stroke-dasharray="${dash}"` : ''}/>`;
}

/** A rectangle; `tip` becomes a native tooltip (<title>), readable without JavaScript. */
export interface RectOpts {
  cls?: string;
  tip?: string;
  data?: Record<string, string | number>;
  opacity?: number;
}

export function rect(x: number, y: number, w: number, hgt: number, fill: string, o: RectOpts = {}): Safe {
  const data = Object.entries(o.data ?? {}).map(([k, v]) => h` data-${k}="${v}"`);
  const body = o.tip ? h`<title>${o.tip}</title>` : '';
  const box = h`x="${n(x)}" y="${n(y)}" width="${n(Math.max(0, w))}" height="${n(Math.max(0, hgt))}"`;
  const opacity = o.opacity !== undefined ? h` fill-opacity="${n(o.opacity)}"` : '';
  return h`<rect ${box} fill="${fill}"${opacity}${o.cls ? h` class="${o.cls}"` : ''}${data}>${body}</rect>`;
}

export function circle(x: number, y: number, r: number, fill: string, tip?: string): Safe {
  const title = tip ? h`<title>${tip}</title>` : '';
  const at = h`cx="${n(x)}" cy="${n(y)}" r="${n(r)}"`;
  return h`<circle ${at} fill="${fill}" stroke="#fff" stroke-width="1">${title}</circle>`;
}

export function polyline(pts: [number, number][], stroke: string, width = 2, cls?: string): Safe {
  const p = pts.map(([x, y]) => `${n(x)},${n(y)}`).join(' ');
  const style = h`fill="none" stroke="${stroke}" stroke-width="${n(width)}" stroke-linejoin="round"`;
  return h`<polyline points="${p}" ${style}${cls ? h` class="${cls}"` : ''}/>`;
}

/** Horizontal axis at y, with tick labels below and light grid lines up to `gridTop`. */
export function xAxis(s: Scale, y: number, title: string, gridTop?: number): Safe {
  const a = s(s.lo),
    b = s(s.hi);
  const ticks = s.ticks.map((t) => [
    gridTop !== undefined ? line(s(t.v), gridTop, s(t.v), y, '#e1e4e8') : '',
    line(s(t.v), y, s(t.v), y + 5, '#57606a'),
    text(s(t.v), y + 18, t.label, { anchor: 'middle', size: 11, fill: '#24292f' }),
  ]);
  const label = text((a + b) / 2, y + 38, title, { anchor: 'middle', size: 12, weight: 'bold', fill: '#24292f' });
  return h`<g class="axis x">${ticks}${line(a, y, b, y, '#57606a')}${label}</g>`;
}

/** Vertical axis at x, labels on the left, grid lines to `gridRight`, title rotated. */
export function yAxis(s: Scale, x: number, title: string, gridRight?: number, titleX = x - 46): Safe {
  const a = s(s.lo),
    b = s(s.hi);
  const ticks = s.ticks.map((t) => [
    gridRight !== undefined ? line(x, s(t.v), gridRight, s(t.v), '#e1e4e8') : '',
    line(x - 5, s(t.v), x, s(t.v), '#57606a'),
    text(x - 8, s(t.v) + 4, t.label, { anchor: 'end', size: 11, fill: '#24292f' }),
  ]);
  const label = text(titleX, (a + b) / 2, title, {
    anchor: 'middle',
    size: 12,
    weight: 'bold',
    fill: '#24292f',
    rotate: -90,
  });
  return h`<g class="axis y">${ticks}${line(x, a, x, b, '#57606a')}${label}</g>`;
}

export type Swatch = 'box' | 'dot' | 'tick' | 'diamond' | 'cross' | 'dash' | 'line';

/** One mark of a legend or a data row, centred on (x, y). */
export function mark(kind: Swatch, x: number, y: number, color: string, size = 6): Safe {
  const d = size * 0.7;
  switch (kind) {
    case 'box':
      return rect(x - size, y - size / 1.5, size * 2, size * 1.3, color);
    case 'dot':
      return circle(x, y, size * 0.8, color);
    case 'tick':
      return line(x, y - size, x, y + size, color, 2);
    case 'diamond': {
      const path = h`M${n(x)} ${n(y - size)}L${n(x + size)} ${n(y)}L${n(x)} ${n(y + size)}L${n(x - size)} ${n(y)}Z`;
      return h`<path d="${path}" fill="${color}"/>`;
    }
    case 'cross': {
      const path = h`M${n(x - d)} ${n(y - d)}L${n(x + d)} ${n(y + d)}M${n(x - d)} ${n(y + d)}L${n(x + d)} ${n(y - d)}`;
      return h`<path d="${path}" stroke="${color}" stroke-width="2"/>`;
    }
    case 'dash':
      return line(x - size * 1.4, y, x + size * 1.4, y, color, 2, '5 3');
    case 'line':
      return line(x - size * 1.4, y, x + size * 1.4, y, color, 2);
  }
}

/** Rough width of a string in px: enough to lay out legends and labels without a DOM. */
export const textWidth = (s: string, size = 12, mono = false): number => s.length * size * (mono ? 0.6 : 0.56);

/** A one-line legend starting at (x, y); returns the markup. */
export function legend(items: { label: string; color: string; kind: Swatch }[], x: number, y: number): Safe {
  let cx = x;
  const out: Safe[] = [];
  for (const it of items) {
    out.push(mark(it.kind, cx + 8, y - 4, it.color), text(cx + 22, y, it.label, { size: 12, fill: '#24292f' }));
    cx += 34 + textWidth(it.label);
  }
  return h`<g class="legend">${out}</g>`;
}

/**
 * Greedy lanes for labels along an axis: each label goes to the first lane where it does not
 * overlap the previous one, so crowded markers (four medians within 20 %) stay legible.
 */
export function lanes(items: { x: number; w: number }[], gap = 6): number[] {
  const ends: number[] = [];
  const order = items.map((it, i) => ({ ...it, i })).sort((p, q) => p.x - q.x);
  const lane: number[] = new Array(items.length).fill(0);
  for (const it of order) {
    let k = ends.findIndex((e) => e + gap <= it.x - it.w / 2);
    if (k < 0) k = ends.push(-Infinity) - 1;
    ends[k] = it.x + it.w / 2;
    lane[it.i] = k;
  }
  return lane;
}

/**
 * The chart's root: fixed coordinate system, scales down with the page, titled for screen readers.
 * No xmlns: inline SVG in HTML does not need it, and the report must hold no URL at all.
 */
export function svgDoc(id: string, w: number, hgt: number, title: string, body: Part): Safe {
  const size = h`viewBox="0 0 ${w} ${n(hgt)}" width="${w}" height="${n(hgt)}"`;
  const root = h`id="${id}" data-chart="${id}" class="chart" ${size} role="img" aria-label="${title}"`;
  return h`<svg ${root}><title>${title}</title>${body}</svg>`;
}
