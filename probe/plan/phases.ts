// The phase list: every step a run takes, in order, each with its budget (litmus7's fixed
// sections, STYLE.md): registration, calibration, controls, strategies, delay-matched controls,
// horizon points, scaling, reader cost, contention. run executes exactly this list, so the
// progress total, --duration and the report's phase list come from one place. Phases that
// depend on earlier results (a median, a strategy that ran ok) are planned here too, and the run
// either carries them out or records them as skipped with the reason.
// Pure: the arithmetic is unit-tested for 1 to 383 readers.
import type { PhaseBudget, PhasePlan, StrategyDescriptor } from '../records.js';
import { capsOf, CATALOGUE, controlOfKind } from '../catalogue.js';

import {
  CALIBRATION_SHARE,
  CHECK_CALIBRATION_MS,
  CHECK_ORDER_MS,
  CHECK_UNIT_MS,
  CONTENTION_BUDGET_MS,
  EXTRAS_FLOOR,
  FINISH_RESERVE_MS,
  MIN_SWEEP_POINT_MS,
  MIN_UNIT_MS,
  ORDER_MAX_MS,
  ORDER_MIN_MS,
  ORDER_ROUND_MS,
  ORDER_SHARE,
  PER_READER_MS,
  READER_COST_MS,
  REGISTRATION_MS,
  SKEW_MS,
  SWEEP_POINT_FIXED_MS,
  TLB_WARMUP_MS,
  WEIGHT,
  phaseFixedMs,
} from './costs.js';

export * from './costs.js';

/** The registration-order test, planned when a strategy's reach depends on the order (caps), with a reader CPU. */
function orderPhase(i: PhaseInputs, budgetMs: number): Draft[] {
  const sensitive = i.strategies.some((s) => capsOf(i.catalogue ?? CATALOGUE, s)?.registrationOrderSensitive === true);
  if (!sensitive || i.readers < 1) return [];
  return [
    phase('registration-order', 'registration-order', null, 0, 1, { budgetMs, fixedMs: budgetMs + ORDER_ROUND_MS }),
  ];
}

export interface PhaseInputs {
  profile: 'full' | 'check';
  durationMs: number;
  /** Already spent (inspect) when the plan is made: counted against durationMs. */
  spentMs: number;
  readers: number;
  /** Usable CPUs no reader uses, the main writer's first: contention writers take one each. */
  spareCpus: number[];
  strategies: string[];
  controls: string[];
  horizonDelaysNs: number[];
  scalingReaders: number[];
  /** Calibration sweep points (stuffLines x offsets). */
  sweepPoints: number;
  contentionStrategies: string[];
  contentionWriters: number[];
  /** Whose capabilities decide weights and which phases exist (default: probe/catalogue.ts's copy). */
  catalogue?: readonly StrategyDescriptor[];
  /** system.tlb asked for a warm-up: its reader CPUs (3 or more, so 4+ CPUs with the writer); null or absent: none. */
  tlbWarmupReaders?: number[] | null;
}

// Capabilities, not ids, decide: a slow strategy (milliseconds a call) gets a longer phase; the
// engine's positive and delay-matched controls run the horizon and delay-matched phases.
/** The result key of a strategy's delay-matched control (PhasePlan.key): analyse finds it by this. */
export const delayMatchedKey = (strategy: string) => `delay-matched:${strategy}`;

const slow = (i: PhaseInputs, s: string) => capsOf(i.catalogue ?? CATALOGUE, s)?.slow === true;
// A catalogue that lists strategies only (a test's, say) gets the copy's controls.
const controlId = (i: PhaseInputs, kind: 'positive' | 'delay-matched') =>
  controlOfKind(i.catalogue ?? CATALOGUE, kind) ?? controlOfKind(CATALOGUE, kind)!;

/** A phase being planned: its weight (budget = weight x unit) or, for fixed-length phases, its whole cost. */
type Draft = PhasePlan & { weight: number; fixedMs?: number };

function phase(
  key: string,
  kind: PhasePlan['kind'],
  strategy: string | null,
  weight: number,
  readers: number,
  extra: Partial<Draft> = {},
): Draft {
  return { key, kind, strategy, budgetMs: 0, costMs: 0, readers, weight, ...extra };
}

/** The essential phases, in run order, each with its weight (its budget is weight x unit). */
function core(i: PhaseInputs): Draft[] {
  const R = i.readers;
  const out: Draft[] = [];
  for (const c of i.controls) out.push(phase(c, 'control', c, WEIGHT.control, R));
  const delayMatched = controlId(i, 'delay-matched'),
    positive = controlId(i, 'positive');
  const pageTable = (s: string) => capsOf(i.catalogue ?? CATALOGUE, s)?.family === 'page-table';
  const warm = i.tlbWarmupReaders?.length ? i.strategies.find(pageTable) : undefined;
  for (const s of i.strategies) {
    // Right before the first page-table phase, so that nothing else has to run in the regime.
    if (s === warm) {
      const n = i.tlbWarmupReaders!.length;
      const fixedMs = TLB_WARMUP_MS + phaseFixedMs(n);
      const extra = { budgetMs: TLB_WARMUP_MS, fixedMs, readerCpus: i.tlbWarmupReaders! };
      out.push(phase('tlb-warm-up', 'tlb-warm-up', s, 0, n, extra));
    }
    out.push(phase(s, 'strategy', s, slow(i, s) ? WEIGHT.slowStrategy : WEIGHT.strategy, R));
  }
  for (const s of i.strategies)
    out.push(phase(delayMatchedKey(s), 'delay-matched', delayMatched, WEIGHT.delayMatched, R, { delayFrom: s }));
  for (const d of i.horizonDelaysNs)
    out.push(phase(`horizon:${d}`, 'horizon', positive, WEIGHT.horizonPoint, R, { writerDelayNs: d }));
  for (const s of i.strategies)
    out.push(phase(`horizon:median:${s}`, 'horizon', positive, WEIGHT.horizonPoint, R, { delayFrom: s }));
  return out;
}

/** Optional phases in the order they are admitted while time allows. */
function extras(i: PhaseInputs): Draft[] {
  const out: Draft[] = [phase('reader-cost', 'reader-cost', null, 0, 1, { fixedMs: READER_COST_MS })];
  // Only where several writers may call it at once (signals cannot: one global acknowledgement counter).
  const concurrent = (s: string) => capsOf(i.catalogue ?? CATALOGUE, s)?.concurrentWriters !== false;
  for (const s of i.contentionStrategies.filter((x) => i.strategies.includes(x) && concurrent(x))) {
    for (const w of i.contentionWriters) {
      const p = phase(`contention:${s}:${w}`, 'contention', s, 0, i.readers, {
        delayFrom: s,
        writers: w,
        budgetMs: CONTENTION_BUDGET_MS,
        fixedMs: CONTENTION_BUDGET_MS + phaseFixedMs(i.readers + w),
      });
      if (i.spareCpus.length < w) {
        p.skip = {
          code: 'no-cpus',
          reason:
            `contention with ${w} writers not measured: needs ${w} CPUs besides the readers' ` +
            `(${i.spareCpus.length} spare)`,
        };
      } else p.writerCpus = i.spareCpus.slice(0, w);
      out.push(p);
    }
  }
  // The full reader set is each strategy's own phase; smaller sets get a short phase each.
  for (const r of i.scalingReaders.filter((x) => x < i.readers)) {
    for (const s of i.strategies)
      out.push(phase(`scaling:${s}:${r}`, 'scaling', s, WEIGHT.scalingPoint, r, { delayFrom: s }));
  }
  return out;
}

const fixedOf = (p: Draft) => p.fixedMs ?? phaseFixedMs(p.readers);

export interface PhaseListing {
  phases: PhasePlan[];
  budget: PhaseBudget;
}

function finish(list: Draft[], unit: number, budget: Omit<PhaseBudget, 'plannedMs'>): PhaseListing {
  const phases = list.map(({ weight, fixedMs, ...p }) => {
    if (p.skip) return { ...p, budgetMs: 0, costMs: 0 };
    const budgetMs = p.budgetMs || weight * unit;
    // Reader cost and contention carry their whole cost in fixedMs (a fixed budget, or none).
    const costMs = fixedMs !== undefined ? fixedMs : budgetMs + fixedOf({ ...p, weight });
    return { ...p, budgetMs: round(budgetMs), costMs: round(costMs) };
  });
  return { phases, budget: { ...budget, plannedMs: round(phases.reduce((n, p) => n + p.costMs, 0)) } };
}

const round = (v: number) => Math.round(v * 10) / 10;

/** The run's phases with budgets whose estimated costs add up to at most durationMs (less what inspect spent). */
export function planPhases(i: PhaseInputs): PhaseListing {
  const R = i.readers;
  const registration = phase('registration', 'registration', null, 0, 1, { fixedMs: REGISTRATION_MS });
  if (i.profile === 'check') {
    // The gate has no --duration: fixed short phases, no extras; its duration is what they add up to.
    const cal = phase('calibration', 'calibration', null, 0, R, {
      budgetMs: CHECK_CALIBRATION_MS,
      fixedMs: CHECK_CALIBRATION_MS + i.sweepPoints * (SWEEP_POINT_FIXED_MS + PER_READER_MS * R) + SKEW_MS,
    });
    const listed = finish([registration, ...orderPhase(i, CHECK_ORDER_MS), cal, ...core(i)], CHECK_UNIT_MS, {
      durationMs: 0,
      spentMs: i.spentMs,
      unitMs: CHECK_UNIT_MS,
      overBudget: null,
    });
    listed.budget.durationMs = listed.budget.plannedMs;
    return listed;
  }
  // Each sweep point runs at least MIN_SWEEP_POINT_MS, whatever the share comes to.
  const calBudget = Math.max(i.durationMs * CALIBRATION_SHARE, i.sweepPoints * MIN_SWEEP_POINT_MS);
  const cal = phase('calibration', 'calibration', null, 0, R, {
    budgetMs: calBudget,
    fixedMs: calBudget + i.sweepPoints * (SWEEP_POINT_FIXED_MS + PER_READER_MS * R) + SKEW_MS,
  });
  const order = orderPhase(i, Math.min(ORDER_MAX_MS, Math.max(ORDER_MIN_MS, i.durationMs * ORDER_SHARE)));
  const essential = [registration, ...order, cal, ...core(i)];
  const available = i.durationMs - i.spentMs - FINISH_RESERVE_MS;
  // unit = what is left after every fixed cost, shared by weight.
  const unitFor = (list: Draft[]) => {
    const weights = list.reduce((n, p) => n + (p.skip ? 0 : p.weight), 0);
    const fixed = list.reduce((n, p) => n + (p.skip ? 0 : fixedOf(p)), 0);
    return weights > 0 ? (available - fixed) / weights : 0;
  };
  const alone = unitFor(essential);
  const floor = Math.max(MIN_UNIT_MS, EXTRAS_FLOOR * alone);
  const more = extras(i);
  let admitted = 0;
  for (; admitted < more.length; admitted++) {
    const p = more[admitted]!;
    if (p.skip) continue;
    if (unitFor([...essential, ...more.slice(0, admitted + 1)]) < floor) break;
  }
  const secs = (ms: number) => `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;
  for (const p of more.slice(admitted)) {
    p.skip ??= {
      code: 'no-time',
      reason:
        `not run: no time left within --duration ${secs(i.durationMs)} with ${R} reader${R === 1 ? '' : 's'} ` +
        `once the essential phases have theirs`,
    };
  }
  const list = [...essential, ...more];
  const unit = unitFor(list);
  // Too short for the essential phases: they get a token budget and the run's guard skips the
  // last ones rather than run past --duration.
  const overBudget =
    alone < MIN_UNIT_MS
      ? `--duration ${secs(i.durationMs)} is short for ${R} reader${R === 1 ? '' : 's'}: each control ` +
        `gets ${Math.max(0, Math.round(alone))} ms, under the ${MIN_UNIT_MS} ms that judging needs; the last ` +
        `phases may be skipped`
      : null;
  return finish(list, Math.max(unit, 5), {
    durationMs: i.durationMs,
    spentMs: i.spentMs,
    unitMs: round(Math.max(unit, 5)),
    overBudget,
  });
}
