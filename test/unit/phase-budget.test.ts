// The plan's phase list and its budget arithmetic (plan/phases.ts), for machines from 2 to 384
// CPUs: every phase of a run (scaling and contention included) is listed with a cost, the costs
// add up to at most --duration, the essential phases keep a budget worth judging, and whatever is
// left out says why. Pure: no engine runs here (test/integration/run-duration.test.ts times a real run).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MachineFacts, PhasePlan, StrategyDescriptor } from '../../probe/records.js';
import { buildPlan, BASE_CONTROLS, HORIZON_DELAYS_NS } from '../../probe/plan/index.js';
import {
  CHECK_ORDER_MS,
  CONTENTION_STRATEGIES,
  CONTENTION_WRITERS,
  FINISH_RESERVE_MS,
  FULL_GRID,
  MIN_UNIT_MS,
  ORDER_MAX_MS,
  ORDER_MIN_MS,
  ORDER_SHARE,
  planPhases,
  WEIGHT,
  type PhaseInputs,
} from '../../probe/plan/phases.js';

const STRATEGIES = [
  'membarrier-private-expedited',
  'membarrier-private-expedited-sync-core',
  'membarrier-global-expedited',
  'membarrier-global',
  'mprotect',
  'madvise-dontneed',
  'signals',
  'symmetric-fence',
];
const ESSENTIAL = new Set([
  'registration',
  'registration-order',
  'calibration',
  'control',
  'strategy',
  'delay-matched',
  'horizon',
]);

/** A machine with R readers and every other CPU but the writer's taken by them (the default placement). */
function inputs(readers: number, durationMs = 15_000, over: Partial<PhaseInputs> = {}): PhaseInputs {
  const scaling: number[] = [];
  for (let r = 1; r < readers; r *= 2) scaling.push(r);
  scaling.push(readers);
  return {
    profile: 'full',
    durationMs,
    spentMs: 300,
    readers,
    spareCpus: [0],
    strategies: STRATEGIES,
    controls: BASE_CONTROLS,
    horizonDelaysNs: HORIZON_DELAYS_NS,
    scalingReaders: scaling,
    sweepPoints: FULL_GRID.stuffLines.length * FULL_GRID.offsetsNs.length,
    contentionStrategies: CONTENTION_STRATEGIES,
    contentionWriters: CONTENTION_WRITERS,
    ...over,
  };
}
const running = (ps: PhasePlan[]) => ps.filter((p) => !p.skip);

for (const readers of [1, 3, 7, 63, 383]) {
  test(
    `${readers} readers, default 15 s: every phase listed, costs within --duration, essential phases ` +
      `judged at length`,
    () => {
      const { phases, budget } = planPhases(inputs(readers));
      assert.is(new Set(phases.map((p) => p.key)).size, phases.length, 'keys are unique');
      // membarrier-global-expedited is registration-order sensitive (caps): its test in fresh children comes first.
      assert.equal(
        phases.slice(0, 3).map((p) => p.kind),
        ['registration', 'registration-order', 'calibration'],
      );
      const sum = running(phases).reduce((n, p) => n + p.costMs, 0);
      assert.ok(Math.abs(sum - budget.plannedMs) < 1, `${sum} vs ${budget.plannedMs}`);
      // Each cost is rounded to 0.1 ms: at most 0.05 ms each over.
      assert.ok(sum <= 15_000 - 300 - FINISH_RESERVE_MS + 0.05 * phases.length, `planned ${sum} ms`);
      assert.is(budget.overBudget, null);
      for (const p of phases.filter((x) => ESSENTIAL.has(x.kind))) {
        assert.not.ok(p.skip, p.key);
        assert.ok(p.costMs > p.budgetMs || p.kind === 'registration', `${p.key}: a phase costs more than its budget`);
      }
      assert.ok(budget.unitMs >= MIN_UNIT_MS * 2, `unit ${budget.unitMs} ms`);
      assert.is(phases.filter((p) => p.kind === 'strategy').length, STRATEGIES.length);
      assert.is(phases.filter((p) => p.kind === 'horizon').length, HORIZON_DELAYS_NS.length + STRATEGIES.length);
      // Each phase that runs, by its own weight: nothing got a zero budget.
      for (const p of running(phases))
        if (p.kind !== 'registration' && p.kind !== 'reader-cost') assert.ok(p.budgetMs > 0, p.key);
      // Scaling: one phase per smaller reader count and strategy, whether run or left out (with the reason).
      const scaling = phases.filter((p) => p.kind === 'scaling');
      assert.is(scaling.length, (inputs(readers).scalingReaders.length - 1) * STRATEGIES.length);
      for (const p of scaling) {
        assert.ok(p.readers < readers && p.delayFrom === p.strategy, p.key);
        if (p.skip) assert.is(p.skip.code, 'no-time', p.key);
      }
      // With every CPU but the writer's given to readers, one contention writer fits (on the writer's CPU).
      for (const p of phases.filter((x) => x.kind === 'contention')) {
        if (p.writers === 1) assert.equal([p.writerCpus, p.skip], [[0], undefined], p.key);
        else
          assert.equal(p.skip, {
            code: 'no-cpus',
            reason:
              `contention with ${p.writers} writers not measured: needs ${p.writers} CPUs besides the readers' ` +
              `(1 spare)`,
          });
      }
    },
  );
}

test('383 readers: the extras that do not fit are left out, cheapest reader counts first kept', () => {
  const { phases } = planPhases(inputs(383));
  const scaling = phases.filter((p) => p.kind === 'scaling');
  assert.ok(
    scaling.some((p) => p.skip?.code === 'no-time') && scaling.some((p) => !p.skip),
    'some scaling runs, some is left out',
  );
  const kept = Math.max(...scaling.filter((p) => !p.skip).map((p) => p.readers));
  assert.ok(
    scaling.filter((p) => p.readers < kept).every((p) => !p.skip),
    'a smaller reader count is never dropped before a larger one',
  );
  assert.match(scaling.find((p) => p.skip)!.skip!.reason, /no time left within --duration 15 s with 383 readers/);
});

test("spare CPUs: W writers get W distinct CPUs, none a reader's", () => {
  const { phases } = planPhases(inputs(3, 15_000, { spareCpus: [0, 4, 5, 6] }));
  for (const w of CONTENTION_WRITERS) {
    const p = phases.find((x) => x.key === `contention:membarrier-private-expedited:${w}`)!;
    assert.is(p.skip, undefined, p.key);
    assert.is(new Set(p.writerCpus).size, w);
  }
});

test('a --duration too short for the essential phases says so; the extras go first', () => {
  const { phases, budget } = planPhases(inputs(383, 1000));
  assert.match(budget.overBudget!, /--duration 1\.0 s is short for 383 readers/);
  assert.ok(
    phases.filter((p) => !ESSENTIAL.has(p.kind)).every((p) => p.skip),
    'no extras',
  );
  assert.ok(
    phases.filter((p) => ESSENTIAL.has(p.kind)).every((p) => !p.skip),
    'the essential phases stay listed: the run guard skips the last',
  );
});

test('the gate: fixed short phases and no extras; its duration is their sum', () => {
  const { phases, budget } = planPhases(
    inputs(1, 15_000, {
      profile: 'check',
      controls: ['none', 'null-syscall'],
      horizonDelaysNs: [0],
      scalingReaders: [],
    }),
  );
  assert.ok(phases.every((p) => ESSENTIAL.has(p.kind)));
  assert.is(budget.durationMs, budget.plannedMs);
  assert.is(phases.find((p) => p.key === 'mprotect')!.budgetMs, 80 * WEIGHT.strategy);
});

test(
  'the registration-order test is planned only for a registration-order-sensitive strategy, within its ' + 'bounds',
  () => {
    const order = (over: Partial<PhaseInputs>) =>
      planPhases(inputs(1, 15_000, over)).phases.filter((p) => p.kind === 'registration-order');
    assert.equal(order({ strategies: ['membarrier-private-expedited', 'mprotect'] }), []);
    const [full] = order({ strategies: ['membarrier-global-expedited'] });
    assert.is(full!.budgetMs, Math.min(ORDER_MAX_MS, Math.max(ORDER_MIN_MS, 15_000 * ORDER_SHARE)));
    assert.ok(full!.costMs > full!.budgetMs, 'a round started at the end still runs');
    const [short] = order({ strategies: ['membarrier-global-expedited'], durationMs: 2000 } as Partial<PhaseInputs>);
    assert.ok(short!.budgetMs >= ORDER_MIN_MS);
    const [gate] = planPhases(
      inputs(1, 15_000, { profile: 'check', strategies: ['membarrier-global-expedited'] }),
    ).phases.filter((p) => p.kind === 'registration-order');
    assert.is(gate!.budgetMs, CHECK_ORDER_MS);
    assert.equal(
      order({ strategies: ['membarrier-global-expedited'], readers: 0 }),
      [],
      'no reader CPU: nothing to test',
    );
  },
);

const catalogue: StrategyDescriptor[] = [
  {
    id: 'membarrier-private-expedited',
    control: false,
    readerSide: 'compiler-barrier',
    remoteInterruption: true,
    calls: '',
  },
  { id: 'none', control: true, readerSide: 'compiler-barrier', remoteInterruption: false, calls: '' },
];
const twoCpus = {
  cpus: { allowed: [0, 1], onlineList: [0, 1], topology: [] },
  timebase: { source: 'tsc' },
} as unknown as MachineFacts;

test('buildPlan on 2 CPUs: one contention writer on the CPU no reader uses, 2 and 4 not measured', () => {
  const p = buildPlan(twoCpus, catalogue, { seed: 1, durationMs: 4000, spentMs: 200 });
  assert.equal([p.writerCpu, p.readerCpus], [0, [1]]);
  const c = p.phases!.filter((x) => x.kind === 'contention');
  assert.equal(
    c.map((x) => [x.writers, x.writerCpus ?? null, x.skip?.code ?? null]),
    [
      [1, [0], null],
      [2, null, 'no-cpus'],
      [4, null, 'no-cpus'],
    ],
  );
  assert.match(c[1]!.skip!.reason, /needs 2 CPUs besides the readers' \(1 spare\)/);
  assert.is(p.phaseBudget!.spentMs, 200);
  assert.ok(p.phaseBudget!.plannedMs <= 4000 - 200);
  assert.is(
    buildPlan(twoCpus, catalogue, { profile: 'check' }).phases!.some((x) => x.kind === 'contention'),
    false,
  );
});

test.run();
