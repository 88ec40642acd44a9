// The gate's phases are budgeted by calls, not by time (issue 12, part 7). Its verdict needs, for a
// strategy, a 95% lower bound of at least MIN_SHARE_LOWER95 on the share of on-CPU calls that
// interrupted every reader: with no miss that takes n calls where 0.05^(1/n) >= 0.99, i.e. 299.
// A time budget gave 6,000+ on a quiet machine; a call cap stops the phase near what the verdict
// needs, and the time budget stays as the limit on a slow one. The rules themselves are unchanged:
// a phase that falls short is judged as it is, by the same rules as a full run's.
import type { StrategyEvidence } from '../records.js';
import { MIN_SHARE_LOWER95 } from '../analyse/verdicts.js';

/** On-CPU calls with no miss whose one-sided 95% lower bound reaches MIN_SHARE_LOWER95 (299 at 0.99). */
export const ON_CPU_CALLS_NEEDED = Math.ceil(Math.log(0.05) / Math.log(MIN_SHARE_LOWER95));
/**
 * Calls per gate phase. Only calls made while every reader was on its CPU count, and their share
 * varies: 7% of membarrier calls with one reader under load 5 on the 2-vCPU guest, 60% of the
 * controls'. 4,800 calls give 336 on-CPU calls at 7%, and at a quieter machine's share (25% and
 * up) 1,200 or more, which still bound the miss rate with a handful of misses among them.
 */
export const GATE_CALLS = 4800;
/**
 * The lowest on-CPU share a second pass plans for (so at most 59,800 calls): below it the phase's time budget decides.
 */
export const MIN_ON_CPU_SHARE = 0.01;

/**
 * Whether a strategy's first pass fell short of the calls the verdict needs with nothing else
 * against it: it ran ok, saw no SB violation and no miss at all, and made too few on-CPU calls
 * (none at all, on a starved machine, counts: it then plans for the lowest share).
 * Only then is it measured again; a pass with a miss or a violation stands (a second pass must
 * not wash out adverse evidence), and the second pass is judged alone.
 */
export function shortOfCalls(e: StrategyEvidence): boolean {
  const m = e.mechanism;
  if (e.status !== 'ok' || !m || e.sb.violations > 0) return false;
  const missed = m.perReader.some((r) => r.onCpuCalls > 0 && r.interruptedShare !== null && r.interruptedShare < 1);
  return !missed && (m.onCpuCalls === 0 || m.interruptedShare === 1) && m.onCpuCalls < ON_CPU_CALLS_NEEDED;
}

/** Calls for a second pass: twice what the verdict needs, at the first pass's on-CPU share. */
export function secondPassCalls(e: StrategyEvidence): number {
  const m = e.mechanism!;
  const calls = Math.max(1, e.sb.writerTrials ?? e.latencyNs?.calls ?? 0); // writerTrials: absent in older reports
  const share = Math.max(MIN_ON_CPU_SHARE, m.onCpuCalls / calls);
  return Math.ceil((2 * ON_CPU_CALLS_NEEDED) / share);
}
