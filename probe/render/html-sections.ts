// The HTML report's text sections: the machine line, the recommendation, the summary table, reader
// classes, risks, field checks, and the calibration and environment details.
import type { Report } from '../records.js';
import { texts } from '../codes.js';
import { CLASS_CELL_HELP, classView } from './class-rows.js';
import { badge, count, entries, ns, num, pct, SEVERITY, verdictOf } from './html-common.js';
import { type Part, type Safe, h } from './svg.js';

export function machineLine(r: Report): string {
  const { cpus, kernel, hypervisor: hv, sandbox } = r.system;
  const cpu = cpus.modelName ?? ([cpus.implementer, cpus.part].filter(Boolean).join(' ') || 'unknown CPU');
  const fms = cpus.family !== null ? ` (family ${cpus.family} model ${cpus.model} stepping ${cpus.stepping})` : '';
  const flush = [
    hv.kvm?.pvTlbFlush ? ' (PV TLB flush)' : '',
    hv.hyperv?.remoteTlbFlushByHypercall ? ' (hypercall TLB flush)' : '',
  ].join('');
  const guest = hv.vendor ? `${hv.vendor} guest${flush}` : hv.cpuidHypervisorBit ? 'unnamed hypervisor' : 'bare metal';
  const container = sandbox.container;
  const box = [
    container ? `${container.kind} container (${container.strength} evidence)` : '',
    sandbox.gvisor ? 'gVisor' : '',
    sandbox.wsl ?? '',
  ].filter(Boolean);
  const online = `${cpus.online ?? '?'} CPUs online`;
  return [`${cpu}${fms}`, online, `Linux ${kernel.release ?? '?'}`, guest, ...box].join(' · ');
}

export function recommendation(r: Report): Safe {
  const rec = r.recommendation;
  const pc = r.analysis.positiveControl;
  const hz = r.results.horizon?.horizonNs ?? null;
  const head = rec.strategy
    ? h`<p class="pick">Use <code>${rec.strategy}</code></p>`
    : h`<p class="pick none">No strategy is verified here</p>`;
  const seen = h`${count(pc.violations)} of ${count(pc.trials)}`;
  const relaxed = [
    h`<p class="ok">Positive control relaxed: ${seen} unfenced trials (${pct(pc.violations / pc.trials)}) showed 00, `,
    h`so this run could see a broken barrier. Detection horizon: ${hz === null ? 'none' : ns(hz)}.</p>`,
  ];
  const power = pc.relaxed
    ? h`${relaxed}`
    : h`<p class="bad">The positive control never relaxed (${seen}): SB evidence from this run proves nothing.</p>`;
  const interrupted = r.results.cancelled ? ['The run was interrupted: only the finished phases are shown.'] : [];
  const notes = [...interrupted, ...texts(r.results.notes), ...texts(r.analysis.notes)];
  const acceptable = rec.acceptable.map((a) => h`<li><code>${a.strategy}</code>: ${a.condition}</li>`);
  const acc = rec.acceptable.length ? h`<h3>Acceptable with conditions</h3><ul>${acceptable}</ul>` : '';
  const runtimes = rec.runtimes.map(
    (x) => h`<tr><td>${x.runtime}</td><td>${x.advice}</td><td class="dim">${x.source ?? ''}</td></tr>`,
  );
  const rtHead = h`<h3>Runtime advice</h3><table class="grid"><tr><th>runtime</th><th>advice</th><th>source</th></tr>`;
  const rt = rec.runtimes.length ? h`${rtHead}${runtimes}</table>` : '';
  return h`<section id="recommendation" class="${rec.strategy ? 'rec' : 'rec none'}"><h2>Recommendation</h2>${[
    head,
    h`<ul>${rec.reasons.map((x) => h`<li>${x.text}</li>`)}</ul>`,
    power,
    notes.map((x) => h`<p class="bad">${x}</p>`),
    acc,
    rt,
  ]}</section>`;
}

const SUMMARY_HEAD = [
  'strategy',
  'verdict',
  'p50',
  'p99',
  'SB trials',
  'violations (00)',
  'violation rate, 95% upper',
  'interrupted every reader (on-CPU; 95% lower)',
  'risks',
];

export function summary(r: Report): Safe {
  const rows = entries(r).map(({ key, e, control }, i, all) => {
    const v = verdictOf(r, key);
    const st = v?.stats;
    const lat = e.latencyNs;
    const group = 'Controls: expected to fail; they show the test can see a failure';
    const sep = control && !all[i - 1]?.control ? h`<tr class="group"><th colspan="9">${group}</th></tr>` : '';
    const why =
      !control && v?.reasons.length
        ? h`<tr class="why"><td></td><td colspan="8">${texts(v.reasons).join(' · ')}</td></tr>`
        : '';
    const share = st?.interruptedShare ?? e.mechanism?.interruptedShare ?? null;
    const status =
      e.status !== 'ok' ? h` <span class="dim">(${e.status}${e.error ? `: ${e.error.code}` : ''})</span>` : '';
    const lower =
      st?.interruptedShareLower95 != null ? h` <span class="dim">(≥ ${pct(st.interruptedShareLower95)})</span>` : '';
    const na = e.remoteInterruption || control ? '' : h` <span class="dim">n/a</span>`;
    const verdict = badge(v?.verdict ?? (e.available ? 'inconclusive' : 'unavailable'));
    return h`${sep}<tr class="row" title="${v ? texts(v.reasons).join('\n') : ''}">${[
      h`<td><code>${key}</code>${status}</td><td>${verdict}</td>\n`,
      h`<td class="r">${lat ? ns(lat.p50) : '–'}</td><td class="r">${lat ? ns(lat.p99) : '–'}</td>`,
      h`<td class="r">${count(e.sb.trials)}</td>\n`,
      h`<td class="r ${e.sb.violations ? 'bad' : ''}">${count(e.sb.violations)}</td>`,
      h`<td class="r">${st ? `≤ ${pct(st.violationRateUpper95)}` : '–'}</td>\n`,
      h`<td class="r">${pct(share)}${lower}${na}</td>\n`,
      h`<td>${(v?.risks ?? []).map((id) => h`<span class="risk">${id}</span> `)}</td></tr>${why}`,
    ]}`;
  });
  const head = h`<tr>${SUMMARY_HEAD.map((t) => h`<th>${t}</th>`)}</tr>`;
  const note = [
    h`Latency over all calls. "n/a": the strategy does not rely on interrupting readers, `,
    h`so its share is shown for reference only.`,
  ];
  return h`<section id="summary"><h2>Every strategy</h2><table class="grid summary">${head}${rows}</table>
<p class="dim">${note}</p></section>`;
}

// Compact: one row per strategy, one column per reader class; a short class is what the verdict names.
export function readerClasses(r: Report): Safe {
  const c = classView(r);
  if (!c.columns.length) return h``;
  const rows = c.rows.map(
    (row) => h`<tr><td><code>${row.strategy}</code></td>${row.cells.map((x) => h`<td class="r">${x}</td>`)}</tr>`,
  );
  const caption = h`<p class="caption">Relative to writer CPU ${r.results.cpus.writer}: ${c.coverage.join('; ')}.</p>`;
  const columns = c.columns.map((k) => h`<th>${k}</th>`);
  const table = h`<table class="grid"><tr><th>strategy</th>${columns}</tr>${rows}</table>`;
  const power = c.power ? h`<p>Positive control (<code>none</code>) relaxed: ${c.power}</p>` : '';
  const silent = c.silent
    ? h`<p class="bad">Positive control never relaxed at ${c.silent}: SB had no power there.</p>`
    : '';
  return h`<section id="reader-classes"><h2>Reader classes</h2>${caption}
${table}<p class="dim">${CLASS_CELL_HELP}</p>
${power}${silent}${c.limits.map((l) => h`<p class="dim">${l}</p>`)}</section>`;
}

export function risks(r: Report): Safe {
  const items = r.analysis.risks.map((k) => {
    const sev = h`<span class="sev" style="background:${SEVERITY[k.severity] ?? '#6e7781'}">${k.severity}</span>`;
    const source = k.source ? h`; source: ${k.source}` : '';
    const applies = h`<span class="dim">(applies to ${k.strategies.join(', ') || 'no strategy'}${source})</span>`;
    return h`<li>${sev} <b>${k.id}</b>: ${k.text} ${applies}</li>`;
  });
  const list = items.length ? h`<ul class="risks">${items}</ul>` : h`<p class="dim">None found for this machine.</p>`;
  return h`<section id="risks"><h2>Risks</h2>${list}</section>`;
}

const CHECK_COLOR: Record<string, string> = {
  problem: '#cf222e',
  warning: '#b58100',
  note: '#0969da',
  ok: '#1a7f37',
  unknown: '#6e7781',
};

export function checks(r: Report): Safe {
  const rows = (r.analysis.checks ?? []).map((c) => {
    const status = h`<span class="sev" style="background:${CHECK_COLOR[c.status] ?? '#6e7781'}">${c.status}</span>`;
    return h`<tr><td>${c.title}</td><td>${status}</td><td>${c.text}</td><td class="dim">${c.source}</td></tr>`;
  });
  if (!rows.length) return h``;
  const caption =
    'Traps that real deployments have hit, each checked on this machine, with where the knowledge comes from.';
  const head = h`<tr><th>check</th><th>status</th><th>finding</th><th>source</th></tr>`;
  const table = h`<table class="grid">${head}${rows}</table>`;
  return h`<section id="checks"><h2>Field checks</h2><p class="caption">${caption}</p>${table}</section>`;
}

// Machine facts are rendered generically: every field is shown, none can be forgotten.
function facts(v: unknown): Part {
  if (v === null || v === undefined) return h`<span class="dim">unknown</span>`;
  if (Array.isArray(v)) {
    if (!v.length) return h`<span class="dim">none</span>`;
    if (v.every((x) => x === null || typeof x !== 'object')) return v.map(String).join(', ');
    const keys = [...new Set(v.flatMap((x) => (x && typeof x === 'object' ? Object.keys(x) : [])))];
    const cell = (x: unknown, k: string) => h`<td>${facts((x as Record<string, unknown>)?.[k])}</td>`;
    const rows = v.map((x) => h`<tr>${keys.map((k) => cell(x, k))}</tr>`);
    return h`<table class="grid"><tr>${keys.map((k) => h`<th>${k}</th>`)}</tr>${rows}</table>`;
  }
  if (typeof v === 'object') {
    const rows = Object.entries(v).map(([k, x]) => h`<tr><th>${k}</th><td>${facts(x)}</td></tr>`);
    return h`<table class="kv">${rows}</table>`;
  }
  return String(v);
}

function calibration(r: Report): Safe {
  const c = r.results.calibration;
  if (!c) return h`<p class="dim">No calibration in this run.</p>`;
  const skew = c.skew ? `${num(c.skew.offsetNs).toFixed(1)} ± ${num(c.skew.uncertaintyNs).toFixed(1)} ns` : 'unknown';
  const kv = [
    h`<tr><th>timebase</th><td>${c.timebase.source}, ${num(c.timebase.ticksPerNs).toFixed(4)} ticks/ns</td></tr>`,
    h`<tr><th>cross-CPU skew</th><td>${skew}</td></tr>\n`,
    h`<tr><th>cold lines K / writer offset</th><td>${c.stuffLines} lines / ${ns(c.offsetNs)} `,
    h`(jitter ${ns(c.jitterNs)}, lead ${ns(c.leadNs)})</td></tr>`,
    h`<tr><th>gap thresholds</th><td>spin ${ns(c.gapThresholdNs.spin)}, trial ${ns(c.gapThresholdNs.trial)}</td></tr>`,
    h`<tr><th>took</th><td>${ns(c.elapsedMs * 1e6)}</td></tr>`,
  ];
  const sweep = c.sweep.map((s) => {
    const chosen = s.stuffLines === c.stuffLines && s.offsetNs === c.offsetNs ? 'chosen' : '';
    return h`<tr class="${chosen}">
<td class="r">${s.stuffLines}</td><td class="r">${ns(s.offsetNs)}</td>${[
      h`<td class="r">${count(s.witnessesPerSec)}</td><td class="r">${pct(s.relaxation)}</td></tr>`,
    ]}`;
  });
  const head = h`<tr><th>K</th><th>offset</th><th>witnesses/s</th><th>relaxation</th></tr>`;
  return h`<table class="kv">${kv}</table>
<h4>Sweep (the chosen K and offset in bold)</h4><table class="grid">${head}${sweep}</table>`;
}

export function details(r: Report): Safe {
  const c = r.results.calibration;
  const sections = Object.entries(r.system).map(
    ([k, v]) => h`<details><summary>machine: ${k}</summary>${facts(v)}</details>`,
  );
  const extra = {
    'plan (placement, phases, seed)': r.plan,
    'read-side cost': r.results.readerCost,
    'scaling over readers': r.results.scaling,
    ['registration cost: once threads exist, REGISTER_PRIVATE_EXPEDITED waits for an RCU grace period; ' +
    'register before the first thread (source: dotnet/runtime#106722)']: r.results.registrationCost ?? 'not measured',
    'writer contention: the kernel serialises expedited membarrier calls (source: scylladb/seastar#2143)':
      r.results.contention ?? 'not measured',
    'run time': ns(r.results.elapsedMs * 1e6),
  };
  const timebase = c ? h`${c.timebase.source} at ${num(c.timebase.ticksPerNs).toFixed(3)} ticks/ns` : '';
  const summaryLine = c
    ? h`<span class="dim">: ${timebase}, K=${c.stuffLines} cold lines, writer offset ${ns(c.offsetNs)}</span>`
    : '';
  const cal = h`<details><summary>Calibration${summaryLine}</summary>${calibration(r)}</details>`;
  return h`<section id="facts"><h2>Calibration and environment</h2>${cal}${sections}
${Object.entries(extra).map(([k, v]) => h`<details><summary>${k}</summary>${facts(v)}</details>`)}</section>`;
}
