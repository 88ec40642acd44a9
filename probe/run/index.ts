// run: carries out the plan's phase list on the native engine and returns the raw evidence:
// registration cost, calibration, the controls, every strategy, delay-matched controls at each
// strategy's median, the detection horizon, latency scaling over reader counts, the read-side
// cost and contention. Every phase comes from plan.phases, in order, so the progress total and
// the report's phase list are the plan's; a phase that cannot run (an earlier one failed, the
// run is late, Ctrl-C) is recorded as skipped with the reason. Node's loop stays free, progress
// is reported after each phase, and an AbortSignal stops the run at the next deadline check.
import type {
  Calibration,
  MachineFacts,
  PhaseOutcome,
  PhasePlan,
  PhaseSkip,
  RunEvidence,
  RunReport,
  StrategyDescriptor,
  StrategyEvidence,
} from '../records.js';
import { SCHEMA_VERSION } from '../records.js';
import { inspect } from '../inspect/index.js';
import { buildPlan, type PlanOptions } from '../plan/index.js';
import { FINISH_RESERVE_MS, READER_COST_ITERATIONS } from '../plan/phases.js';
import { TOOL } from '../version.js';
import { calibrate, FULL_GRID, QUICK_GRID } from './calibrate.js';
import { requireEngine } from './engine.js';
import { summariseHorizon } from './horizon.js';
import { runPhase } from './phase.js';
import { tlbWarmUp } from './tlb-warmup.js';
import { contentionPoint, measureRegistration } from './field.js';
import { withCaps } from '../catalogue.js';
import { GATE_CALLS, secondPassCalls, shortOfCalls } from './gate.js';
import { orderSensitiveStrategy, sampleRegistrationOrder } from './registration-order.js';
import { finding } from '../codes.js';
import { calibrationNotes, dependency, emptyEvidence, finishEvidence, LATE_SLACK, secs } from './evidence.js';

export { LATE_SLACK } from './evidence.js';

export interface Progress {
  phase: string;
  index: number;
  total: number;
  elapsedMs: number;
}

export interface RunOptions extends Omit<PlanOptions, 'spentMs'> {
  facts?: MachineFacts;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

/**
 * Calibration may take this much more than its planned cost before its sweep stops (seen: 3x under load 7 on 2 vCPUs).
 */
export const CALIBRATION_OVERRUN = 1.25;

const ms = (ns: number) => `${(ns / 1e6).toFixed(1)} ms`;
/** The engine's limits (native/engine/options.cc): delay-matched's spin and the horizon's writer delay. */
const MAX_DELAY_NS = 1e8;
const MAX_WRITER_DELAY_NS = 1e9;

export async function runProbe(opts: RunOptions = {}): Promise<RunReport> {
  // --duration counts from here: inspect is part of the run the user waits for.
  const t0 = performance.now();
  const now = () => performance.now() - t0;
  const quick = opts.profile === 'check';
  // The gate takes no field sample (~70 ms of two busy CPUs): its verdicts come from its own
  // phases, and it shows none.
  const facts = opts.facts ?? (await inspect(undefined, quick ? { field: false } : {}));
  const engine = requireEngine();
  // The engine's own list, caps filled in from the copy where an older addon lacks them; saved with
  // the results so that a report is re-judged later by the capabilities it ran with.
  const catalogue: StrategyDescriptor[] = withCaps(engine.strategies());
  const byId = new Map(catalogue.map((s) => [s.id, s]));
  const plan = buildPlan(facts, catalogue, { ...opts, spentMs: now() });
  const results = { ...emptyEvidence(plan.readerCpus, plan.writerCpu), catalogue };
  const report: RunReport = {
    schemaVersion: SCHEMA_VERSION,
    kind: 'run',
    tool: { ...TOOL },
    generatedAt: new Date().toISOString(),
    system: facts,
    plan,
    results,
  };
  if (plan.blocked) {
    results.notes.push(finding('run-blocked', plan.blocked));
    return report;
  }
  const phases = plan.phases ?? [];
  if (plan.phaseBudget?.overBudget) results.notes.push(finding('over-budget', plan.phaseBudget.overBudget));
  // The final guard. The gate has no --duration: each of its phases is bounded by its own deadline.
  const limitMs = quick ? Infinity : plan.durationMs * (1 + LATE_SLACK) - FINISH_RESERVE_MS;
  const outcomes: PhaseOutcome[] = results.phases!;
  let index = 0;
  const step = (key: string) =>
    opts.onProgress?.({ phase: key, index: ++index, total: phases.length, elapsedMs: now() });
  const skipped = (p: PhasePlan, skip: PhaseSkip) => {
    outcomes.push({
      key: p.key,
      kind: p.kind,
      status: 'skipped',
      skip,
      budgetMs: p.budgetMs,
      startMs: Math.round(now()),
      elapsedMs: 0,
    });
    step(p.key);
  };
  const onAbort = () => engine.cancel();
  opts.signal?.addEventListener('abort', onAbort);
  const stopped = () => opts.signal?.aborted === true;
  const onlineBefore = facts.cpus.onlineList.join(',');
  let cal: Calibration | null = null;
  let late = 0;
  const points: NonNullable<RunEvidence['horizon']>['points'] = [];
  const scaled = new Map<string, StrategyEvidence>();
  const failedContention = new Set<string>();
  try {
    for (const p of phases) {
      if (p.skip) {
        skipped(p, p.skip);
        continue;
      }
      if (stopped()) {
        skipped(p, { code: 'stopped', reason: 'not run: the run was interrupted' });
        continue;
      }
      if (!cal && p.kind !== 'registration' && p.kind !== 'registration-order' && p.kind !== 'calibration') {
        skipped(p, { code: 'stopped', reason: 'not run: calibration did not finish' });
        continue;
      }
      const dep = dependency(p, results);
      if (dep) {
        skipped(p, dep);
        continue;
      }
      if (p.kind === 'contention' && failedContention.has(p.strategy!)) {
        skipped(p, { code: 'depends', reason: `not run: contention of ${p.strategy} failed with fewer writers` });
        continue;
      }
      const startMs = now();
      if (startMs + p.costMs > limitMs) {
        late++;
        skipped(p, {
          code: 'late',
          reason:
            `skipped: the run was running late (${secs(startMs)} used of --duration ${secs(plan.durationMs)} ` +
            `+ ${LATE_SLACK * 100}%)`,
        });
        continue;
      }
      // A phase that overruns its estimate still ends by the limit (as a timeout).
      const hardMs = Math.max(1, Math.min(p.budgetMs * 2 + 2000, limitMs - startMs));
      // The gate's SB phases stop at a number of calls (run/gate.ts), horizon points excepted: their
      // budget is short already and they count witnesses, not calls.
      const maxTrials = quick && p.kind !== 'horizon' ? GATE_CALLS : undefined;
      const sb = (extra: { delayNs?: number; writerDelayNs?: number; readers?: number[]; maxTrials?: number } = {}) =>
        runPhase(engine, plan, cal!, {
          key: p.key,
          descriptor: byId.get(p.strategy!)!,
          budgetMs: p.budgetMs,
          hardMs,
          maxTrials,
          ...extra,
        });
      const median = p.delayFrom ? results.strategies[p.delayFrom]!.latencyNs!.p50 : 0;
      switch (p.kind) {
        case 'registration':
          // Before every other phase: each membarrier phase registers this process.
          results.registrationCost = measureRegistration();
          break;
        case 'registration-order': {
          // In forked children, so it may run before this process registers anything, or after.
          const strategy = orderSensitiveStrategy(plan, catalogue);
          const r = strategy ? sampleRegistrationOrder(plan, strategy, p.budgetMs) : { evidence: null, note: null };
          results.registrationOrder = r.evidence;
          if (r.note) results.notes.push(r.note);
          break;
        }
        case 'calibration': {
          // The sweep can stop early at no cost to soundness (it keeps its best point so far), so
          // a loaded machine gets a shorter sweep rather than the phases after it skipped.
          const grid = quick ? QUICK_GRID : FULL_GRID;
          results.calibration = cal = await calibrate(
            engine,
            plan,
            p.budgetMs,
            grid,
            Math.min(hardMs, p.costMs * CALIBRATION_OVERRUN),
          );
          calibrationNotes(results, cal, grid.stuffLines.length * grid.offsetsNs.length, stopped());
          break;
        }
        case 'control':
          results.controls[p.key] = await sb();
          break;
        case 'strategy': {
          let e = await sb();
          // Too few on-CPU calls and nothing against it: measured again at the share it saw, with
          // the phase's whole budget (a loaded machine gets the time a timed phase had); the second
          // pass is judged alone (run/gate.ts says why only then).
          if (quick && shortOfCalls(e)) {
            const calls = secondPassCalls(e);
            results.notes.push(
              finding(
                'calls-remeasured',
                `${p.key}: ${e.mechanism!.onCpuCalls} on-CPU calls of ${e.sb.writerTrials} were too few to bound ` +
                  `the miss rate; measured again with up to ${calls} calls`,
              ),
            );
            e = await sb({ maxTrials: calls });
          }
          results.strategies[p.key] = e;
          break;
        }
        case 'delay-matched': {
          // The engine spins at most MAX_DELAY_NS per call; a slower barrier (membarrier-global
          // under an emulator takes over 100 ms) is matched up to that, and the report says so.
          const delayNs = Math.min(median, MAX_DELAY_NS);
          if (delayNs < median) {
            results.notes.push(
              finding(
                'delay-capped',
                `${p.key}: spun ${ms(delayNs)} per call, the engine's limit, not the ${ms(median)} median it matches`,
              ),
            );
          }
          results.controls[p.key] = await sb({ delayNs });
          break;
        }
        case 'horizon': {
          const d = Math.min(p.writerDelayNs ?? Math.round(median), MAX_WRITER_DELAY_NS);
          if (points.some((x) => x.delayNs === d)) {
            skipped(p, { code: 'duplicate', reason: `not run: a horizon point at ${d} ns was already measured` });
            continue;
          }
          const { sb: h } = await sb({ writerDelayNs: d });
          points.push({
            delayNs: d,
            trials: h.trials,
            violations: h.violations,
            rate: h.trials ? h.violations / h.trials : 0,
          });
          results.horizon = summariseHorizon([...points].sort((a, b) => a.delayNs - b.delayNs));
          break;
        }
        case 'scaling':
          scaled.set(p.key, await sb({ readers: plan.readerCpus.slice(0, p.readers) }));
          break;
        case 'tlb-warm-up':
          results.tlbWarmup = await tlbWarmUp(engine, plan, cal!, p, byId.get(p.strategy!)!, hardMs);
          break;
        case 'reader-cost': {
          const rc = await engine.readerCost(plan.readerCpus[0]!, READER_COST_ITERATIONS);
          if (!rc.errno) results.readerCost = { compilerBarrierNs: rc.compilerBarrierNs, fullFenceNs: rc.fullFenceNs };
          break;
        }
        case 'contention': {
          const r = await contentionPoint(engine, plan.readerCpus, p, hardMs);
          if (r.note) results.notes.push(r.note);
          if (r.failed) failedContention.add(p.strategy!);
          if (r.point) ((results.contention ??= {})[p.strategy!] ??= []).push(r.point);
          break;
        }
      }
      outcomes.push({
        key: p.key,
        kind: p.kind,
        status: 'ran',
        budgetMs: p.budgetMs,
        startMs: Math.round(startMs),
        elapsedMs: Math.round(now() - startMs),
      });
      step(p.key);
    }
  } finally {
    // The stuffing buffer kept between phases (16 MiB) goes back to the kernel with the run.
    engine.releaseBuffers();
    opts.signal?.removeEventListener('abort', onAbort);
    results.cancelled = stopped();
    results.elapsedMs = now();
  }
  await finishEvidence(results, plan, late, scaled, onlineBefore);
  return report;
}
