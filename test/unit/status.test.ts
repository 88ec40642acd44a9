import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CAP_IPC_LOCK, SECCOMP_MODES, hasCapability, parseStatus } from '../../probe/inspect/status.js';
import { devFixture } from './fixtures.js';

function checkFixtureStatus(text: string): void {
  const st = parseStatus(text);
  assert.equal(st, {
    CapInh: '0000000000000000',
    CapPrm: '000001fffeffffff',
    CapEff: '000001fffeffffff',
    CapBnd: '000001fffeffffff',
    CapAmb: '0000000000000000',
    Seccomp: '0',
    Seccomp_filters: '0',
  });
  assert.is(SECCOMP_MODES[Number(st.Seccomp)], 'disabled');
  assert.is(hasCapability(st.CapEff, CAP_IPC_LOCK), true);
  // 0xfeffffff has bit 24 (CAP_SYS_RESOURCE) clear; 0x1ff above it sets bits 32-40 only.
  assert.is(hasCapability(st.CapEff, 24), false);
  assert.is(hasCapability(st.CapEff, 40), true);
  assert.is(hasCapability(st.CapEff, 41), false);
  assert.is(hasCapability(st.CapInh, CAP_IPC_LOCK), false);
}

test('parseStatus + CAP_IPC_LOCK: AMD EPYC KVM guest', () => {
  // fixture: test/fixtures/dev-kvm-amd-epyc-2vcpu (project dev machine, AMD EPYC KVM guest)
  checkFixtureStatus(devFixture('kvm-amd-epyc-2vcpu', 'status-excerpt'));
});

test('parseStatus + CAP_IPC_LOCK: Intel Xeon KVM guest', () => {
  // fixture: test/fixtures/dev-kvm-intel-xeon-2vcpu (project dev machine, Intel Xeon KVM guest)
  checkFixtureStatus(devFixture('kvm-intel-xeon-2vcpu', 'status-excerpt'));
});

test('CAP_IPC_LOCK is bit 14', () => {
  assert.is(CAP_IPC_LOCK, 14);
  // Docker's default capability set (00000000a80425fb) does not include CAP_IPC_LOCK.
  assert.is(hasCapability('00000000a80425fb', CAP_IPC_LOCK), false);
  assert.is(hasCapability('00000000a80425fb', 13), true);
  assert.is(hasCapability('0000000000004000', CAP_IPC_LOCK), true);
  assert.is(hasCapability('ffffffffffffbfff', CAP_IPC_LOCK), false);
});

test('parseStatus: keys and values from "Key:\\tvalue" lines', () => {
  const st = parseStatus('Name:\tnode\nTracerPid:\t0\nCpus_allowed_list:\t0-3,8\nnot a field\n');
  assert.is(st.Name, 'node');
  assert.is(st.TracerPid, '0');
  assert.is(st.Cpus_allowed_list, '0-3,8');
  assert.is(Object.keys(st).length, 3);
});

test.run();
