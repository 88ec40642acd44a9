// run: carries out an ExperimentPlan on the native engine and returns the raw evidence:
// calibration, the controls, every strategy, delay-matched controls at each strategy's median,
// the detection horizon, latency scaling over reader counts, and the read-side cost.
// Phases run one at a time on the engine's pinned threads; Node's loop stays free, progress is
// reported after each phase, and an AbortSignal stops the run at the next deadline check.
import type { ExperimentPlan, MachineFacts, RunEvidence, RunReport, StrategyDescriptor } from '../records.js';
import { SCHEMA_VERSION } from '../records.js';
import { inspect } from '../inspect/index.js';
import { parseCpuList } from '../inspect/cpulist.js';
import { readText } from '../inspect/read.js';
import { buildPlan, type PlanOptions } from '../plan/index.js';
import { TOOL } from '../version.js';
import { calibrate, FULL_GRID, QUICK_GRID } from './calibrate.js';
import { requireEngine } from './engine.js';
import { horizonDelays, summariseHorizon } from './horizon.js';
import { runPhase } from './phase.js';
import { CONTENTION_STRATEGIES, measureContention, measureRegistration } from './field.js';

export interface Progress {
  phase: string;
  index: number;
  total: number;
  elapsedMs: number;
}

export interface RunOptions extends PlanOptions {
  facts?: MachineFacts;
  /** 'check': the install-time gate's short run (two controls, short phases, no scaling). */
  profile?: 'full' | 'check';
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

// Relative phase lengths; calibration takes a fixed share of the whole run.
const WEIGHT = { control: 1, strategy: 1.5, slowStrategy: 2, delayMatched: 0.6, horizonPoint: 0.25 };
const CALIBRATION_SHARE = 0.07;
/** The gate's phases (ms): enough on-CPU calls of a ~15 us barrier to bound a 1% miss rate many times over. */
const CHECK_BUDGET = { calibration: 80, unit: 80 };
const CHECK_CONTROLS = ['none', 'null-syscall'];

function budgets(plan: ExperimentPlan) {
  const n = plan.strategies.length;
  const points = plan.horizonDelaysNs.length + n;
  const units = plan.controls.length * WEIGHT.control + n * (WEIGHT.strategy + WEIGHT.delayMatched) + points * WEIGHT.horizonPoint +
    (plan.strategies.includes('membarrier-global') ? WEIGHT.slowStrategy - WEIGHT.strategy : 0);
  const unit = (plan.durationMs * (1 - CALIBRATION_SHARE) - 100) / units;
  return { calibration: plan.durationMs * CALIBRATION_SHARE, unit };
}

function emptyEvidence(plan: ExperimentPlan): RunEvidence {
  return {
    cpus: { writer: plan.writerCpu, readers: plan.readerCpus }, calibration: null, strategies: {}, controls: {},
    horizon: null, scaling: {}, readerCost: null, cancelled: false, elapsedMs: 0, notes: [],
  };
}

export async function runProbe(opts: RunOptions = {}): Promise<RunReport> {
  const facts = opts.facts ?? (await inspect());
  const engine = requireEngine();
  const catalogue: StrategyDescriptor[] = engine.strategies();
  const byId = new Map(catalogue.map((s) => [s.id, s]));
  const quick = opts.profile === 'check';
  const built = buildPlan(facts, catalogue, opts);
  const plan = quick ? { ...built, controls: CHECK_CONTROLS, horizonDelaysNs: [0], scalingReaders: [] } : built;
  const results = emptyEvidence(plan);
  const report: RunReport = {
    schemaVersion: SCHEMA_VERSION, kind: 'run', tool: { ...TOOL }, generatedAt: new Date().toISOString(), system: facts, plan, results,
  };
  if (plan.blocked) {
    results.notes.push(plan.blocked);
    return report;
  }
  const t0 = performance.now();
  const b = quick ? CHECK_BUDGET : budgets(plan);
  const contended = quick ? [] : CONTENTION_STRATEGIES.filter((s) => plan.strategies.includes(s));
  const total = 1 + plan.controls.length + plan.strategies.length * 2 + plan.horizonDelaysNs.length + plan.strategies.length + 1 + contended.length;
  let index = 0;
  const step = (phase: string) => opts.onProgress?.({ phase, index: ++index, total, elapsedMs: performance.now() - t0 });
  const onAbort = () => engine.cancel();
  opts.signal?.addEventListener('abort', onAbort);
  const stopped = () => opts.signal?.aborted === true;
  const onlineBefore = facts.cpus.onlineList.join(',');
  try {
    // Before calibration and every phase: each membarrier phase registers this process.
    results.registrationCost = measureRegistration();
    const cal = await calibrate(engine, plan, b.calibration, quick ? QUICK_GRID : FULL_GRID);
    results.calibration = cal;
    step('calibrate');
    if (!cal) return report;
    const phase = async (key: string, strategy: string, budgetMs: number, extra: { delayNs?: number; writerDelayNs?: number; readers?: number[] } = {}) => {
      const ev = await runPhase(engine, plan, cal, { key, descriptor: byId.get(strategy)!, budgetMs, ...extra });
      step(key);
      return ev;
    };
    for (const c of plan.controls) {
      if (stopped()) break;
      results.controls[c] = await phase(c, c, b.unit * WEIGHT.control);
    }
    for (const s of plan.strategies) {
      if (stopped()) break;
      results.strategies[s] = await phase(s, s, b.unit * (s === 'membarrier-global' ? WEIGHT.slowStrategy : WEIGHT.strategy));
    }
    const ran = Object.values(results.strategies).filter((e) => e.status === 'ok' && e.latencyNs);
    for (const e of ran) {
      if (stopped()) break;
      const key = `delay-matched:${e.strategy}`;
      results.controls[key] = await phase(key, 'delay-matched', b.unit * WEIGHT.delayMatched, { delayNs: e.latencyNs!.p50 });
    }
    const points: NonNullable<RunEvidence['horizon']>['points'] = [];
    for (const d of horizonDelays(plan.horizonDelaysNs, ran.map((e) => e.latencyNs!.p50))) {
      if (stopped()) break;
      const { sb } = await phase(`horizon:${d}`, 'none', b.unit * WEIGHT.horizonPoint, { writerDelayNs: d });
      points.push({ delayNs: d, trials: sb.trials, violations: sb.violations, rate: sb.trials ? sb.violations / sb.trials : 0 });
    }
    results.horizon = summariseHorizon(points);
    for (const e of ran) {
      results.scaling[e.strategy] = [];
      for (const r of plan.scalingReaders) {
        if (stopped()) break;
        // The full reader set is the strategy's own phase; smaller sets get a short run each.
        const ev = r === plan.readerCpus.length ? e
          : await phase(`scaling:${e.strategy}:${r}`, e.strategy, b.unit * WEIGHT.horizonPoint, { readers: plan.readerCpus.slice(0, r) });
        if (ev.latencyNs) results.scaling[e.strategy].push({ readers: r, latencyNs: ev.latencyNs });
      }
    }
    if (!stopped() && !quick) {
      const rc = await engine.readerCost(plan.readerCpus[0], 2e6);
      if (!rc.errno) results.readerCost = { compilerBarrierNs: rc.compilerBarrierNs, fullFenceNs: rc.fullFenceNs };
      step('reader-cost');
    }
    const ok = contended.filter((id) => results.strategies[id]?.status === 'ok');
    if (ok.length) results.contention = await measureContention(engine, plan, facts.cpus.allowed, ok, stopped, results.notes, step);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    results.cancelled = stopped();
    results.elapsedMs = performance.now() - t0;
  }
  const now = await readText('/sys/devices/system/cpu/online');
  const onlineAfter = now.ok ? parseCpuList(now.text).join(',') : onlineBefore;
  // Judged in analyse: a CPU that came or went mid-run makes every verdict inconclusive.
  results.onlineCpus = { before: onlineBefore, after: onlineAfter };
  if (results.controls.none?.sb.violations === 0) results.notes.push('the positive control never relaxed: this run could not have seen a broken barrier');
  return report;
}
