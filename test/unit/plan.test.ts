// Reader placement and plan validation. Topologies come from a real capture where one exists
// (the i7-8650U laptop's cpuinfo, test/fixtures/bare-metal-laptop-i7-8650u-smt, node_exporter's
// fixture) and are built by hand, labelled, for shapes no capture covers (two packages).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CpuTopologyEntry, MachineFacts, StrategyDescriptor } from '../../probe/records.js';
import { parseCpuinfo } from '../../probe/inspect/cpuinfo.js';
import { parseTopology } from '../../probe/inspect/topology.js';
import { chooseCpus } from '../../probe/plan/readers.js';
import { buildPlan } from '../../probe/plan/index.js';
import { horizonDelays, summariseHorizon, detectionRateAt } from '../../probe/run/horizon.js';
import { localFixture } from './fixtures.js';

const laptop = parseTopology([0, 1, 2, 3, 4, 5, 6, 7], new Map(), parseCpuinfo(localFixture('bare-metal-laptop-i7-8650u-smt', 'cpuinfo')));

test('SMT laptop: readers take the other physical cores before any SMT sibling', () => {
  const p = chooseCpus([0, 1, 2, 3, 4, 5, 6, 7], laptop, null);
  assert.is(p.writer, 0);
  assert.equal(p.readers.slice(0, 3), [1, 2, 3]);
  assert.equal(p.readers.slice(3).sort(), [4, 5, 6, 7]);
  assert.ok(p.order.some((o) => /SMT sibling/.test(o)));
  assert.equal(chooseCpus([0, 1, 2, 3, 4, 5, 6, 7], laptop, 2).readers, [1, 2]);
});

// Hand-made: 2 packages x 2 cores x 2 threads, one LLC per package.
const twoSockets: CpuTopologyEntry[] = [0, 1, 2, 3, 4, 5, 6, 7].map((cpu) => ({
  cpu, package: cpu < 4 ? 0 : 1, die: 0, cluster: null, core: cpu % 2, threadSiblings: [], llcShared: cpu < 4 ? [0, 1, 2, 3] : [4, 5, 6, 7], llcLevel: 3,
}));

test('two packages: the first reader goes to the other package and LLC', () => {
  const p = chooseCpus([0, 1, 2, 3, 4, 5, 6, 7], twoSockets, 3);
  assert.is(p.readers[0], 4);
  assert.equal(p.readers, [4, 1, 5]);
});

test('one usable CPU: no reader', () => {
  assert.equal(chooseCpus([3], laptop, null).readers, []);
});

const catalogue: StrategyDescriptor[] = [
  { id: 'membarrier-private-expedited', control: false, readerSide: 'compiler-barrier', remoteInterruption: true, calls: '' },
  { id: 'mprotect', control: false, readerSide: 'compiler-barrier', remoteInterruption: true, calls: '' },
  { id: 'none', control: true, readerSide: 'compiler-barrier', remoteInterruption: false, calls: '' },
];
const facts = (allowed: number[]) => ({
  cpus: { allowed, onlineList: [0, 1, 2, 3, 4, 5, 6, 7], topology: laptop },
  timebase: { source: 'tsc' },
}) as unknown as MachineFacts;

test('buildPlan: defaults, and a blocked plan on one CPU', () => {
  const p = buildPlan(facts([0, 1, 2, 3]), catalogue, { seed: 5 });
  assert.equal(p.strategies, ['membarrier-private-expedited', 'mprotect']);
  assert.equal(p.readerCpus, [1, 2, 3]);
  assert.equal(p.scalingReaders, [1, 2, 3]);
  assert.is(p.blocked, null);
  assert.is(p.timebase, 'cycles');
  assert.match(buildPlan(facts([2]), catalogue).blocked!, /cannot place a reader on another CPU: only CPU 2/);
});

test('buildPlan refuses unknown strategies, controls as strategies, foreign CPUs and too many readers', () => {
  assert.throws(() => buildPlan(facts([0, 1]), catalogue, { strategies: ['frob'] }), /unknown strategy frob/);
  assert.throws(() => buildPlan(facts([0, 1]), catalogue, { strategies: ['none'] }), /unknown strategy none/);
  assert.throws(() => buildPlan(facts([0, 1]), catalogue, { cpus: [0, 5] }), /CPU 5 is offline or outside this process's CPUs \(0-1\)/);
  assert.throws(() => buildPlan(facts([0, 1]), catalogue, { readers: 2 }), /--readers 2 needs 3 CPUs but only 2 are usable/);
});

test('horizon: delays merged with medians, horizon is the largest detected delay, rate interpolates', () => {
  assert.equal(horizonDelays([0, 100, 200], [150.4, 100, 0]), [0, 100, 150, 200]);
  const h = summariseHorizon([
    { delayNs: 0, trials: 100, violations: 50, rate: 0.5 },
    { delayNs: 100, trials: 100, violations: 10, rate: 0.1 },
    { delayNs: 200, trials: 100, violations: 0, rate: 0 },
  ]);
  assert.is(h.horizonNs, 100);
  assert.is(detectionRateAt(h, 50), 0.3);
  assert.is(detectionRateAt(h, 1e6), 0);
  assert.is(summariseHorizon([{ delayNs: 0, trials: 10, violations: 0, rate: 0 }]).horizonNs, null);
});

test.run();
