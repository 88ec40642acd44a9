// Markdown made to paste into a GitHub issue: the summary table and the recommendation first,
// then collapsible details with the raw numbers and the environment fingerprint.
import type { Report } from '../records.js';
import { fmtCpus, fmtNs, fmtShare } from './format.js';
import { texts } from '../codes.js';
import { summaryRows } from './report-rows.js';
import { CLASS_CELL_HELP, classView } from './class-rows.js';
import { factSource, factValue, flushRows, TLB_FACT_LABELS, warmupLine } from './tlb-text.js';

// Table cells: pipes and newlines would break the row; angle brackets would become HTML.
const cell = (s: string) =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[\r\n]+/g, ' ')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
const text = (s: string) => s.replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderMarkdown(r: Report): string {
  const f = r.system;
  const out: string[] = [];
  out.push(`## membarrier-probe ${text(r.tool.version)}: ${text(f.platform.hostname)}, ${text(r.generatedAt)}`, '');
  out.push(
    `${text(f.cpus.vendor ?? '?')} ${text(f.cpus.modelName ?? '')}, ${f.cpus.online ?? '?'} CPUs, ` +
      `Linux ${text(f.kernel.release ?? '?')}, ` +
      `hypervisor ${text(f.hypervisor.vendor ?? 'none')}; writer CPU ${r.results.cpus.writer}, ` +
      `readers ${fmtCpus(r.results.cpus.readers) || 'none'}`,
    '',
  );
  const rec = r.recommendation;
  out.push(
    `**Recommendation: ${rec.strategy ? `\`${rec.strategy}\`` : 'none verified: use full fences on both sides'}**`,
    '',
  );
  for (const reason of rec.reasons) out.push(`- ${text(reason.text)} (\`${reason.code}\`)`);
  for (const a of rec.acceptable) out.push(`- acceptable: \`${a.strategy}\`, ${text(a.condition)}`);
  out.push(
    '',
    '| strategy | verdict | p50 | p99 | SB violations/trials (95% bound) | interrupted | risks |',
    '|---|---|---|---|---|---|---|',
  );
  for (const row of summaryRows(r)) {
    out.push(
      `| ${cell(row.strategy)} | **${row.verdict}** | ${row.p50} | ${row.p99} | ${cell(row.sb)} | ${row.interrupted}` +
        ` | ${cell(row.risks)} |`,
    );
  }
  const cv = classView(r);
  if (cv.columns.length) {
    out.push(
      '',
      `**Reader classes** (relative to writer CPU ${r.results.cpus.writer}): ${cv.coverage.map(text).join('; ')}`,
      '',
    );
    out.push(`| strategy | ${cv.columns.join(' | ')} |`, `|---|${cv.columns.map(() => '---').join('|')}|`);
    for (const row of cv.rows) out.push(`| ${cell(row.strategy)} | ${row.cells.map(cell).join(' | ')} |`);
    out.push('', `<sub>${text(CLASS_CELL_HELP)}</sub>`);
    if (cv.power) out.push('', `Positive control (\`none\`) relaxed: ${text(cv.power)}`);
    if (cv.silent) out.push('', `**Positive control never relaxed at ${text(cv.silent)}**: SB had no power there.`);
    for (const l of cv.limits) out.push('', `<sub>${text(l)}</sub>`);
  }
  if (r.analysis.risks.length) {
    out.push('', '**Risks known without running**', '');
    for (const risk of r.analysis.risks)
      out.push(
        `- ${risk.severity} (${risk.strategies.join(', ') || 'environment'}): ${text(risk.text)}` +
          `${risk.source ? ` (source: ${text(risk.source)})` : ''}`,
      );
  }
  out.push(...tlbMarkdown(r));
  const checks = r.analysis.checks ?? [];
  if (checks.length) {
    out.push(
      '',
      '**Field checks**: traps real deployments have hit, each checked here',
      '',
      '| check | status | finding | source |',
      '|---|---|---|---|',
    );
    for (const c of checks)
      out.push(
        `| ${cell(c.title)} | ${c.status === 'ok' ? 'ok' : `**${c.status}**`} | ${cell(c.text)} (\`${c.code}\`) ` +
          `| ${cell(c.source)} |`,
      );
  }
  out.push('', '<details><summary>Why each verdict</summary>', '');
  for (const [id, v] of Object.entries(r.analysis.verdicts))
    out.push(
      `- \`${id}\` **${v.verdict}**: ${text(texts(v.reasons).join('; '))} ` +
        `(\`${v.reasons.map((x) => x.code).join('`, `')}\`)`,
    );
  out.push('', '</details>', '', '<details><summary>Runtimes on this machine</summary>', '');
  for (const a of rec.runtimes)
    out.push(`- ${text(a.runtime)}: ${text(a.advice)}${a.source ? ` (source: ${text(a.source)})` : ''}`);
  out.push('', '</details>', '', '<details><summary>Raw numbers</summary>', '');
  out.push(
    '| id | trials | 00 | 01 | 10 | 11 | p50 | p90 | p99 | max | interrupted (on-CPU) | raw | on-CPU calls | ' +
      'descheduled calls | irq/call |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const e of [...Object.values(r.results.strategies), ...Object.values(r.results.controls)]) {
    const h = e.sb.histogram,
      l = e.latencyNs,
      m = e.mechanism;
    const irq = m?.irqPerCall
      ? Object.entries(m.irqPerCall)
          .map(([k, n]) => `${k} ${n.toFixed(2)}`)
          .join(' ')
      : '-';
    out.push(
      `| ${cell(e.id)} | ${e.sb.trials} | ${h['00']} | ${h['01']} | ${h['10']} | ${h['11']} | ${fmtNs(l?.p50)} ` +
        `| ${fmtNs(l?.p90)} | ${fmtNs(l?.p99)} | ${fmtNs(l?.max)} | ` +
        `${fmtShare(m?.interruptedShare)} | ${fmtShare(m?.rawInterruptedShare)} | ${m?.onCpuCalls ?? '-'} ` +
        `| ${m?.descheduledCalls ?? '-'} | ${cell(irq)} |`,
    );
  }
  const h = r.results.horizon;
  if (h)
    out.push(
      '',
      `Detection ` +
        `horizon: ${h.points
          .map((p) => `${fmtNs(p.delayNs)}` + ` ${fmtShare(p.trials ? p.violations / p.trials : 0)}`)
          .join(', ')}` +
        `; largest delay detected ${fmtNs(h.horizonNs)}.`,
    );
  const reg = r.results.registrationCost,
    regNs = (x: NonNullable<typeof reg>['fresh']) =>
      (x.ok ? fmtNs(x.ns) : `failed${x.errno ? ` (errno ${x.errno})` : ''}`) +
      (x.note ? ` (${text(x.note.text)})` : '');
  if (reg)
    out.push(
      '',
      `Registration cost (first MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED): ${regNs(reg.fresh)} in a fresh ` +
        `single-threaded child, ${regNs(reg.threaded)} in this multi-threaded process. Once threads exist the ` +
        `kernel waits for an RCU grace period (synchronize_rcu), so runtimes should register before their first ` +
        `thread starts (source: dotnet/runtime#106722).`,
    );
  const cont = Object.entries(r.results.contention ?? {});
  if (cont.length) {
    out.push(
      '',
      'Contention: W writer threads (on the CPUs the readers do not use) issuing the heavy barrier at once while ' +
        'the readers spin; the kernel serialises expedited membarrier calls (source: scylladb/seastar#2143). ' +
        'Calls made while a reader was switched out need no IPI: they are counted apart, not in the figures.',
      '',
      '| strategy | writers | p50 | p99 | max | calls | left out (reader switched out) |',
      '|---|---|---|---|---|---|---|',
    );
    for (const [id, pts] of cont)
      for (const p of pts)
        out.push(
          `| ${cell(id)} | ${p.writers} | ${fmtNs(p.latencyNs.p50)} | ${fmtNs(p.latencyNs.p99)} ` +
            `| ${fmtNs(p.latencyNs.max)} | ${p.latencyNs.calls} | ${p.descheduledCalls ?? '-'} |`,
        );
  }
  out.push('', '</details>', '', '<details><summary>Environment fingerprint</summary>', '', '```');
  out.push(
    `kernel: ${f.kernel.version ?? '?'}`,
    `cpu: ${f.cpus.vendor} family ${f.cpus.family} model ${f.cpus.model} stepping ${f.cpus.stepping} ` +
      `microcode ${f.cpus.microcode}`,
  );
  out.push(
    `hypervisor: ${f.hypervisor.vendor ?? 'none'}` +
      `${f.hypervisor.kvm ? ` (KVM features 0x${f.hypervisor.kvm.features.toString(16)})` : ''}`,
  );
  out.push(
    `membarrier QUERY mask: ${f.membarrier.queryMask ?? `unknown (${f.membarrier.error?.code ?? 'n/a'})`}`,
    `seccomp: ${f.process.seccomp.modeName}, container: ${f.sandbox.container?.kind ?? 'none'}`,
  );
  out.push(`command: membarrier-probe ${r.commandLine.join(' ')}`, '```', '', '</details>', '');
  return out.join('\n');
}

/** system.tlb's regime, the warm-up and each page-table phase's flush evidence. */
function tlbMarkdown(r: Report): string[] {
  const t = r.system.tlb,
    rows = flushRows(r),
    w = warmupLine(r);
  if (!t && !rows.length) return [];
  const why = t ? ` (${text(t.reasons.join('; '))})` : '';
  const out = ['', `**TLB flush**: regime \`${t?.regime ?? 'not recorded'}\`${why}`];
  if (w) out.push('', text(w));
  if (rows.length) {
    out.push('', '| strategy | flush | TLB IPIs per on-CPU call | evidence |', '|---|---|---|---|');
    for (const x of rows) out.push(`| ${cell(x.id)} | **${x.kind}** | ${x.perCall} | ${cell(x.reason)} |`);
  }
  if (t) {
    out.push('', '<details><summary>TLB facts</summary>', '', '| fact | value | source |', '|---|---|---|');
    for (const [k, label] of TLB_FACT_LABELS) {
      out.push(`| ${cell(label)} | ${factValue(t.facts[k])} | ${cell(factSource(t.facts[k]))} |`);
    }
    out.push('', '</details>');
  }
  return out;
}
