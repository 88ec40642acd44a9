import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseTopology, topologyPaths } from '../../probe/inspect/topology.js';
import { parseCpuinfo } from '../../probe/inspect/cpuinfo.js';
import { localFixture, devFixture, sysfsDump } from './fixtures.js';

test('AMD EPYC KVM guest: sysfs topology dump', () => {
  // fixture: test/fixtures/dev-kvm-amd-epyc-2vcpu (project dev machine, AMD EPYC KVM guest)
  const dump = sysfsDump(devFixture('kvm-amd-epyc-2vcpu', 'sys-cpu-topology'));
  assert.is(dump.get('cpu1/topology/core_id'), '1');
  assert.is(dump.get('cpu0/cache/index3/shared_cpu_list'), '0-1');
  // The capture has L3 sharing but no cache level files, so the level stays unknown.
  assert.equal(parseTopology([0, 1], dump), [
    { cpu: 0, package: 0, die: 0, cluster: 65535, core: 0, threadSiblings: [0], llcShared: [0, 1], llcLevel: null },
    { cpu: 1, package: 0, die: 0, cluster: 65535, core: 1, threadSiblings: [1], llcShared: [0, 1], llcLevel: null },
  ]);
});

test('Intel Xeon KVM guest: sysfs topology dump', () => {
  // fixture: test/fixtures/dev-kvm-intel-xeon-2vcpu (project dev machine, Intel Xeon KVM guest)
  const dump = sysfsDump(devFixture('kvm-intel-xeon-2vcpu', 'sys-cpu-topology'));
  assert.equal(parseTopology([0, 1], dump), [
    { cpu: 0, package: 0, die: 0, cluster: 0, core: 0, threadSiblings: [0], llcShared: [0, 1], llcLevel: null },
    { cpu: 1, package: 0, die: 0, cluster: 1, core: 1, threadSiblings: [1], llcShared: [0, 1], llcLevel: null },
  ]);
});

test('cpuinfo fallback without sysfs: i7-8650U package/core and SMT siblings n, n+4', () => {
  // fixture: test/fixtures/bare-metal-laptop-i7-8650u-smt (prometheus/node_exporter collector/fixtures/proc/cpuinfo)
  const blocks = parseCpuinfo(localFixture('bare-metal-laptop-i7-8650u-smt', 'cpuinfo'));
  const topo = parseTopology([0, 1, 2, 3, 4, 5, 6, 7], new Map(), blocks);
  assert.is(topo.length, 8);
  for (const e of topo) {
    assert.is(e.package, 0, `cpu${e.cpu} package`);
    assert.is(e.core, e.cpu % 4, `cpu${e.cpu} core`);
    assert.equal(e.threadSiblings, [e.cpu % 4, (e.cpu % 4) + 4], `cpu${e.cpu} siblings`);
    assert.is(e.die, null);
    assert.is(e.cluster, null);
    assert.equal(e.llcShared, []);
    assert.is(e.llcLevel, null);
  }
  assert.equal(topo[5], {
    cpu: 5,
    package: 0,
    die: null,
    cluster: null,
    core: 1,
    threadSiblings: [1, 5],
    llcShared: [],
    llcLevel: null,
  });
});

test('no sysfs and no cpuinfo: everything unknown, no siblings invented', () => {
  assert.equal(parseTopology([0, 1], new Map()), [
    { cpu: 0, package: null, die: null, cluster: null, core: null, threadSiblings: [], llcShared: [], llcLevel: null },
    { cpu: 1, package: null, die: null, cluster: null, core: null, threadSiblings: [], llcShared: [], llcLevel: null },
  ]);
});

test('LLC choice with level/type files: highest data/unified level, instruction caches ignored', () => {
  // Hand-made dump in the layout of /sys/devices/system/cpu/cpuN/cache/indexK.
  const dump = new Map<string, string>([
    ['cpu2/topology/core_id', '1\n'],
    ['cpu2/topology/thread_siblings_list', '2-3\n'],
    ['cpu2/cache/index0/level', '1\n'],
    ['cpu2/cache/index0/type', 'Data\n'],
    ['cpu2/cache/index0/shared_cpu_list', '2-3\n'],
    ['cpu2/cache/index1/level', '1\n'],
    ['cpu2/cache/index1/type', 'Instruction\n'],
    ['cpu2/cache/index1/shared_cpu_list', '2-3\n'],
    ['cpu2/cache/index2/level', '2\n'],
    ['cpu2/cache/index2/type', 'Unified\n'],
    ['cpu2/cache/index2/shared_cpu_list', '2-3\n'],
    ['cpu2/cache/index3/level', '3\n'],
    ['cpu2/cache/index3/type', 'Unified\n'],
    ['cpu2/cache/index3/shared_cpu_list', '0-7\n'],
    // A different CPU whose number starts with "2" must not leak into cpu2.
    ['cpu20/cache/index4/shared_cpu_list', '20\n'],
  ]);
  const [e] = parseTopology([2], dump);
  assert.is(e.core, 1);
  assert.equal(e.threadSiblings, [2, 3]);
  assert.equal(e.llcShared, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.is(e.llcLevel, 3);
});

test('topologyPaths lists the files the reader fetches', () => {
  assert.equal(topologyPaths(3, ['index3']), [
    'cpu3/topology/physical_package_id',
    'cpu3/topology/die_id',
    'cpu3/topology/cluster_id',
    'cpu3/topology/core_id',
    'cpu3/topology/thread_siblings_list',
    'cpu3/cache/index3/level',
    'cpu3/cache/index3/type',
    'cpu3/cache/index3/shared_cpu_list',
  ]);
});

test.run();
