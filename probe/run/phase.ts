// One phase: a strategy or control run in the SB harness with mechanism evidence, turned into the
// StrategyEvidence record of the report, with /proc/interrupts read around it.
import type {
  Calibration,
  ExperimentPlan,
  FlushEvidence,
  Histogram,
  StrategyDescriptor,
  StrategyEvidence,
} from '../records.js';
import type { NativeEngine, NativeLatency, PhaseResult } from '../native.js';
import { errnoName, membarrierErrnoMeaning } from '../errno.js';
import { irqPerCall, snapshot } from './interrupts.js';
import { classifyFlush, FLUSH_SAMPLES, startSampler } from './flush.js';

export interface PhaseRequest {
  key: string;
  descriptor: StrategyDescriptor;
  budgetMs: number;
  readers?: number[];
  delayNs?: number;
  writerDelayNs?: number;
  /**
   * Stop after this many calls, whichever comes first with the budget (the gate's: run/gate.ts); default MAX_TRIALS.
   */
  maxTrials?: number;
  /** The watchdog; default budget x 2 + 2 s. The run lowers it so a late phase still ends by --duration's limit. */
  hardMs?: number;
}

// Enough for a tight 95% bound on any rate, and it bounds a phase's memory (12 B per call window).
const MAX_TRIALS = 500_000;

const share = (n: number, d: number) => (d > 0 ? n / d : null);
const sumHist = (hs: Histogram[]): Histogram =>
  hs.reduce(
    (a, h) => ({ '00': a['00'] + h['00'], '01': a['01'] + h['01'], '10': a['10'] + h['10'], '11': a['11'] + h['11'] }),
    { '00': 0, '01': 0, '10': 0, '11': 0 },
  );
const lat = (l: NativeLatency | undefined) => l ?? { p50: 0, p90: 0, p99: 0, max: 0, calls: 0 };

export async function runPhase(
  engine: NativeEngine,
  plan: ExperimentPlan,
  cal: Calibration,
  req: PhaseRequest,
): Promise<StrategyEvidence> {
  const readers = req.readers ?? plan.readerCpus;
  // A page-table strategy's flushes are judged per window (run/flush.ts): /proc/interrupts is read
  // several times while the engine runs on its own threads.
  const sampler = req.descriptor.caps?.family === 'page-table' ? startSampler(req.budgetMs / FLUSH_SAMPLES) : null;
  const before = sampler ? sampler.samples[0]!.snap : snapshot();
  const r = await engine.runPhase({
    strategy: req.descriptor.id,
    writerCpu: plan.writerCpu,
    readerCpus: readers,
    stuffLines: cal.stuffLines,
    offsetNs: cal.offsetNs,
    jitterNs: cal.jitterNs,
    leadNs: cal.leadNs,
    delayNs: req.delayNs,
    writerDelayNs: req.writerDelayNs,
    budgetMs: req.budgetMs,
    hardMs: req.hardMs ?? req.budgetMs * 2 + 2000,
    maxTrials: Math.min(req.maxTrials ?? MAX_TRIALS, MAX_TRIALS),
    gapSpinNs: cal.gapThresholdNs.spin,
    gapTrialNs: cal.gapThresholdNs.trial,
    marginNs: cal.skew ? Math.abs(cal.skew.offsetNs) + cal.skew.uncertaintyNs : 0,
    seed: plan.seed,
  });
  sampler?.stop();
  const after = snapshot();
  const m = r.mechanism;
  let flush: FlushEvidence | undefined;
  if (sampler && m) {
    sampler.samples.push({ atMs: performance.now(), snap: after });
    const onCpuCalls = r.readers.map((x) => x.onCpuCalls ?? 0);
    const { calls, descheduledCalls } = m;
    flush = classifyFlush({ samples: sampler.samples, readers, onCpuCalls, calls, descheduledCalls });
  }
  const irq = irqPerCall(before, after, readers, m?.calls ?? 0);
  return toEvidence(req, r, irq, before !== null && after !== null, flush);
}

export function toEvidence(
  req: PhaseRequest,
  r: PhaseResult,
  irq: Record<string, number> | null,
  irqReadable: boolean,
  flush?: FlushEvidence,
): StrategyEvidence {
  const d = req.descriptor;
  const failed = r.status === 'unavailable' || r.status === 'error' || r.status === 'pin-failed';
  const hist = sumHist(r.readers.map((x) => x.histogram));
  const m = r.mechanism;
  const seconds = r.elapsedNs / 1e9;
  return {
    id: req.key,
    strategy: d.id,
    delayNs: req.delayNs ?? req.writerDelayNs ?? null,
    available: r.status !== 'unavailable',
    status: r.status,
    error:
      failed && r.errno
        ? { errno: r.errno, code: errnoName(r.errno), meaning: membarrierErrnoMeaning(r.errno), what: r.what }
        : failed
          ? { errno: 0, code: r.status, meaning: r.what, what: r.what }
          : null,
    notes: r.notes,
    calls: d.calls,
    readerSide: d.readerSide,
    remoteInterruption: d.remoteInterruption,
    elapsedMs: r.elapsedNs / 1e6,
    latencyNs: r.latency ? { ...lat(r.latency), onCpu: lat(r.latencyOnCpu) } : null,
    sb: {
      // Observed outcomes (reader x trial), not the writer's count: a trial a reader missed says nothing.
      trials: hist['00'] + hist['01'] + hist['10'] + hist['11'],
      writerTrials: r.trials,
      violations: hist['00'],
      histogram: hist,
      perReader: r.readers.map((x) => ({ cpu: x.cpu, histogram: x.histogram, missed: x.missed })),
    },
    mechanism: m
      ? {
          interruptedShare: share(m.allInterruptedCalls, m.onCpuCalls),
          rawInterruptedShare: share(m.rawAllInterruptedCalls, m.calls),
          onCpuCalls: m.onCpuCalls,
          descheduledCalls: m.descheduledCalls,
          unobservedCalls: m.unobservedCalls ?? 0,
          perReader: r.readers.map((x) => ({
            cpu: x.cpu,
            interruptedShare: share(x.interruptedCalls ?? 0, x.onCpuCalls ?? 0),
            rawInterruptedShare: share(x.rawInterruptedCalls ?? 0, m.calls),
            onCpuCalls: x.onCpuCalls ?? 0,
            medianInterruptionNs: x.medianInterruptionNs ?? 0,
            gaps: x.gaps ?? 0,
            descheduledGaps: x.descheduledGaps ?? 0,
          })),
          irqPerCall: irq,
          irqSource: irqReadable ? '/proc/interrupts' : '/proc/interrupts not readable: gap test only',
          irqReadable,
          ...(flush ? { flush } : {}),
        }
      : null,
    rates: {
      trialsPerSec: seconds > 0 ? r.trials / seconds : 0,
      callsPerSec: seconds > 0 ? (m?.calls ?? r.trials) / seconds : 0,
    },
  };
}
