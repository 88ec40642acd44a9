// Two field measurements beside the verdicts: what registering for expedited membarrier costs
// (fresh single-threaded child against this multi-threaded process), and how the heavy barrier's
// latency grows when several threads issue it at once (the kernel serialises expedited
// membarrier: scylladb/seastar#2143; mprotect and madvise take the mm's lock).
import type { ContentionPoint, PhasePlan, RegistrationCostEvidence } from '../records.js';
import { loadNative, type NativeEngine } from '../native.js';
import { sampleEvidence as sample } from '../inspect/field.js';
import { finding, type Finding } from '../codes.js';

const CHILD_TIMEOUT_MS = 2000;

/**
 * Must run before anything registers this process (every membarrier phase does, in Prepare),
 * else the threaded figure is "already registered". null without the addon.
 */
export function measureRegistration(): RegistrationCostEvidence | null {
  const n = loadNative();
  if (!n.ok) return null;
  const r = n.addon.measureRegistrationCost(CHILD_TIMEOUT_MS);
  return { fresh: sample(r.fresh), threaded: sample(r.threaded) };
}

/**
 * One contention phase: W writers, each pinned to a CPU of its own that no reader uses (the plan
 * picks them, the main writer's first), readers spinning on the plan's reader CPUs. Left to the
 * scheduler, a writer sometimes shares a reader's CPU, and then every call it makes finds that
 * reader switched out and needs no IPI; two writers on one CPU are serialised by the scheduler,
 * not the kernel. Where the CPUs do not allow W distinct writers the plan skips that W.
 * Returns the point, or a note saying why there is none; `failed` stops the strategy's larger W.
 */
export async function contentionPoint(
  engine: NativeEngine,
  readerCpus: number[],
  p: PhasePlan,
  hardMs: number,
): Promise<{ point: ContentionPoint | null; note: Finding | null; failed: boolean }> {
  const strategy = p.strategy!,
    writers = p.writers!;
  const r = await engine.runContention({
    strategy,
    writers,
    readerCpus,
    writerCpus: p.writerCpus,
    budgetMs: p.budgetMs,
    hardMs,
  });
  if (r.status !== 'ok') {
    return {
      point: null,
      failed: true,
      note: finding(
        'contention-failed',
        `contention ${strategy} with ${writers} writers: ${r.status}` +
          `${r.what ? ` (${r.what}${r.errno ? `, errno ${r.errno}` : ''})` : ''}`,
      ),
    };
  }
  if (r.latency.calls === 0) {
    return {
      point: null,
      failed: false,
      note: finding(
        'contention-all-descheduled',
        `contention ${strategy} with ${writers} writers: every one of ${r.descheduledCalls} calls was made while a ` +
          `reader was switched out, so none measured a barrier that had to reach it`,
      ),
    };
  }
  const l = r.latency;
  return {
    failed: false,
    note: null,
    point: {
      writers,
      latencyNs: { p50: l.p50, p99: l.p99, max: l.max, calls: l.calls },
      descheduledCalls: r.descheduledCalls,
      ...(r.notes.length ? { notes: r.notes } : {}),
    },
  };
}
