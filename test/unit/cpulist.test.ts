import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatCpuList, parseCpuList } from '../../probe/inspect/cpulist.js';
import { cpuLists, devFixture } from './fixtures.js';

test('parseCpuList: ranges and single CPUs', () => {
  assert.equal(parseCpuList('0-3,8'), [0, 1, 2, 3, 8]);
  assert.equal(parseCpuList('5'), [5]);
  assert.equal(parseCpuList('8,0-1'), [0, 1, 8]);
  assert.equal(parseCpuList('0-3,2-5'), [0, 1, 2, 3, 4, 5]);
  assert.equal(parseCpuList('0-3\n'), [0, 1, 2, 3]);
});

test('parseCpuList: empty list and (null) give no CPUs', () => {
  assert.equal(parseCpuList(''), []);
  assert.equal(parseCpuList('\n'), []);
  assert.equal(parseCpuList('(null)'), []);
});

test('parseCpuList: group syntax lo-hi:used/group (bitmap_parselist)', () => {
  // The first 2 CPUs of every group of 4 in 0-15.
  assert.equal(parseCpuList('0-15:2/4'), [0, 1, 4, 5, 8, 9, 12, 13]);
  // Groups are clipped at the end of the range.
  assert.equal(parseCpuList('0-9:3/4'), [0, 1, 2, 4, 5, 6, 8, 9]);
  assert.equal(parseCpuList('1-7:1/2'), [1, 3, 5, 7]);
  assert.equal(parseCpuList('0-3:4/4'), [0, 1, 2, 3]);
});

test('parseCpuList: N is the last CPU', () => {
  assert.equal(parseCpuList('N', 7), [7]);
  assert.equal(parseCpuList('2-N', 5), [2, 3, 4, 5]);
  assert.equal(parseCpuList('0-N:1/2', 7), [0, 2, 4, 6]);
  assert.throws(() => parseCpuList('N'), /not a CPU list/);
  assert.throws(() => parseCpuList('1-N'), /not a CPU list/);
  assert.throws(() => parseCpuList('N-3', 7), /not a CPU list/);
});

test('parseCpuList: garbage throws', () => {
  // Each of these is also rejected (EINVAL) by the kernel's bitmap_parselist.
  for (const bad of ['abc', '0-', '-3', '3-1', '0-15:3/2', '0-15:2/0', '0-15:2', '5:1/2', 'x1', '1.5']) {
    assert.throws(() => parseCpuList(bad), /not a CPU list/, bad);
  }
});

test('parseCpuList: sys-cpu-lists captures', () => {
  // fixture: test/fixtures/dev-kvm-amd-epyc-2vcpu (project dev machine, AMD EPYC KVM guest)
  const amd = cpuLists(devFixture('kvm-amd-epyc-2vcpu', 'sys-cpu-lists'));
  assert.equal(parseCpuList(amd.online), [0, 1]);
  assert.equal(parseCpuList(amd.possible), [0, 1]);
  assert.equal(parseCpuList(amd.present), [0, 1]);
  assert.equal(parseCpuList(amd.offline), []);
  // fixture: test/fixtures/dev-kvm-intel-xeon-2vcpu (project dev machine, Intel Xeon KVM guest)
  const intel = cpuLists(devFixture('kvm-intel-xeon-2vcpu', 'sys-cpu-lists'));
  assert.equal(parseCpuList(intel.online), [0, 1]);
  assert.equal(parseCpuList(intel.offline), []);
});

test('formatCpuList: compact form', () => {
  assert.is(formatCpuList([0, 1, 2, 3, 8]), '0-3,8');
  assert.is(formatCpuList([]), '');
  assert.is(formatCpuList([5]), '5');
  assert.is(formatCpuList([8, 3, 1, 2, 3, 0]), '0-3,8');
  assert.is(formatCpuList([0, 2, 4]), '0,2,4');
  assert.is(formatCpuList([0, 1, 3, 4, 6]), '0-1,3-4,6');
});

test('formatCpuList and parseCpuList round trip', () => {
  for (const s of ['0-3,8', '0', '0-1', '0,2,4,6', '1-3,5-7,9', '0-127', '3,10-11,200']) {
    assert.is(formatCpuList(parseCpuList(s)), s);
  }
  assert.is(formatCpuList(parseCpuList('0-15:2/4')), '0-1,4-5,8-9,12-13');
  const cpus = [0, 1, 2, 7, 9, 10, 11, 63];
  assert.equal(parseCpuList(formatCpuList(cpus)), cpus);
});

test.run();
