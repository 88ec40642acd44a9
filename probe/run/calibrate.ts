// Calibration, measured on this machine rather than assumed: the clock's rate, the cross-CPU
// skew, the announcement lead, the cold-line count K and the writer's start offset that make the
// positive control relax most often, and the gap thresholds from the readers' normal loop.
import type { Calibration, ExperimentPlan } from '../records.js';
import type { NativeEngine, PhaseResult } from '../native.js';
import { CATALOGUE, controlOfKind } from '../catalogue.js';
import { FULL_GRID, MIN_SWEEP_POINT_MS, QUICK_GRID, SWEEP_POINT_FIXED_MS, type SweepGrid } from '../plan/phases.js';

/** The sweep maximises the positive control's relaxation (it orders nothing, so SB must relax). */
const POSITIVE = controlOfKind(CATALOGUE, 'positive')!;

// The grids are the plan's (it budgets their points); re-exported for existing callers.
export { FULL_GRID, QUICK_GRID, type SweepGrid };

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

export function witnessesPerSec(r: PhaseResult): number {
  const w = r.readers.reduce((s, x) => s + x.histogram['00'], 0);
  return r.elapsedNs > 0 ? w / (r.elapsedNs / 1e9) : 0;
}

export function relaxation(r: PhaseResult): number {
  let w = 0,
    n = 0;
  for (const x of r.readers) {
    const h = x.histogram;
    w += h['00'];
    n += h['00'] + h['01'] + h['10'] + h['11'];
  }
  return n ? w / n : 0;
}

/** Resolves to null when the run was cancelled during calibration, or its first point timed out. */
/** hardMs bounds the whole sweep: past it the points left are not tried and the best so far is kept. */
export async function calibrate(
  engine: NativeEngine,
  plan: ExperimentPlan,
  budgetMs: number,
  grid: SweepGrid = FULL_GRID,
  hardMs = Infinity,
): Promise<Calibration | null> {
  const t0 = performance.now();
  const left = () => hardMs - (performance.now() - t0);
  const timebase = engine.selectTimebase(plan.timebase === 'cycles');
  const s = await engine.measureSkew(plan.writerCpu, plan.readerCpus[0]);
  const skew = s.errno ? null : { offsetNs: s.offsetNs, uncertaintyNs: s.uncertaintyNs };
  // The writer announces each trial this far ahead: a little over two one-way cache-line
  // transfers (half the shortest round trip), so readers are waiting when it starts.
  const leadNs = clamp(2.5 * (skew?.uncertaintyNs ?? 200), 250, 5000);
  const jitterNs = clamp(2 * (skew?.uncertaintyNs ?? 50), 40, 400);
  const each = Math.max(MIN_SWEEP_POINT_MS, budgetMs / (grid.stuffLines.length * grid.offsetsNs.length));
  const sweep: Calibration['sweep'] = [];
  let best: { r: PhaseResult; k: number; off: number; wps: number } | null = null;
  sweep: for (const k of grid.stuffLines) {
    for (const off of grid.offsetsNs) {
      // Always one point; then only while a whole point still fits before the deadline.
      if (best && left() < each + SWEEP_POINT_FIXED_MS) break sweep;
      const r = await engine.runPhase({
        strategy: POSITIVE,
        writerCpu: plan.writerCpu,
        readerCpus: plan.readerCpus,
        stuffLines: k,
        offsetNs: off,
        jitterNs,
        leadNs,
        budgetMs: each,
        maxTrials: 5e6,
        seed: plan.seed,
        evidence: false,
        // The first point gets a phase's usual deadline whatever the sweep's budget: on a slow
        // machine (7 readers in an emulator) starting the threads alone outlasted the gate's 45 ms.
        hardMs: Math.max(1, best ? Math.min(each * 2 + 1000, left()) : each * 2 + 1000),
      });
      if (r.status === 'cancelled') return null;
      // A point stopped by the sweep's own deadline ends the sweep; the best point so far stands.
      if (r.status === 'timeout' && best) break sweep;
      // Not even one point in time: no calibration, and the run says so (every verdict inconclusive).
      if (r.status === 'timeout') return null;
      if (r.status !== 'ok') throw new Error(`calibration phase failed: ${r.status} ${r.what}`);
      const wps = witnessesPerSec(r);
      sweep.push({ stuffLines: k, offsetNs: off, witnessesPerSec: Math.round(wps), relaxation: relaxation(r) });
      if (!best || wps > best.wps) best = { r, k, off, wps };
    }
  }
  const rd = best!.r.readers;
  const spinP50 = Math.max(...rd.map((x) => x.spinStepP50Ns));
  const spinTail = Math.max(...rd.map((x) => x.spinStepP9999Ns));
  const trialP50 = Math.max(...rd.map((x) => x.trialStepP50Ns));
  return {
    timebase,
    skew,
    stuffLines: best!.k,
    offsetNs: best!.off,
    jitterNs,
    leadNs,
    // A reader's step that takes far longer than its normal loop means it was not executing. The
    // floors keep a very fast loop from calling cache misses interruptions; the ceilings keep an
    // interrupt (a few microseconds) from hiding under the threshold.
    gapThresholdNs: {
      spin: clamp(Math.max(8 * spinP50, 2 * spinTail), 500, 5000),
      trial: clamp(Math.max(4 * trialP50, trialP50 + 1000), 1000, 10000),
    },
    sweep,
    elapsedMs: performance.now() - t0,
  };
}
