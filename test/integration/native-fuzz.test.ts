// Fuzzing what JavaScript can hand the addon: random types, NaN, infinities, huge and negative
// numbers, missing and extra fields, throwing getters, proxies, huge arrays. Every case must end
// in a result or a TypeError/RangeError with a clear message: never a crash, a hang, or another
// kind of error. Thousands of option objects are checked without running (checkPhaseOptions
// parses exactly as runPhase does); a few dozen valid ones really run, with small budgets.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadNative } from '../../probe/native.js';
import { PHASE_NUMBER_FIELDS } from '../helpers/hostile-inputs.js';

const n = loadNative();
if (!n.ok) throw new Error(n.reason);
const addon = n.addon;
const engine = addon.engine;
const ids = engine.strategies().map((s) => s.id);

let seed = 12345;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];

const WEIRD: unknown[] = [
  undefined,
  null,
  true,
  false,
  0,
  -0,
  -1,
  1,
  0.5,
  2 ** 31,
  2 ** 53,
  -(2 ** 63),
  1e300,
  -1e300,
  NaN,
  Infinity,
  -Infinity,
  '',
  '0',
  'none',
  'x'.repeat(10000),
  Symbol('s'),
  10n,
  [],
  [1],
  [0, 1],
  {},
  () => 0,
  new Date(0),
  /re/,
  new Array(2000).fill(0),
  { valueOf: () => 5 },
];
const FIELDS = ['strategy', 'writerCpu', 'readerCpus', ...PHASE_NUMBER_FIELDS, 'evidence', 'bogusExtra'];

function randomOptions(): unknown {
  const r = rnd();
  if (r < 0.05) return pick(WEIRD);
  const o: Record<string, unknown> = {
    strategy: rnd() < 0.7 ? pick(ids) : pick(WEIRD),
    readerCpus: rnd() < 0.6 ? [1] : pick(WEIRD),
  };
  for (const f of FIELDS) if (rnd() < 0.3) o[f] = rnd() < 0.5 ? pick(WEIRD) : Math.floor(rnd() * 100);
  if (rnd() < 0.05)
    Object.defineProperty(o, 'budgetMs', {
      get() {
        throw new Error('getter says no');
      },
      enumerable: true,
    });
  if (rnd() < 0.05) return new Proxy(o, {});
  return o;
}

const clear = /runPhase|unknown strategy|must be|getter says no|expects/;

test('5000 random option objects: accepted, or a clear TypeError/RangeError', () => {
  let accepted = 0;
  for (let i = 0; i < 5000; i++) {
    const o = randomOptions();
    try {
      assert.is(engine.checkPhaseOptions(o), true);
      accepted++;
    } catch (err) {
      const e = err as Error;
      assert.ok(e instanceof TypeError || e instanceof RangeError || e.message === 'getter says no', `case ${i}: ${e}`);
      assert.match(e.message, clear, `case ${i}: ${e.message}`);
    }
  }
  assert.ok(accepted > 50, `only ${accepted} accepted: the fuzz would not reach the runs`);
});

test('valid random options really run and finish within their bounds', async () => {
  for (let i = 0; i < 30; i++) {
    const o = {
      strategy: pick(ids),
      writerCpu: 0,
      readerCpus: [1],
      stuffLines: Math.floor(rnd() * 64),
      offsetNs: rnd() * 2000 - 1000,
      jitterNs: rnd() * 500,
      leadNs: rnd() * 3000,
      writerDelayNs: rnd() < 0.3 ? rnd() * 5000 : 0,
      delayNs: rnd() * 20000,
      maxTrials: 1 + Math.floor(rnd() * 5000),
      budgetMs: rnd() * 20,
      hardMs: 2000,
      seed: Math.floor(rnd() * 1e9),
      evidence: rnd() < 0.7,
    };
    const t0 = Date.now();
    const r = await engine.runPhase(o);
    assert.ok(['ok', 'unavailable'].includes(r.status), `${JSON.stringify(o)} → ${r.status} ${r.what}`);
    assert.ok(Date.now() - t0 < 3000, `${o.strategy} took ${Date.now() - t0} ms`);
  }
});

test('the other entry points refuse bad arguments the same way', () => {
  const bad = [undefined, NaN, -1, 1e300, 'x', Symbol('s'), 0.5, {}];
  for (const v of bad) {
    assert.throws(() => engine.measureSkew(v as number, 1), /must be/);
    assert.throws(() => engine.readerCost(1, v as number), /must be/);
    assert.throws(() => addon.probeMembarrierInChild(v as number), /timeoutMs|number/);
  }
  assert.throws(() => (engine.runPhase as (o?: unknown) => unknown)(), /expects a plain object/);
  assert.is(addon.cpuid(NaN, NaN) === null || typeof addon.cpuid(NaN, NaN) === 'object', true);
});

test.run();
