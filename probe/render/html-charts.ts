// The HTML report's mechanism charts: latency per strategy and the interrupted share per reader CPU
// (the SB outcome and horizon charts are in html-outcomes.ts).
import type { Report } from '../records.js';
import { catalogueOf, controlKindOf, controlOfKind } from '../catalogue.js';
import { colorOf, count, entries, ns, NULL_MARK, num, pct, tick, VERDICT_LEGEND, W } from './html-common.js';
import { type Safe, circle, h, legend, line, linScale, logScale, mark, rect, svgDoc, text, xAxis } from './svg.js';

export function latencyChart(r: Report): Safe {
  // Of the controls, only the null call's latency is worth a row: the floor a syscall costs.
  const rows = entries(r).filter(({ e, control }) => !control || controlKindOf(r.results, e.strategy) === 'null-call');
  const L = 290,
    R = 230,
    top = 56,
    rowH = 30;
  const vals = rows
    .flatMap(({ e }) => (e.latencyNs ? [num(e.latencyNs.p50), num(e.latencyNs.max)] : []))
    .filter((v) => v > 0);
  const x = logScale(Math.min(...vals, 10), Math.max(...vals, 1000), L, W - R, tick);
  const bottom = top + rows.length * rowH;
  const body = rows.map(({ key, e, control }, i) => {
    const y = top + i * rowH + rowH / 2,
      c = colorOf(r, key),
      l = e.latencyNs;
    const label = text(L - 12, y + 4, control ? `${key} (control)` : key, {
      anchor: 'end',
      mono: true,
      size: 12,
      fill: c,
    });
    if (!l) {
      const status = `${e.status}${e.error ? `: ${e.error.code} ${e.error.meaning}` : ''}`;
      return h`${label}${text(L + 6, y + 4, status, { size: 12, fill: '#6e7781' })}`;
    }
    const tip =
      `${key}: p50 ${ns(l.p50)}, p90 ${ns(l.p90)}, p99 ${ns(l.p99)}, max ${ns(l.max)} ` +
      `over ${count(l.calls)} calls`;
    const figures = `${ns(l.p50)} / ${ns(l.p99)} / ${ns(l.max)}`;
    return h`<g class="lat-row" data-key="${key}">${[
      label,
      line(x(l.p50), y, x(l.max), y, '#8c959f', 1.5),
      rect(x(l.p50), y - 6, x(l.p99) - x(l.p50), 12, c, { opacity: 0.3, tip }),
      '\n',
      mark('tick', x(l.p90), y, '#24292f', 7),
      mark('diamond', x(l.p99), y, c, 6),
      mark('cross', x(l.max), y, '#57606a', 6),
      circle(x(l.p50), y, 5.5, c, tip),
      '\n',
      text(W - R + 16, y + 4, figures, { size: 12, fill: '#24292f' }),
    ]}</g>`;
  });
  const leg = legend(
    [
      { label: 'p50 (median)', color: '#24292f', kind: 'dot' },
      { label: 'p90', color: '#24292f', kind: 'tick' },
      { label: 'p99', color: '#24292f', kind: 'diamond' },
      { label: 'max', color: '#57606a', kind: 'cross' },
      { label: 'p50–p99', color: '#8c959f', kind: 'box' },
      ...VERDICT_LEGEND,
    ],
    L,
    20,
  );
  return svgDoc('chart-latency', W, bottom + 60, 'Latency of one heavy barrier per strategy (log scale)', [
    leg,
    xAxis(x, bottom + 6, 'time per heavy-barrier call (log scale)', top - 8),
    text(W - R + 16, top - 14, 'p50 / p99 / max', { size: 12, weight: 'bold' }),
    body,
  ]);
}

export function interruptionChart(r: Report): Safe {
  const rows = entries(r).filter(({ e }) => e.mechanism || e.status !== 'ok');
  const readers = Math.max(1, ...rows.map(({ e }) => e.mechanism?.perReader.length ?? 0));
  const barH = Math.max(3, Math.min(14, 28 / readers)),
    rowH = readers * barH + 12,
    L = 400,
    R = 250,
    top = 64;
  const x = linScale(0, 1, L, W - R, 0.2, (v) => `${Math.round(v * 100)}%`);
  let y = top;
  const body = rows.map(({ key, e, control }, i) => {
    const gap = control && !rows[i - 1]?.control ? 26 : 0;
    const controls = text(20, y + 22, 'controls', { size: 12, weight: 'bold', fill: '#57606a' });
    const head = gap ? h`${line(20, y + 8, W - 20, y + 8, '#d0d7de')}${controls}` : '';
    y += gap;
    const y0 = y,
      c = colorOf(r, key),
      per = e.mechanism?.perReader ?? [];
    y += rowH;
    const bars = per.map((p, k) => {
      const by = y0 + 6 + k * barH,
        v = p.interruptedShare;
      if (v === null) return text(L + 4, by + barH - 2, `CPU ${p.cpu}: no on-CPU calls`, { size: 11, fill: '#6e7781' });
      const tip =
        `${key}, reader CPU ${p.cpu}: interrupted in ${pct(v)} of ${count(p.onCpuCalls)} on-CPU calls ` +
        `(median interruption ${ns(p.medianInterruptionNs)})`;
      const height = barH - (barH >= 4 && readers > 1 ? 1 : 0);
      const bar = rect(L, by, Math.max(1.5, x(v) - L), height, c, { cls: 'bar share', tip, data: { cpu: p.cpu, key } });
      const label = `${pct(v)}${readers > 1 ? ` (CPU ${p.cpu})` : ''}`;
      return h`${bar}${readers <= 4 ? text(Math.max(x(v), L + 1.5) + 6, by + barH - 2, label, { size: 11 }) : ''}`;
    });
    // With many readers the bars turn into a texture: name the weakest reader, the one that matters.
    const known = per.filter((p) => p.interruptedShare !== null);
    const worst = known.reduce<(typeof known)[number] | null>(
      (a, p) => (!a || p.interruptedShare! < a.interruptedShare! ? p : a),
      null,
    );
    const mid = y0 + rowH / 2 + 4;
    const low =
      readers > 4 && worst
        ? text(W - R + 6, mid, `min ${pct(worst.interruptedShare)} (CPU ${worst.cpu})`, { size: 11 })
        : '';
    const status = `${e.status}${e.error ? `: ${e.error.code} (${e.error.what})` : ''}`;
    const why = e.status !== 'ok' ? text(L + 4, mid, status, { size: 11, fill: '#6e7781' }) : '';
    const noteAt = [W - R + (readers > 4 ? 6 : 64), y0 + rowH / 2 + (readers > 4 ? 20 : 4)] as const;
    const note =
      e.remoteInterruption || control
        ? ''
        : text(noteAt[0], noteAt[1], 'does not rely on interruption', { size: 11, fill: '#6e7781' });
    const name = text(L - 12, mid, key, { anchor: 'end', mono: true, size: 11.5, fill: c });
    return h`${head}${name}${bars}${low}${why}${note}`;
  });
  const nullId = controlOfKind(catalogueOf(r.results), 'null-call') ?? '';
  const nul =
    r.results.controls?.[nullId]?.mechanism?.interruptedShare ??
    r.analysis.verdicts?.[nullId]?.stats.nullControlShare ??
    null;
  const nullMark =
    nul === null
      ? ''
      : h`${line(x(nul), top - 8, x(nul), y + 4, NULL_MARK, 1.5, '5 3')}${[
          text(x(nul) + 4, top - 12, `null syscall (getpid): ${pct(nul)}`, { size: 11, fill: NULL_MARK }),
        ]}`;
  const leg = legend(
    [...VERDICT_LEGEND, { label: 'null-syscall baseline (no IPI)', color: NULL_MARK, kind: 'dash' }],
    L,
    20,
  );
  const axis =
    'calls that interrupted the reader CPU (among calls during which every reader stayed on its CPU; ' +
    `${readers} reader${readers > 1 ? 's' : ''}, one bar each)`;
  return svgDoc('chart-interruption', W, y + 56, 'Share of on-CPU calls that interrupted each reader CPU', [
    leg,
    xAxis(x, y + 6, axis, top - 6),
    body,
    nullMark,
  ]);
}
