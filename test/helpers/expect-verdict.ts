// What a real run's verdict for a strategy should be on this machine, from the report's own risks:
// a hard-coded "mprotect verified" is wrong on arm64 (broadcast TLBI), under AMD INVLPGB or a
// Hyper-V/Xen hypercall flush, where refuted is the correct answer. So: where an `unsafe` risk
// names the strategy, verified is a failure (refuted or inconclusive expected); where none does,
// verified is expected, and inconclusive passes only with a reason about timing or sample size
// (a busy shared machine), never a failed phase or a missing mechanism. Refuted without an unsafe
// risk fails: that is a finding to look at, not noise.
import type { Code, Report, Verdict } from '../../probe/records.js';

/** Inconclusive reasons (codes) that a loaded machine or a short run can produce on a sound strategy. */
export const TIMING_REASONS: ReadonlySet<Code> = new Set<Code>([
  'too-few-calls',
  'not-above-null',
  'not-above-delay-matched',
  'no-on-cpu-call',
  'reader-short',
  'sb-no-power',
]);

/** Null when the verdict for `id` is what this machine's risks call for, else why not. */
export function verdictProblem(report: Pick<Report, 'analysis'>, id: string): string | null {
  const v: Verdict | undefined = report.analysis.verdicts[id];
  if (!v) return `no verdict for ${id}`;
  const unsafe = report.analysis.risks
    .filter((r) => r.severity === 'unsafe' && r.strategies.includes(id))
    .map((r) => r.id);
  const said = `${id} ${v.verdict}: ${v.reasons.map((r) => `[${r.code}] ${r.text}`).join(' | ')}`;
  if (unsafe.length) {
    return v.verdict === 'refuted' || v.verdict === 'inconclusive'
      ? null
      : `${said}; expected refuted or inconclusive under ${unsafe.join(', ')}`;
  }
  if (v.verdict === 'verified') return null;
  if (v.verdict === 'inconclusive' && v.reasons.some((r) => TIMING_REASONS.has(r.code))) return null;
  return `${said}; no unsafe risk names it here, so verified (or inconclusive for a timing reason) was expected`;
}
