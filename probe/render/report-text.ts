// The terminal summary of a full report: the verdict table, then the recommendation and its reasons.
import type { FieldCheck, Report } from '../records.js';
import { fmtCpus, fmtNs } from './format.js';
import { summaryRows } from './report-rows.js';
import { CLASS_CELL_HELP, classView } from './class-rows.js';
import type { Style } from './style.js';
import { tlbReportLines } from './tlb-text.js';

/** The status word padded to one width, coloured by how much it matters. */
export function checkStatus(status: FieldCheck['status'], s: Style): string {
  const w = status.padEnd(7);
  return status === 'problem' ? s.bad(w) : status === 'warning' ? s.warn(w) : status === 'ok' ? s.good(w) : w;
}

export function renderReportText(r: Report, s: Style): string {
  const colour = (v: string) => (v === 'verified' ? s.good(v) : v === 'refuted' ? s.bad(v) : s.warn(v));
  const out = [
    s.head(`${r.tool.name} ${r.tool.version}`) +
      s.dim(
        `  ${r.system.platform.hostname}  ${r.generatedAt}  writer CPU ${r.results.cpus.writer}, ` +
          `readers ${fmtCpus(r.results.cpus.readers, ',') || 'none'}`,
      ),
    '',
  ];
  out.push(
    s.dim(
      `  ${'strategy'.padEnd(40)}${'verdict'.padEnd(14)}${'p50'.padStart(9)}${'p99'.padStart(9)}` +
        `  ${'SB violations/trials (95% bound)'.padEnd(34)}${'interrupted'.padStart(11)}`,
    ),
  );
  for (const row of summaryRows(r)) {
    out.push(
      `  ${row.strategy.padEnd(40)}${colour(row.verdict)}${' '.repeat(Math.max(1, 14 - row.verdict.length))}` +
        `${row.p50.padStart(9)}${row.p99.padStart(9)}  ${row.sb.padEnd(34)}${row.interrupted.padStart(11)}`,
    );
    if (row.verdict !== 'verified' && row.reason) out.push(s.dim(`      ${row.reason}`));
  }
  for (const n of r.analysis.notes) out.push(`  ${s.warn(n.text)}`);
  out.push(...classText(r, s));
  const rec = r.recommendation;
  out.push(
    '',
    s.head('Recommendation: ') +
      (rec.strategy ? s.good(rec.strategy) : s.bad('none verified here: use full fences on both sides')),
  );
  for (const reason of rec.reasons) out.push(`  - ${reason.text}`);
  for (const a of rec.acceptable) out.push(`  - acceptable: ${a.strategy}, ${a.condition}`);
  const risks = r.analysis.risks;
  if (risks.length) {
    out.push('', s.head('Risks known without running'));
    const severity = (k: (typeof risks)[number]) =>
      k.severity === 'unsafe' ? s.bad(k.severity) : k.severity === 'warning' ? s.warn(k.severity) : k.severity;
    for (const k of risks)
      out.push(
        `  - ${severity(k)} (${k.strategies.join(', ') || 'environment'}): ${k.text}` +
          `${k.source ? s.dim(` (source: ${k.source})`) : ''}`,
      );
  }
  const tlb = tlbReportLines(r, s);
  if (tlb.length) out.push('', ...tlb);
  const checks = r.analysis.checks ?? [];
  if (checks.length) {
    out.push('', s.head('Field checks'));
    for (const c of checks)
      out.push(`  ${checkStatus(c.status, s)} ${c.title}: ${c.text}${s.dim(` (source: ${c.source})`)}`);
  }
  out.push('', s.head('On this machine'));
  for (const a of rec.runtimes)
    out.push(`  - ${a.runtime}: ${a.advice}${a.source ? s.dim(` (source: ${a.source})`) : ''}`);
  const reg = r.results.registrationCost,
    regNs = (x: NonNullable<typeof reg>['fresh']) => (x.ok ? fmtNs(x.ns) : (x.note?.text ?? `errno ${x.errno}`));
  if (reg)
    out.push(
      `  - registering for private expedited membarrier: ${regNs(reg.fresh)} single-threaded, ${regNs(reg.threaded)}` +
        ` once threads exist (RCU grace period): register before starting threads`,
    );
  for (const [id, pts] of Object.entries(r.results.contention ?? {}))
    out.push(
      `  - ${id} with ${pts.map((p) => p.writers).join('/')} writers at once: ` +
        `p50 ${pts.map((p) => fmtNs(p.latencyNs.p50)).join(' / ')}, ` +
        `p99 ${pts.map((p) => fmtNs(p.latencyNs.p99)).join(' / ')}`,
    );
  return out.join('\n') + '\n';
}

/** Topology classes present, covered, and each strategy's evidence per class (class-rows.ts). */
function classText(r: Report, s: Style): string[] {
  const c = classView(r);
  if (!c.columns.length) return [];
  const w = 2 + Math.max(...c.columns.map((k) => k.length), ...c.rows.flatMap((row) => row.cells.map((x) => x.length)));
  const out = ['', s.head(`Reader classes`) + s.dim(` (relative to writer CPU ${r.results.cpus.writer})`)];
  for (const line of c.coverage) out.push(`  ${/not covered/.test(line) ? s.warn(line) : line}`);
  out.push(s.dim(`  ${'strategy'.padEnd(40)}${c.columns.map((k) => k.padStart(w)).join('')}`));
  for (const row of c.rows) out.push(`  ${row.strategy.padEnd(40)}${row.cells.map((x) => x.padStart(w)).join('')}`);
  out.push(s.dim(`  (${CLASS_CELL_HELP})`));
  if (c.power) out.push(`  positive control (none) relaxed: ${c.power}`);
  if (c.silent) out.push(`  ${s.warn(`positive control never relaxed at ${c.silent}: SB had no power there`)}`);
  for (const l of c.limits) out.push(s.dim(`  ${l}`));
  return out;
}
