// The HTML report's TLB section: the regime inspect predicted with its facts, the warm-up, and what
// each page-table phase's flushes did (probe/run/flush.ts).
import type { Report } from '../records.js';
import { h, type Safe } from './svg.js';
import { factSource, factValue, flushRows, TLB_FACT_LABELS, warmupLine } from './tlb-text.js';

const GOOD = '#1a7f37',
  BAD = '#cf222e';
const KIND_COLOR: Record<string, string> = {
  ipi: GOOD,
  broadcast: BAD,
  hypercall: BAD,
  mixed: BAD,
  unknown: '#b58100',
};
const badge = (k: string) => h`<span class="sev" style="background:${KIND_COLOR[k] ?? '#6e7781'}">${k}</span>`;

const FACTS_HEAD = h`<tr><th>fact</th><th>value</th><th>source</th></tr>`;

export function tlbSection(r: Report): Safe {
  const t = r.system.tlb,
    rows = flushRows(r),
    w = warmupLine(r);
  if (!t && !rows.length) return h``;
  const facts = t
    ? h`<details><summary>TLB facts</summary><table class="grid">${FACTS_HEAD}${TLB_FACT_LABELS.map(
        ([k, label]) => h`<tr><td>${label}</td><td>${factValue(t.facts[k])}</td>
<td class="dim">${factSource(t.facts[k])}</td></tr>`,
      )}</table></details>`
    : h``;
  const head = h`<tr><th>strategy</th><th>flush</th><th>TLB IPIs per on-CPU call</th><th>evidence</th></tr>`;
  const table = rows.length
    ? h`<table class="grid">${head}${rows.map(
        (x) => h`<tr><td><code>${x.id}</code></td><td>${badge(x.kind)}</td>
<td class="r">${x.perCall}</td><td>${x.reason}</td></tr>`,
      )}</table>`
    : h``;
  const regime = t ? h`${badge(t.regime)} ${t.reasons.join('; ')}` : h`not recorded`;
  const warm = w ? h`<p class="dim">${w}</p>` : '';
  return h`<section id="tlb"><h2>TLB flush</h2><p>Regime: ${regime}</p>${warm}${table}${facts}</section>`;
}
