// The planned warm-up before the page-table phases (plan/phases.ts, TLB_WARMUP_MS says why): the
// strategy's own calls with the writer and 3 or more readers busy, so that a kernel that hands out
// global ASIDs has had its chances before anything is measured. Its evidence is kept apart from
// the strategy's: what it shows is whether the TLB-shootdown row went still during it.
import type { Calibration, ExperimentPlan, PhasePlan, StrategyDescriptor, TlbWarmupEvidence } from '../records.js';
import type { NativeEngine } from '../native.js';
import { TLB_WINDOW_MS_AT_HZ100 } from '../plan/phases.js';
import { runPhase } from './phase.js';

/** One jiffy at HZ=1000, the fastest tick: calls at least this often reach every jiffy, the matching one included. */
const DENSE_INTERVAL_MS = 1;

/**
 * The chance that no call ran consider_global_asid() in a matching jiffy. Dense calls (one a jiffy or
 * more at any HZ) reach every jiffy they span, so they miss only if the span is shorter than one
 * 32-jiffy window at HZ=100 and the matching jiffy falls outside it; sparser calls each land in a
 * matching jiffy with probability 1/32, independently (they are not synchronised to the tick).
 */
export function warmupMissProbability(elapsedMs: number, calls: number): number {
  if (calls <= 0) return 1;
  if (elapsedMs / calls <= DENSE_INTERVAL_MS) return Math.max(0, 1 - elapsedMs / TLB_WINDOW_MS_AT_HZ100);
  return Math.pow(31 / 32, calls);
}

export async function tlbWarmUp(
  engine: NativeEngine,
  plan: ExperimentPlan,
  cal: Calibration,
  p: PhasePlan,
  descriptor: StrategyDescriptor,
  hardMs: number,
): Promise<TlbWarmupEvidence> {
  const req = { key: p.key, descriptor, budgetMs: p.budgetMs, readers: p.readerCpus, hardMs };
  const e = await runPhase(engine, plan, cal, req);
  const calls = e.sb.writerTrials ?? 0;
  const flush = e.mechanism?.flush ?? {
    kind: 'unknown' as const,
    reason: `the warm-up ended ${e.status}`,
    row: null,
    tlbIpisPerCall: null,
    windows: [],
  };
  return {
    strategy: descriptor.id,
    cpus: [plan.writerCpu, ...(p.readerCpus ?? [])],
    elapsedMs: Math.round(e.elapsedMs),
    calls,
    windowsAtHz100: Math.floor(e.elapsedMs / TLB_WINDOW_MS_AT_HZ100),
    missProbability: warmupMissProbability(e.elapsedMs, calls),
    flush,
  };
}
