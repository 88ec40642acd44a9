// Two field measurements beside the verdicts: what registering for expedited membarrier costs
// (fresh single-threaded child against this multi-threaded process), and how the heavy barrier's
// latency grows when several threads issue it at once (the kernel serialises expedited
// membarrier: scylladb/seastar#2143; mprotect and madvise take the mm's lock).
import type { ContentionPoint, ExperimentPlan, RegistrationCostEvidence } from '../records.js';
import { loadNative, type NativeEngine } from '../native.js';
import { sampleEvidence as sample } from '../inspect/field.js';

/** Strategies measured under contention, when their own phase was ok. */
export const CONTENTION_STRATEGIES = ['membarrier-private-expedited', 'membarrier-global-expedited', 'mprotect', 'madvise-dontneed'];
export const CONTENTION_WRITERS = [1, 2, 4];
/** Per writer count: enough calls of a ~30 us barrier for a stable p99, short enough to add under 2 s. */
export const CONTENTION_BUDGET_MS = 150;
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
 * W = 1, 2, 4 writers per strategy, readers spinning on the plan's reader CPUs. Writers run on the
 * CPUs the readers do not use (round robin), as an application's other threads would: left to the
 * scheduler, a writer sometimes shares a reader's CPU, and then every call it makes finds that
 * reader switched out and needs no IPI (such calls are counted apart, but none would be left).
 * With spare CPUs the writers really run at once; with one, the scheduler serialises them too,
 * which the report says. Failures become notes, not entries.
 */
export const contentionWriterCpus = (plan: Pick<ExperimentPlan, 'writerCpu' | 'readerCpus'>, allowed: number[] | null): number[] => {
  const spare = (allowed ?? []).filter((c) => !plan.readerCpus.includes(c));
  return spare.length ? spare : [plan.writerCpu];
};

export async function measureContention(engine: NativeEngine, plan: ExperimentPlan, allowed: number[] | null, ids: string[], stopped: () => boolean,
  notes: string[], step: (phase: string) => void): Promise<Record<string, ContentionPoint[]>> {
  const out: Record<string, ContentionPoint[]> = {};
  const writerCpus = contentionWriterCpus(plan, allowed);
  for (const strategy of ids) {
    const points: ContentionPoint[] = [];
    for (const writers of CONTENTION_WRITERS) {
      if (stopped()) break;
      const r = await engine.runContention({ strategy, writers, readerCpus: plan.readerCpus, writerCpus, budgetMs: CONTENTION_BUDGET_MS });
      if (r.status !== 'ok') {
        notes.push(`contention ${strategy} with ${writers} writers: ${r.status}${r.what ? ` (${r.what}${r.errno ? `, errno ${r.errno}` : ''})` : ''}`);
        break;
      }
      if (r.latency.calls === 0) {
        notes.push(`contention ${strategy} with ${writers} writers: every one of ${r.descheduledCalls} calls was made while a reader was switched out, so none measured a barrier that had to reach it`);
        continue;
      }
      const l = r.latency;
      points.push({ writers, latencyNs: { p50: l.p50, p99: l.p99, max: l.max, calls: l.calls }, descheduledCalls: r.descheduledCalls, ...(r.notes.length ? { notes: r.notes } : {}) });
    }
    if (points.length) out[strategy] = points;
    step(`contention:${strategy}`);
  }
  return out;
}
