// The report as one self-contained HTML page: readable offline, in a mail attachment or a CI
// artifact, with no script and no fetched asset. Strings from the report are escaped by `h`.
import type { Report, StrategyEvidence, Verdict, VerdictClass } from '../records.js';
import { CLASS_CELL_HELP, classView } from './class-rows.js';
import { fmtCpus } from './format.js';
import { catalogueOf, controlKindOf, controlOfKind } from '../catalogue.js';
import { type Part, type Safe, circle, h, lanes, legend, line, linScale, logScale, mark, polyline, raw, rect, svgDoc, text, textWidth, xAxis, yAxis } from './svg.js';

const COLOR: Record<VerdictClass, string> = { verified: '#1a7f37', refuted: '#cf222e', inconclusive: '#b58100', unavailable: '#6e7781' };
const SEVERITY: Record<string, string> = { unsafe: '#cf222e', warning: '#b58100', note: '#0969da' };
const NULL_MARK = '#8250df';
const W = 1200;

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
const count = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '?');
const short = (v: number): string => (v >= 1e6 ? `${+(v / 1e6).toPrecision(3)}M` : v >= 1e4 ? `${Math.round(v / 1e3)}k` : count(v));
function ns(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const [d, u] = v >= 1e9 ? [1e9, 's'] : v >= 1e6 ? [1e6, 'ms'] : v >= 1e3 ? [1e3, 'µs'] : [1, 'ns'];
  const x = v / d;
  return `${x >= 100 || (d === 1 && x >= 10) ? x.toFixed(0) : x >= 10 || d === 1 ? x.toFixed(1) : x.toFixed(2)} ${u}`;
}
function pct(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const p = v * 100;
  return `${p === 0 || p === 100 ? p.toFixed(0) : p >= 99.9 || p < 0.1 ? p.toPrecision(p < 0.1 ? 2 : 5) : p < 10 ? p.toFixed(2) : p.toFixed(1)}%`;
}
const tick = (v: number): string => ns(v).replace(/\.0+ /, ' ');
const verdictOf = (r: Report, key: string): Verdict | undefined => r.analysis?.verdicts?.[key];
const colorOf = (r: Report, key: string): string => COLOR[verdictOf(r, key)?.verdict ?? 'unavailable'] ?? COLOR.unavailable;
const badge = (v: string): Safe => h`<span class="badge v-${v}">${v}</span>`;

// Strategies first, then controls, in the run's order: the same order in every table and chart.
function entries(r: Report): { key: string; e: StrategyEvidence; control: boolean }[] {
  const s = Object.entries(r.results?.strategies ?? {}).map(([key, e]) => ({ key, e, control: false }));
  return [...s, ...Object.entries(r.results?.controls ?? {}).map(([key, e]) => ({ key, e, control: true }))];
}

function machineLine(r: Report): string {
  const { cpus, kernel, hypervisor: hv, sandbox } = r.system;
  const cpu = cpus.modelName ?? ([cpus.implementer, cpus.part].filter(Boolean).join(' ') || 'unknown CPU');
  const fms = cpus.family !== null ? ` (family ${cpus.family} model ${cpus.model} stepping ${cpus.stepping})` : '';
  const guest = hv.vendor ? `${hv.vendor} guest${hv.kvm?.pvTlbFlush ? ' (PV TLB flush)' : ''}${hv.hyperv?.remoteTlbFlushByHypercall ? ' (hypercall TLB flush)' : ''}` : hv.cpuidHypervisorBit ? 'unnamed hypervisor' : 'bare metal';
  const box = [sandbox.container ? `${sandbox.container.kind} container (${sandbox.container.strength} evidence)` : '', sandbox.gvisor ? 'gVisor' : '', sandbox.wsl ?? ''].filter(Boolean);
  return [`${cpu}${fms}`, `${cpus.online ?? '?'} CPUs online`, `Linux ${kernel.release ?? '?'}`, guest, ...box].join(' · ');
}

function recommendation(r: Report): Safe {
  const rec = r.recommendation;
  const pc = r.analysis.positiveControl;
  const hz = r.results.horizon?.horizonNs ?? null;
  const head = rec.strategy ? h`<p class="pick">Use <code>${rec.strategy}</code></p>` : h`<p class="pick none">No strategy is verified here</p>`;
  const power = pc.relaxed
    ? h`<p class="ok">Positive control relaxed: ${count(pc.violations)} of ${count(pc.trials)} unfenced trials (${pct(pc.violations / pc.trials)}) showed 00, so this run could see a broken barrier. Detection horizon: ${hz === null ? 'none' : ns(hz)}.</p>`
    : h`<p class="bad">The positive control never relaxed (${count(pc.violations)} of ${count(pc.trials)}): SB evidence from this run proves nothing.</p>`;
  const notes = [...(r.results.cancelled ? ['The run was interrupted: only the finished phases are shown.'] : []), ...r.results.notes, ...r.analysis.notes];
  const acc = rec.acceptable.length ? h`<h3>Acceptable with conditions</h3><ul>${rec.acceptable.map((a) => h`<li><code>${a.strategy}</code>: ${a.condition}</li>`)}</ul>` : '';
  const rt = rec.runtimes.length ? h`<h3>Runtime advice</h3><table class="grid"><tr><th>runtime</th><th>advice</th><th>source</th></tr>${rec.runtimes.map((x) => h`<tr><td>${x.runtime}</td><td>${x.advice}</td><td class="dim">${x.source ?? ''}</td></tr>`)}</table>` : '';
  return h`<section id="recommendation" class="${rec.strategy ? 'rec' : 'rec none'}"><h2>Recommendation</h2>${head}<ul>${rec.reasons.map((x) => h`<li>${x}</li>`)}</ul>${power}${notes.map((x) => h`<p class="bad">${x}</p>`)}${acc}${rt}</section>`;
}

function summary(r: Report): Safe {
  const rows = entries(r).map(({ key, e, control }, i, all) => {
    const v = verdictOf(r, key);
    const st = v?.stats;
    const lat = e.latencyNs;
    const sep = control && !all[i - 1]?.control ? h`<tr class="group"><th colspan="9">Controls: expected to fail; they show the test can see a failure</th></tr>` : '';
    const why = !control && v?.reasons.length ? h`<tr class="why"><td></td><td colspan="8">${v.reasons.join(' · ')}</td></tr>` : '';
    const share = st?.interruptedShare ?? e.mechanism?.interruptedShare ?? null;
    return h`${sep}<tr class="row" title="${v?.reasons.join('\n') ?? ''}"><td><code>${key}</code>${e.status !== 'ok' ? h` <span class="dim">(${e.status}${e.error ? `: ${e.error.code}` : ''})</span>` : ''}</td><td>${badge(v?.verdict ?? (e.available ? 'inconclusive' : 'unavailable'))}</td>
<td class="r">${lat ? ns(lat.p50) : '–'}</td><td class="r">${lat ? ns(lat.p99) : '–'}</td><td class="r">${count(e.sb.trials)}</td>
<td class="r ${e.sb.violations ? 'bad' : ''}">${count(e.sb.violations)}</td><td class="r">${st ? `≤ ${pct(st.violationRateUpper95)}` : '–'}</td>
<td class="r">${pct(share)}${st?.interruptedShareLower95 != null ? h` <span class="dim">(≥ ${pct(st.interruptedShareLower95)})</span>` : ''}${e.remoteInterruption || control ? '' : h` <span class="dim">n/a</span>`}</td>
<td>${(v?.risks ?? []).map((id) => h`<span class="risk">${id}</span> `)}</td></tr>${why}`;
  });
  return h`<section id="summary"><h2>Every strategy</h2><table class="grid summary"><tr><th>strategy</th><th>verdict</th><th>p50</th><th>p99</th><th>SB trials</th><th>violations (00)</th><th>violation rate, 95% upper</th><th>interrupted every reader (on-CPU; 95% lower)</th><th>risks</th></tr>${rows}</table>
<p class="dim">Latency over all calls. "n/a": the strategy does not rely on interrupting readers, so its share is shown for reference only.</p></section>`;
}

// Compact: one row per strategy, one column per reader class; a short class is what the verdict names.
function readerClasses(r: Report): Safe {
  const c = classView(r);
  if (!c.columns.length) return h``;
  const rows = c.rows.map((row) => h`<tr><td><code>${row.strategy}</code></td>${row.cells.map((x) => h`<td class="r">${x}</td>`)}</tr>`);
  return h`<section id="reader-classes"><h2>Reader classes</h2><p class="caption">Relative to writer CPU ${r.results.cpus.writer}: ${c.coverage.join('; ')}.</p>
<table class="grid"><tr><th>strategy</th>${c.columns.map((k) => h`<th>${k}</th>`)}</tr>${rows}</table><p class="dim">${CLASS_CELL_HELP}</p>
${c.power ? h`<p>Positive control (<code>none</code>) relaxed: ${c.power}</p>` : ''}${c.silent ? h`<p class="bad">Positive control never relaxed at ${c.silent}: SB had no power there.</p>` : ''}${c.limits.map((l) => h`<p class="dim">${l}</p>`)}</section>`;
}

function risks(r: Report): Safe {
  const items = r.analysis.risks.map((k) => h`<li><span class="sev" style="background:${SEVERITY[k.severity] ?? '#6e7781'}">${k.severity}</span> <b>${k.id}</b>: ${k.text} <span class="dim">(applies to ${k.strategies.join(', ') || 'no strategy'}${k.source ? h`; source: ${k.source}` : ''})</span></li>`);
  return h`<section id="risks"><h2>Risks</h2>${items.length ? h`<ul class="risks">${items}</ul>` : h`<p class="dim">None found for this machine.</p>`}</section>`;
}

const CHECK_COLOR: Record<string, string> = { problem: '#cf222e', warning: '#b58100', note: '#0969da', ok: '#1a7f37', unknown: '#6e7781' };

function checks(r: Report): Safe {
  const rows = (r.analysis.checks ?? []).map((c) => h`<tr><td>${c.title}</td><td><span class="sev" style="background:${CHECK_COLOR[c.status] ?? '#6e7781'}">${c.status}</span></td><td>${c.text}</td><td class="dim">${c.source}</td></tr>`);
  return rows.length ? h`<section id="checks"><h2>Field checks</h2><p class="caption">Traps that real deployments have hit, each checked on this machine, with where the knowledge comes from.</p><table class="grid"><tr><th>check</th><th>status</th><th>finding</th><th>source</th></tr>${rows}</table></section>` : h``;
}

const VERDICT_LEGEND = (['verified', 'refuted', 'inconclusive', 'unavailable'] as VerdictClass[]).map((v) => ({ label: v, color: COLOR[v], kind: 'box' as const }));

function latencyChart(r: Report): Safe {
  // Of the controls, only the null call's latency is worth a row: the floor a syscall costs.
  const rows = entries(r).filter(({ e, control }) => !control || controlKindOf(r.results, e.strategy) === 'null-call');
  const L = 290, R = 230, top = 56, rowH = 30;
  const vals = rows.flatMap(({ e }) => (e.latencyNs ? [num(e.latencyNs.p50), num(e.latencyNs.max)] : [])).filter((v) => v > 0);
  const x = logScale(Math.min(...vals, 10), Math.max(...vals, 1000), L, W - R, tick);
  const bottom = top + rows.length * rowH;
  const body = rows.map(({ key, e, control }, i) => {
    const y = top + i * rowH + rowH / 2, c = colorOf(r, key), l = e.latencyNs;
    const label = text(L - 12, y + 4, control ? `${key} (control)` : key, { anchor: 'end', mono: true, size: 12, fill: c });
    if (!l) return h`${label}${text(L + 6, y + 4, `${e.status}${e.error ? `: ${e.error.code} ${e.error.meaning}` : ''}`, { size: 12, fill: '#6e7781' })}`;
    const tip = `${key}: p50 ${ns(l.p50)}, p90 ${ns(l.p90)}, p99 ${ns(l.p99)}, max ${ns(l.max)} over ${count(l.calls)} calls`;
    return h`<g class="lat-row" data-key="${key}">${label}${line(x(l.p50), y, x(l.max), y, '#8c959f', 1.5)}${rect(x(l.p50), y - 6, x(l.p99) - x(l.p50), 12, c, { opacity: 0.3, tip })}
${mark('tick', x(l.p90), y, '#24292f', 7)}${mark('diamond', x(l.p99), y, c, 6)}${mark('cross', x(l.max), y, '#57606a', 6)}${circle(x(l.p50), y, 5.5, c, tip)}
${text(W - R + 16, y + 4, `${ns(l.p50)} / ${ns(l.p99)} / ${ns(l.max)}`, { size: 12, fill: '#24292f' })}</g>`;
  });
  const leg = legend([{ label: 'p50 (median)', color: '#24292f', kind: 'dot' }, { label: 'p90', color: '#24292f', kind: 'tick' }, { label: 'p99', color: '#24292f', kind: 'diamond' }, { label: 'max', color: '#57606a', kind: 'cross' }, { label: 'p50–p99', color: '#8c959f', kind: 'box' }, ...VERDICT_LEGEND], L, 20);
  return svgDoc('chart-latency', W, bottom + 60, 'Latency of one heavy barrier per strategy (log scale)', [leg, xAxis(x, bottom + 6, 'time per heavy-barrier call (log scale)', top - 8), text(W - R + 16, top - 14, 'p50 / p99 / max', { size: 12, weight: 'bold' }), body]);
}

function interruptionChart(r: Report): Safe {
  const rows = entries(r).filter(({ e }) => e.mechanism || e.status !== 'ok');
  const readers = Math.max(1, ...rows.map(({ e }) => e.mechanism?.perReader.length ?? 0));
  const barH = Math.max(3, Math.min(14, 28 / readers)), rowH = readers * barH + 12, L = 400, R = 250, top = 64;
  const x = linScale(0, 1, L, W - R, 0.2, (v) => `${Math.round(v * 100)}%`);
  let y = top;
  const body = rows.map(({ key, e, control }, i) => {
    const gap = control && !rows[i - 1]?.control ? 26 : 0;
    const head = gap ? h`${line(20, y + 8, W - 20, y + 8, '#d0d7de')}${text(20, y + 22, 'controls', { size: 12, weight: 'bold', fill: '#57606a' })}` : '';
    y += gap;
    const y0 = y, c = colorOf(r, key), per = e.mechanism?.perReader ?? [];
    y += rowH;
    const bars = per.map((p, k) => {
      const by = y0 + 6 + k * barH, v = p.interruptedShare;
      if (v === null) return text(L + 4, by + barH - 2, `CPU ${p.cpu}: no on-CPU calls`, { size: 11, fill: '#6e7781' });
      const tip = `${key}, reader CPU ${p.cpu}: interrupted in ${pct(v)} of ${count(p.onCpuCalls)} on-CPU calls (median interruption ${ns(p.medianInterruptionNs)})`;
      return h`${rect(L, by, Math.max(1.5, x(v) - L), barH - (barH >= 4 && readers > 1 ? 1 : 0), c, { cls: 'bar share', tip, data: { cpu: p.cpu, key } })}${readers <= 4 ? text(Math.max(x(v), L + 1.5) + 6, by + barH - 2, `${pct(v)}${readers > 1 ? ` (CPU ${p.cpu})` : ''}`, { size: 11 }) : ''}`;
    });
    // With many readers the bars turn into a texture: name the weakest reader, the one that matters.
    const known = per.filter((p) => p.interruptedShare !== null);
    const worst = known.reduce<(typeof known)[number] | null>((a, p) => (!a || p.interruptedShare! < a.interruptedShare! ? p : a), null);
    const low = readers > 4 && worst ? text(W - R + 6, y0 + rowH / 2 + 4, `min ${pct(worst.interruptedShare)} (CPU ${worst.cpu})`, { size: 11 }) : '';
    const why = e.status !== 'ok' ? text(L + 4, y0 + rowH / 2 + 4, `${e.status}${e.error ? `: ${e.error.code} (${e.error.what})` : ''}`, { size: 11, fill: '#6e7781' }) : '';
    const note = e.remoteInterruption || control ? '' : text(W - R + (readers > 4 ? 6 : 64), y0 + rowH / 2 + (readers > 4 ? 20 : 4), 'does not rely on interruption', { size: 11, fill: '#6e7781' });
    return h`${head}${text(L - 12, y0 + rowH / 2 + 4, key, { anchor: 'end', mono: true, size: 11.5, fill: c })}${bars}${low}${why}${note}`;
  });
  const nullId = controlOfKind(catalogueOf(r.results), 'null-call') ?? '';
  const nul = r.results.controls?.[nullId]?.mechanism?.interruptedShare ?? r.analysis.verdicts?.[nullId]?.stats.nullControlShare ?? null;
  const nullMark = nul === null ? '' : h`${line(x(nul), top - 8, x(nul), y + 4, NULL_MARK, 1.5, '5 3')}${text(x(nul) + 4, top - 12, `null syscall (getpid): ${pct(nul)}`, { size: 11, fill: NULL_MARK })}`;
  const leg = legend([...VERDICT_LEGEND, { label: 'null-syscall baseline (no IPI)', color: NULL_MARK, kind: 'dash' }], L, 20);
  return svgDoc('chart-interruption', W, y + 56, 'Share of on-CPU calls that interrupted each reader CPU', [leg, xAxis(x, y + 6, `calls that interrupted the reader CPU (among calls during which every reader stayed on its CPU; ${readers} reader${readers > 1 ? 's' : ''}, one bar each)`, top - 6), body, nullMark]);
}

const OUTCOMES = ['00', '01', '10', '11'] as const;
const OUTCOME_COLOR: Record<string, string> = { '00': '#cf222e', '01': '#6f8fb3', '10': '#6f8fb3', '11': '#3b5878' };

function sbChart(r: Report): Safe {
  const cells = entries(r);
  const cols = 4, cw = W / cols, ch = 196, top = 56, plotH = 100;
  const y = logScale(1, Math.max(10, ...cells.map(({ e }) => num(e.sb.trials)).filter((v) => v > 0)), 0, -plotH, (v) => short(v));
  y.ticks = y.ticks.filter((t, i, a) => a.length <= 5 || i % 2 === 0);
  const body = cells.map(({ key, e, control }, i) => {
    const ox = (i % cols) * cw, oy = top + Math.floor(i / cols) * ch, base = oy + 56 + plotH, c = colorOf(r, key);
    const kind = controlKindOf(r.results, e.strategy);
    const [pre, name] = kind === 'delay-matched' ? [`${e.strategy}: `, key.slice(key.indexOf(':') + 1)] : ['', key];
    const sub = `${pre}${control ? 'control' : 'strategy'} · ${verdictOf(r, key)?.verdict ?? e.status} · ${count(e.sb.trials)} trials`;
    const axis = y.ticks.map((t) => h`${line(ox + 48, base + y(t.v), ox + cw - 14, base + y(t.v), '#eaeef2')}${text(ox + 44, base + y(t.v) + 3, t.label, { anchor: 'end', size: 9, fill: '#57606a' })}`);
    const bars = OUTCOMES.map((o, k) => {
      const v = num(e.sb.histogram?.[o]), bx = ox + 62 + k * 56, hgt = v > 0 ? Math.max(2, -y(v)) : 0;
      const tip = `${key}: outcome ${o} in ${count(v)} of ${count(e.sb.trials)} trials`;
      return [
        rect(bx, base - hgt, 38, hgt, OUTCOME_COLOR[o], { cls: 'sb-bar', tip, data: { outcome: o, key } }),
        text(bx + 19, base - hgt - 4, v > 0 ? short(v) : '0', { anchor: 'middle', size: 10.5, weight: o === '00' ? 'bold' : 'normal', fill: o === '00' && v > 0 ? '#cf222e' : '#24292f' }),
        text(bx + 19, base + 14, o, { anchor: 'middle', size: 11, mono: true }),
      ];
    });
    return h`<g class="sb-cell" data-key="${key}">${[
      rect(ox + 4, oy, cw - 8, ch - 10, '#f6f8fa'),
      rect(ox + 4, oy, 4, ch - 10, c),
      text(ox + 14, oy + 18, name, { mono: true, size: 11.5, weight: 'bold', fill: c }),
      text(ox + 14, oy + 34, sub, { size: 10.5, fill: '#57606a' }),
      axis, line(ox + 48, base, ox + cw - 14, base, '#57606a'), bars,
    ]}</g>`;
  });
  const leg = legend([
    { label: '00: reader read y=0 and writer read x=0 (forbidden when the barrier works)', color: OUTCOME_COLOR['00'], kind: 'box' },
    { label: '01 / 10: one side saw the other', color: OUTCOME_COLOR['01'], kind: 'box' },
    { label: '11: both saw', color: OUTCOME_COLOR['11'], kind: 'box' },
  ], 20, 20);
  const rows = Math.ceil(cells.length / cols);
  const how = "Outcome r0 r1 per trial, counts on a log scale shared by every panel; r0 = the reader's read of y, r1 = the writer's read of x.";
  return svgDoc('chart-sb', W, top + rows * ch + 10, 'SB litmus outcome histograms (count of trials, log scale)', [leg, text(20, 42, how, { size: 12, fill: '#57606a' }), body]);
}

function horizonChart(r: Report): Safe {
  const hz = r.results.horizon;
  const pts = [...(hz?.points ?? [])].sort((a, b) => a.delayNs - b.delayNs);
  const meds = entries(r).filter(({ control, e }) => !control && e.latencyNs && num(e.latencyNs.p50) > 0).map(({ key, e }) => ({ key, v: e.latencyNs!.p50 }));
  const L = 110, R = 40, zeroX = L + 10;
  const pos = [...pts.map((p) => p.delayNs), ...meds.map((m) => m.v)].filter((v) => v > 0);
  const x = logScale(Math.min(...pos, 10), Math.max(...pos, 1e4), L + 60, W - R, tick);
  const X = (v: number) => (v > 0 ? x(v) : zeroX);
  const labels = meds.map((m) => ({ x: x(m.v), w: textWidth(`${m.key} ${ns(m.v)}`, 11) }));
  const lane = lanes(labels);
  const nl = Math.max(0, ...lane) + 1, top = 64 + nl * 16, bottom = top + 300;
  const y = linScale(0, 1, bottom, top, 0.2, (v) => `${Math.round(v * 100)}%`);
  const hx = hz?.horizonNs != null ? x(hz.horizonNs) : null;
  const note = { size: 12, fill: '#57606a', halo: true };
  const shade = hx === null ? '' : rect(hx, top, W - R - hx, bottom - top, '#6e7781', { opacity: 0.09 });
  const shadeNotes = hx === null ? '' : [
    text(hx + 8, top + 40, `Beyond the ${ns(hz!.horizonNs!)} horizon SB saw no violation even with no barrier:`, note),
    text(hx + 8, top + 56, 'a strategy slower than that is judged by the interruption test, not by SB.', note),
  ];
  const medLines = meds.map((m, i) => {
    const c = colorOf(r, m.key), ly = 56 + lane[i] * 16;
    return h`<g class="median" data-key="${m.key}">${line(x(m.v), ly + 3, x(m.v), bottom, c, 1.2, '4 3')}</g>`;
  });
  const medLabels = meds.map((m, i) => text(x(m.v), 56 + lane[i] * 16, `${m.key} ${ns(m.v)}`, { anchor: 'middle', size: 11, fill: colorOf(r, m.key), halo: true }));
  const curve = pts.map((p) => [X(p.delayNs), y(num(p.rate))] as [number, number]);
  const dots = pts.map((p) => circle(X(p.delayNs), y(num(p.rate)), 3.5, '#24292f', `writer delay ${ns(p.delayNs)}: ${count(p.violations)} violations in ${count(p.trials)} trials (${pct(p.rate)})`));
  const zero = h`${line(zeroX, bottom, zeroX, bottom + 5, '#57606a')}${text(zeroX, bottom + 18, '0', { anchor: 'middle', size: 11 })}${text(L + 38, bottom + 4, '//', { anchor: 'middle', size: 12, fill: '#57606a' })}${line(zeroX, bottom, L + 32, bottom, '#57606a')}`;
  const leg = legend([{ label: 'positive control (no barrier) with a writer-side delay', color: '#24292f', kind: 'line' }, { label: "a strategy's median latency (colour: verdict)", color: '#57606a', kind: 'dash' }], L, 20);
  const body = pts.length ? [shade, yAxis(y, L, 'trials with a 00 violation', W - R, L - 56), xAxis(x, bottom, 'delay the writer spins between its store and its load (log scale)'), zero, medLines, shadeNotes, polyline(curve, '#24292f', 2, 'horizon-curve'), dots, medLabels]
    : [text(L, top + 20, 'No horizon measured in this run.', { size: 13, fill: '#6e7781' })];
  return svgDoc('chart-horizon', W, bottom + 56, 'Detection horizon: SB violation rate of the positive control against writer delay', [leg, body]);
}

// Machine facts are rendered generically: every field is shown, none can be forgotten.
function facts(v: unknown): Part {
  if (v === null || v === undefined) return h`<span class="dim">unknown</span>`;
  if (Array.isArray(v)) {
    if (!v.length) return h`<span class="dim">none</span>`;
    if (v.every((x) => x === null || typeof x !== 'object')) return v.map(String).join(', ');
    const keys = [...new Set(v.flatMap((x) => (x && typeof x === 'object' ? Object.keys(x) : [])))];
    return h`<table class="grid"><tr>${keys.map((k) => h`<th>${k}</th>`)}</tr>${v.map((x) => h`<tr>${keys.map((k) => h`<td>${facts((x as Record<string, unknown>)?.[k])}</td>`)}</tr>`)}</table>`;
  }
  if (typeof v === 'object') return h`<table class="kv">${Object.entries(v).map(([k, x]) => h`<tr><th>${k}</th><td>${facts(x)}</td></tr>`)}</table>`;
  return String(v);
}

function details(r: Report): Safe {
  const c = r.results.calibration;
  const cal = c ? h`<table class="kv"><tr><th>timebase</th><td>${c.timebase.source}, ${num(c.timebase.ticksPerNs).toFixed(4)} ticks/ns</td></tr><tr><th>cross-CPU skew</th><td>${c.skew ? `${num(c.skew.offsetNs).toFixed(1)} ± ${num(c.skew.uncertaintyNs).toFixed(1)} ns` : 'unknown'}</td></tr>
<tr><th>cold lines K / writer offset</th><td>${c.stuffLines} lines / ${ns(c.offsetNs)} (jitter ${ns(c.jitterNs)}, lead ${ns(c.leadNs)})</td></tr><tr><th>gap thresholds</th><td>spin ${ns(c.gapThresholdNs.spin)}, trial ${ns(c.gapThresholdNs.trial)}</td></tr><tr><th>took</th><td>${ns(c.elapsedMs * 1e6)}</td></tr></table>
<h4>Sweep (the chosen K and offset in bold)</h4><table class="grid"><tr><th>K</th><th>offset</th><th>witnesses/s</th><th>relaxation</th></tr>${c.sweep.map((s) => h`<tr class="${s.stuffLines === c.stuffLines && s.offsetNs === c.offsetNs ? 'chosen' : ''}">
<td class="r">${s.stuffLines}</td><td class="r">${ns(s.offsetNs)}</td><td class="r">${count(s.witnessesPerSec)}</td><td class="r">${pct(s.relaxation)}</td></tr>`)}</table>`
    : h`<p class="dim">No calibration in this run.</p>`;
  const sections = Object.entries(r.system).map(([k, v]) => h`<details><summary>machine: ${k}</summary>${facts(v)}</details>`);
  const extra = {
    'plan (placement, phases, seed)': r.plan, 'read-side cost': r.results.readerCost, 'scaling over readers': r.results.scaling,
    'registration cost: once threads exist, REGISTER_PRIVATE_EXPEDITED waits for an RCU grace period; register before the first thread (source: dotnet/runtime#106722)': r.results.registrationCost ?? 'not measured',
    'writer contention: the kernel serialises expedited membarrier calls (source: scylladb/seastar#2143)': r.results.contention ?? 'not measured',
    'run time': ns(r.results.elapsedMs * 1e6),
  };
  return h`<section id="facts"><h2>Calibration and environment</h2><details><summary>Calibration${c ? h`<span class="dim">: ${c.timebase.source} at ${num(c.timebase.ticksPerNs).toFixed(3)} ticks/ns, K=${c.stuffLines} cold lines, writer offset ${ns(c.offsetNs)}</span>` : ''}</summary>${cal}</details>${sections}
${Object.entries(extra).map(([k, v]) => h`<details><summary>${k}</summary>${facts(v)}</details>`)}</section>`;
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#24292f;max-width:1240px;margin:0 auto;padding:16px 20px 60px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:30px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:15px;margin:14px 0 6px}
code{font:12.5px ui-monospace,"DejaVu Sans Mono",monospace}.dim{color:#6e7781}.bad{color:#cf222e}.ok{color:#1a7f37}.r{text-align:right;white-space:nowrap}
.meta{margin:0;color:#57606a}.machine{margin:2px 0 0;font-weight:600}
.rec{border:2px solid #1a7f37;border-radius:8px;padding:4px 18px 12px;background:#f6fff8}.rec.none{border-color:#cf222e;background:#fff8f8}.rec h2{border:0;margin-top:10px}
.pick{font-size:22px;font-weight:700;margin:0 0 6px}.pick code{font-size:21px}.pick.none{color:#cf222e}
table{border-collapse:collapse}.grid td,.grid th{border:1px solid #d0d7de;padding:3px 7px;vertical-align:top}.grid th{background:#f6f8fa;text-align:left}
.summary{width:100%}.summary .row td:first-child{white-space:nowrap}.summary .why td{border-top:0;font-size:12px;color:#57606a;padding-top:0}.summary .row td{border-bottom:0}.group th{background:#eaeef2}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff}
.v-verified{background:#1a7f37}.v-refuted{background:#cf222e}.v-inconclusive{background:#b58100}.v-unavailable{background:#6e7781}
.risk{white-space:nowrap;font:12px ui-monospace,monospace;background:#ddf4ff;border-radius:4px;padding:0 4px}.sev{color:#fff;border-radius:4px;padding:0 6px;font-size:12px}
.chart{display:block;max-width:100%;height:auto;margin:6px 0}.caption{margin:0;color:#57606a;max-width:1100px}
details{margin:4px 0}summary{cursor:pointer;font-weight:600}.kv th{text-align:left;padding:1px 10px 1px 0;vertical-align:top;color:#57606a;font-weight:500}.kv td{padding:1px 0}.chosen{font-weight:700}`;

const CAPTIONS: [string, string, (r: Report) => Safe][] = [
  ['Latency', 'Cost of one heavy barrier as seen by the writer. A barrier that reaches other CPUs costs an IPI round trip (microseconds in a VM); one that returns in nanoseconds probably reached nobody.', latencyChart],
  ['Interruption of reader CPUs', 'Share of calls, with every reader on its CPU, during which each reader saw its clock jump (it was interrupted). A sound IPI-based barrier interrupts every reader on every call: 100%. The null syscall and delay-matched spins show what happens by chance.', interruptionChart],
  ['SB litmus outcomes', 'Each trial runs store-buffering between the writer and one reader. Outcome 00 means the barrier failed to order that reader.', sbChart],
  ['Detection horizon', 'How often SB catches an unfenced writer that merely spins for a given time. Where the curve is at 0%, zero violations say nothing by themselves.', horizonChart],
];

export function renderHtml(report: Report): string {
  const r = report;
  const title = `${r.tool.name} report: ${r.system.platform.hostname}`;
  const when = String(r.generatedAt).replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const charts = CAPTIONS.map(([t, cap, f]) => h`<h2>${t}</h2><p class="caption">${cap}</p>${f(r)}`);
  return h`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>${raw(CSS)}</style></head><body>
<header><h1>${r.tool.name}: <code>${r.system.platform.hostname}</code></h1><p class="meta">${when} · ${r.tool.name} ${r.tool.version} · <code>${r.commandLine.join(' ')}</code> · writer CPU ${r.results.cpus.writer}, reader CPUs ${fmtCpus(r.results.cpus.readers)}</p><p class="machine">${machineLine(r)}</p></header>
${recommendation(r)}${summary(r)}${readerClasses(r)}${risks(r)}${checks(r)}${charts}${details(r)}
</body></html>
`.s;
}
