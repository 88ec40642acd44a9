// The HTML report's SB charts: the outcome histogram of every strategy and control, and the
// detection horizon of the positive control against writer delay.
import type { Report } from '../records.js';
import { controlKindOf } from '../catalogue.js';
import { colorOf, count, entries, ns, num, pct, short, tick, verdictOf, W } from './html-common.js';
import {
  type Safe,
  circle,
  h,
  lanes,
  legend,
  line,
  linScale,
  logScale,
  polyline,
  rect,
  svgDoc,
  text,
  textWidth,
  xAxis,
  yAxis,
} from './svg.js';

const OUTCOMES = ['00', '01', '10', '11'] as const;
const OUTCOME_COLOR: Record<string, string> = { '00': '#cf222e', '01': '#6f8fb3', '10': '#6f8fb3', '11': '#3b5878' };

export function sbChart(r: Report): Safe {
  const cells = entries(r);
  const cols = 4,
    cw = W / cols,
    ch = 196,
    top = 56,
    plotH = 100;
  const y = logScale(1, Math.max(10, ...cells.map(({ e }) => num(e.sb.trials)).filter((v) => v > 0)), 0, -plotH, (v) =>
    short(v),
  );
  y.ticks = y.ticks.filter((t, i, a) => a.length <= 5 || i % 2 === 0);
  const body = cells.map(({ key, e, control }, i) => {
    const ox = (i % cols) * cw,
      oy = top + Math.floor(i / cols) * ch,
      base = oy + 56 + plotH,
      c = colorOf(r, key);
    const kind = controlKindOf(r.results, e.strategy);
    const [pre, name] = kind === 'delay-matched' ? [`${e.strategy}: `, key.slice(key.indexOf(':') + 1)] : ['', key];
    const sub =
      `${pre}${control ? 'control' : 'strategy'} · ${verdictOf(r, key)?.verdict ?? e.status} ` +
      `· ${count(e.sb.trials)} trials`;
    const axis = y.ticks.map(
      (t) =>
        h`${line(ox + 48, base + y(t.v), ox + cw - 14, base + y(t.v), '#eaeef2')}${[
          text(ox + 44, base + y(t.v) + 3, t.label, { anchor: 'end', size: 9, fill: '#57606a' }),
        ]}`,
    );
    const bars = OUTCOMES.map((o, k) => {
      const v = num(e.sb.histogram?.[o]),
        bx = ox + 62 + k * 56,
        hgt = v > 0 ? Math.max(2, -y(v)) : 0;
      const tip = `${key}: outcome ${o} in ${count(v)} of ${count(e.sb.trials)} trials`;
      const fill = o === '00' && v > 0 ? '#cf222e' : '#24292f';
      return [
        rect(bx, base - hgt, 38, hgt, OUTCOME_COLOR[o], { cls: 'sb-bar', tip, data: { outcome: o, key } }),
        text(bx + 19, base - hgt - 4, v > 0 ? short(v) : '0', {
          anchor: 'middle',
          size: 10.5,
          weight: o === '00' ? 'bold' : 'normal',
          fill,
        }),
        text(bx + 19, base + 14, o, { anchor: 'middle', size: 11, mono: true }),
      ];
    });
    return h`<g class="sb-cell" data-key="${key}">${[
      rect(ox + 4, oy, cw - 8, ch - 10, '#f6f8fa'),
      rect(ox + 4, oy, 4, ch - 10, c),
      text(ox + 14, oy + 18, name, { mono: true, size: 11.5, weight: 'bold', fill: c }),
      text(ox + 14, oy + 34, sub, { size: 10.5, fill: '#57606a' }),
      axis,
      line(ox + 48, base, ox + cw - 14, base, '#57606a'),
      bars,
    ]}</g>`;
  });
  const leg = legend(
    [
      {
        label: '00: reader read y=0 and writer read x=0 (forbidden when the barrier works)',
        color: OUTCOME_COLOR['00'],
        kind: 'box',
      },
      { label: '01 / 10: one side saw the other', color: OUTCOME_COLOR['01'], kind: 'box' },
      { label: '11: both saw', color: OUTCOME_COLOR['11'], kind: 'box' },
    ],
    20,
    20,
  );
  const rows = Math.ceil(cells.length / cols);
  const how =
    "Outcome r0 r1 per trial, counts on a log scale shared by every panel; r0 = the reader's read of y, r1 = the " +
    "writer's read of x.";
  return svgDoc('chart-sb', W, top + rows * ch + 10, 'SB litmus outcome histograms (count of trials, log scale)', [
    leg,
    text(20, 42, how, { size: 12, fill: '#57606a' }),
    body,
  ]);
}

export function horizonChart(r: Report): Safe {
  const hz = r.results.horizon;
  const pts = [...(hz?.points ?? [])].sort((a, b) => a.delayNs - b.delayNs);
  const meds = entries(r)
    .filter(({ control, e }) => !control && e.latencyNs && num(e.latencyNs.p50) > 0)
    .map(({ key, e }) => ({ key, v: e.latencyNs!.p50 }));
  const L = 110,
    R = 40,
    zeroX = L + 10;
  const pos = [...pts.map((p) => p.delayNs), ...meds.map((m) => m.v)].filter((v) => v > 0);
  const x = logScale(Math.min(...pos, 10), Math.max(...pos, 1e4), L + 60, W - R, tick);
  const X = (v: number) => (v > 0 ? x(v) : zeroX);
  const labels = meds.map((m) => ({ x: x(m.v), w: textWidth(`${m.key} ${ns(m.v)}`, 11) }));
  const lane = lanes(labels);
  const nl = Math.max(0, ...lane) + 1,
    top = 64 + nl * 16,
    bottom = top + 300;
  const y = linScale(0, 1, bottom, top, 0.2, (v) => `${Math.round(v * 100)}%`);
  const hx = hz?.horizonNs != null ? x(hz.horizonNs) : null;
  const note = { size: 12, fill: '#57606a', halo: true };
  const shade = hx === null ? '' : rect(hx, top, W - R - hx, bottom - top, '#6e7781', { opacity: 0.09 });
  const shadeNotes =
    hx === null
      ? ''
      : [
          text(
            hx + 8,
            top + 40,
            `Beyond the ${ns(hz!.horizonNs!)} horizon SB saw no violation even with no barrier:`,
            note,
          ),
          text(hx + 8, top + 56, 'a strategy slower than that is judged by the interruption test, not by SB.', note),
        ];
  const medLines = meds.map((m, i) => {
    const c = colorOf(r, m.key),
      ly = 56 + lane[i] * 16;
    return h`<g class="median" data-key="${m.key}">${line(x(m.v), ly + 3, x(m.v), bottom, c, 1.2, '4 3')}</g>`;
  });
  const medLabels = meds.map((m, i) =>
    text(x(m.v), 56 + lane[i] * 16, `${m.key} ${ns(m.v)}`, {
      anchor: 'middle',
      size: 11,
      fill: colorOf(r, m.key),
      halo: true,
    }),
  );
  const curve = pts.map((p) => [X(p.delayNs), y(num(p.rate))] as [number, number]);
  const dots = pts.map((p) =>
    circle(
      X(p.delayNs),
      y(num(p.rate)),
      3.5,
      '#24292f',
      `writer delay ${ns(p.delayNs)}: ${count(p.violations)} violations in ${count(p.trials)} trials (${pct(p.rate)})`,
    ),
  );
  const zero = h`${[
    line(zeroX, bottom, zeroX, bottom + 5, '#57606a'),
    text(zeroX, bottom + 18, '0', { anchor: 'middle', size: 11 }),
    text(L + 38, bottom + 4, '//', { anchor: 'middle', size: 12, fill: '#57606a' }),
    line(zeroX, bottom, L + 32, bottom, '#57606a'),
  ]}`;
  const leg = legend(
    [
      { label: 'positive control (no barrier) with a writer-side delay', color: '#24292f', kind: 'line' },
      { label: "a strategy's median latency (colour: verdict)", color: '#57606a', kind: 'dash' },
    ],
    L,
    20,
  );
  const body = pts.length
    ? [
        shade,
        yAxis(y, L, 'trials with a 00 violation', W - R, L - 56),
        xAxis(x, bottom, 'delay the writer spins between its store and its load (log scale)'),
        zero,
        medLines,
        shadeNotes,
        polyline(curve, '#24292f', 2, 'horizon-curve'),
        dots,
        medLabels,
      ]
    : [text(L, top + 20, 'No horizon measured in this run.', { size: 13, fill: '#6e7781' })];
  return svgDoc(
    'chart-horizon',
    W,
    bottom + 56,
    'Detection horizon: SB violation rate of the positive control against writer delay',
    [leg, body],
  );
}
