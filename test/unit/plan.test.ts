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
import { localFixture, sysfsDump } from './fixtures.js';
import { lscpuTopology, parseLscpuP } from './lscpu.js';

const laptop = parseTopology(
  [0, 1, 2, 3, 4, 5, 6, 7],
  new Map(),
  parseCpuinfo(localFixture('bare-metal-laptop-i7-8650u-smt', 'cpuinfo')),
);

test(
  'SMT laptop (cpuinfo only, no LLC recorded): the writer sibling is covered, then the other cores, then ' +
    'their siblings',
  () => {
    const p = chooseCpus([0, 1, 2, 3, 4, 5, 6, 7], laptop, null);
    assert.is(p.writer, 0);
    // Without cache files the other cores are "same-package": same-llc and other-llc cannot be told apart.
    assert.equal(p.coverage, [
      { class: 'same-package', cpus: 6, readers: 6, covered: true },
      { class: 'smt-sibling', cpus: 1, readers: 1, covered: true },
    ]);
    assert.equal(p.readers.slice(0, 2), [1, 4]);
    assert.equal(p.readers.slice(2, 4), [2, 3]);
    assert.equal(p.readers.slice(4).sort(), [5, 6, 7]);
    assert.ok(p.order.some((o) => /SMT sibling/.test(o)));
    assert.ok(p.limits.some((l) => /last-level cache of CPU 0-7 is not recorded/.test(l)));
    assert.equal(chooseCpus([0, 1, 2, 3, 4, 5, 6, 7], laptop, 2).readers, [1, 4]);
    // One reader cannot cover both classes: the farther one wins, and the plan says what it lost.
    const one = chooseCpus([0, 1, 2, 3, 4, 5, 6, 7], laptop, 1);
    assert.equal(one.classes, [{ cpu: 1, class: 'same-package' }]);
    assert.equal(one.coverage.find((c) => c.class === 'smt-sibling')?.covered, false);
    assert.ok(one.order.some((o) => /smt-sibling not covered/.test(o)));
  },
);

// Hand-made: 2 packages x 2 cores x 2 threads, one LLC per package.
const twoSockets: CpuTopologyEntry[] = [0, 1, 2, 3, 4, 5, 6, 7].map((cpu) => ({
  cpu,
  package: cpu < 4 ? 0 : 1,
  die: 0,
  cluster: null,
  core: cpu % 2,
  threadSiblings: [],
  llcShared: cpu < 4 ? [0, 1, 2, 3] : [4, 5, 6, 7],
  llcLevel: 3,
}));

test('two packages: the first reader goes to the other package, then one per class', () => {
  const p = chooseCpus([0, 1, 2, 3, 4, 5, 6, 7], twoSockets, 3);
  assert.equal(p.readers, [4, 1, 2]);
  assert.equal(
    p.classes.map((c) => c.class),
    ['other-package', 'same-llc', 'smt-sibling'],
  );
});

test('one usable CPU: no reader, no class', () => {
  const p = chooseCpus([3], laptop, null);
  assert.equal(p.readers, []);
  assert.equal(p.coverage, []);
  assert.equal(chooseCpus([3], laptop, 'all').readers, []);
});

// Real topologies: util-linux's lscpu -p of a Dell R710 and an EPYC 7451 (test/fixtures/bare-metal-*,
// each README cites its source), the project's 2-vCPU KVM guest's sysfs (test/fixtures/kvm-intel-xeon-2vcpu-topology).
const r710 = lscpuTopology(localFixture('bare-metal-dell-r710-xeon-2socket-smt', 'lscpu-and-lscpu-p'));
const epycCpus = parseLscpuP(localFixture('bare-metal-amd-epyc-7451-2socket-smt', 'lscpu-and-lscpu-p'));
const epyc = lscpuTopology(localFixture('bare-metal-amd-epyc-7451-2socket-smt', 'lscpu-and-lscpu-p'));
const kvm = parseTopology([0, 1], sysfsDump(localFixture('kvm-intel-xeon-2vcpu-topology', 'sys-cpu-topology')));
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const classOf = (p: { classes: { cpu: number; class: string }[] }) =>
  Object.fromEntries(p.classes.map((c) => [c.cpu, c.class]));

test(
  'Dell R710, 2 sockets x 4 cores x 2 threads (sockets alternate by CPU): every class covered, 8 readers ' +
    'by default',
  () => {
    const p = chooseCpus(range(16), r710, null);
    assert.is(p.writer, 0);
    assert.equal(p.coverage, [
      {
        class: 'other-package',
        cpus: 8,
        readers: p.classes.filter((c) => c.class === 'other-package').length,
        covered: true,
      },
      { class: 'same-llc', cpus: 6, readers: p.classes.filter((c) => c.class === 'same-llc').length, covered: true },
      { class: 'smt-sibling', cpus: 1, readers: 1, covered: true },
    ]);
    assert.is(p.readers.length, 8);
    // One per class first, farthest first: CPU 1 (socket 1), CPU 2 (socket 0, shares the L3), CPU 8 (CPU 0's sibling).
    assert.equal(p.readers.slice(0, 3), [1, 2, 8]);
    assert.equal(classOf(p)[1], 'other-package');
    assert.equal(classOf(p)[2], 'same-llc');
    assert.equal(classOf(p)[8], 'smt-sibling');
    // The rest on cores no reader uses yet: no second SMT sibling while a free core is left.
    const cores = p.readers.map((c) => `${r710[c].package}:${r710[c].core}`);
    assert.is(new Set(cores).size, 8);
    for (const c of p.classes)
      assert.is(c.class, c.cpu % 2 === 1 ? 'other-package' : c.cpu === 8 ? 'smt-sibling' : 'same-llc', `CPU ${c.cpu}`);
  },
);

test(
  'AMD EPYC 7451, 2 sockets, 8 LLCs (CCX of 3 cores) per socket: other-llc is its own class; NUMA is not ' + 'claimed',
  () => {
    const p = chooseCpus(range(96), epyc, null);
    assert.equal(
      p.coverage.map((c) => [c.class, c.cpus, c.covered]),
      [
        ['other-package', 48, true],
        ['other-llc', 42, true],
        ['same-llc', 4, true],
        ['smt-sibling', 1, true],
      ],
    );
    assert.equal(p.readers.slice(0, 4), [24, 3, 1, 48]);
    assert.is(p.readers.length, 8);
    const cls = classOf(p);
    for (const cpu of p.readers) {
      const c = epycCpus[cpu],
        w = epycCpus[0];
      const want =
        c.socket !== w.socket
          ? 'other-package'
          : c.core === w.core
            ? 'smt-sibling'
            : c.llc === w.llc
              ? 'same-llc'
              : 'other-llc';
      assert.is(cls[cpu], want, `CPU ${cpu}`);
    }
    // CPU 3 is in the writer's NUMA node, CPU 6 in another; both are other-llc, and the plan says why.
    assert.is(epycCpus[6].node === epycCpus[0].node, false);
    assert.is(chooseCpus(range(96), epyc, 'all').classes.find((c) => c.cpu === 6)?.class, 'other-llc');
    assert.ok(p.limits.some((l) => /NUMA nodes are not in the topology record/.test(l)));
    // --readers all: every usable CPU but the writer's, every class covered.
    const all = chooseCpus(range(96), epyc, 'all');
    assert.is(all.readers.length, 95);
    assert.equal(
      [...all.readers].sort((a, b) => a - b),
      range(96).slice(1),
    );
    assert.equal(
      all.coverage.map((c) => c.readers),
      [48, 42, 4, 1],
    );
    // Siblings summed up in one line, not one line per reader.
    assert.equal(
      all.order.filter((o) => /SMT sibling/.test(o)),
      ['readers on CPU 48-95 share a core with the writer or an earlier reader (SMT sibling)'],
    );
    assert.ok(all.order.length <= 5, all.order.join('\n'));
    // --readers 2: the two farthest classes, and the rest named as not covered.
    const two = chooseCpus(range(96), epyc, 2);
    assert.equal(two.classes, [
      { cpu: 24, class: 'other-package' },
      { cpu: 3, class: 'other-llc' },
    ]);
    assert.ok(two.order.some((o) => /same-llc, smt-sibling not covered/.test(o)));
  },
);

test('2-vCPU KVM guest (real sysfs capture): one reader, same-llc, the only class', () => {
  const p = chooseCpus([0, 1], kvm, null);
  assert.equal(p.readers, [1]);
  assert.equal(p.classes, [{ cpu: 1, class: 'same-llc' }]);
  assert.equal(p.coverage, [{ class: 'same-llc', cpus: 1, readers: 1, covered: true }]);
});

test('a writer given explicitly (--cpus 5,...): classes are relative to it', () => {
  const p = chooseCpus([5, 0, 1, 13], r710, null, 5);
  assert.equal(classOf(p), { 0: 'other-package', 1: 'same-llc', 13: 'smt-sibling' });
});

const catalogue: StrategyDescriptor[] = [
  {
    id: 'membarrier-private-expedited',
    control: false,
    readerSide: 'compiler-barrier',
    remoteInterruption: true,
    calls: '',
  },
  { id: 'mprotect', control: false, readerSide: 'compiler-barrier', remoteInterruption: true, calls: '' },
  { id: 'none', control: true, readerSide: 'compiler-barrier', remoteInterruption: false, calls: '' },
];
const facts = (allowed: number[]) =>
  ({
    cpus: { allowed, onlineList: [0, 1, 2, 3, 4, 5, 6, 7], topology: laptop },
    timebase: { source: 'tsc' },
  }) as unknown as MachineFacts;

test('buildPlan: defaults, and a blocked plan on one CPU', () => {
  const p = buildPlan(facts([0, 1, 2, 3]), catalogue, { seed: 5 });
  assert.equal(p.strategies, ['membarrier-private-expedited', 'mprotect']);
  assert.equal(p.readerCpus, [1, 2, 3]);
  assert.equal(p.readerClasses, [
    { cpu: 1, class: 'same-package' },
    { cpu: 2, class: 'same-package' },
    { cpu: 3, class: 'same-package' },
  ]);
  assert.equal(p.topologyClasses, [{ class: 'same-package', cpus: 3, readers: 3, covered: true }]);
  assert.equal(p.scalingReaders, [1, 2, 3]);
  assert.is(p.blocked, null);
  assert.is(p.timebase, 'cycles');
  assert.match(buildPlan(facts([2]), catalogue).blocked!, /cannot place a reader on another CPU: only CPU 2/);
  assert.match(
    buildPlan(facts([2]), catalogue, { readers: 'all' }).blocked!,
    /cannot place a reader on another CPU: only CPU 2/,
  );
  assert.equal(buildPlan(facts([0, 1, 2, 3]), catalogue, { readers: 'all' }).readerCpus, [1, 2, 3]);
});

test('buildPlan refuses unknown strategies, controls as strategies, foreign CPUs and too many readers', () => {
  assert.throws(() => buildPlan(facts([0, 1]), catalogue, { strategies: ['frob'] }), /unknown strategy frob/);
  assert.throws(() => buildPlan(facts([0, 1]), catalogue, { strategies: ['none'] }), /unknown strategy none/);
  assert.throws(
    () => buildPlan(facts([0, 1]), catalogue, { cpus: [0, 5] }),
    /CPU 5 is offline or outside this process's CPUs \(0-1\)/,
  );
  assert.throws(
    () => buildPlan(facts([0, 1]), catalogue, { readers: 2 }),
    /--readers 2 needs 3 CPUs but only 2 are usable/,
  );
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
