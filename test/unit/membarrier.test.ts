import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  MEMBARRIER_COMMANDS,
  commandName,
  decodeMask,
  globalRefusedByNohzFull,
  killedAt,
} from '../../probe/inspect/membarrier.js';
import type { MembarrierChildResult } from '../../probe/native.js';
import { devFixture } from './fixtures.js';

// The child's call order (native/inspect/membarrier_child.cc kMembarrierChildSequence):
// QUERY, REGISTER_GLOBAL_EXPEDITED, REGISTER_PRIVATE_EXPEDITED, REGISTER_..._SYNC_CORE,
// REGISTER_..._RSEQ, GET_REGISTRATIONS.
const SEQUENCE = [0, 4, 16, 64, 256, 512];

const ALL_TEN = [
  'GLOBAL',
  'GLOBAL_EXPEDITED',
  'REGISTER_GLOBAL_EXPEDITED',
  'PRIVATE_EXPEDITED',
  'REGISTER_PRIVATE_EXPEDITED',
  'PRIVATE_EXPEDITED_SYNC_CORE',
  'REGISTER_PRIVATE_EXPEDITED_SYNC_CORE',
  'PRIVATE_EXPEDITED_RSEQ',
  'REGISTER_PRIVATE_EXPEDITED_RSEQ',
  'GET_REGISTRATIONS',
];

function queryMaskOf(text: string): number {
  const m = /^membarrier QUERY mask: (\d+)$/m.exec(text);
  if (!m) throw new Error('no QUERY mask line in the capture');
  return Number(m[1]);
}

test("decodeMask: the fixtures' QUERY mask 1023 lists all ten commands", () => {
  // fixture: test/fixtures/dev-kvm-amd-epyc-2vcpu (project dev machine, AMD EPYC KVM guest)
  const amd = queryMaskOf(devFixture('kvm-amd-epyc-2vcpu', 'membarrier'));
  assert.is(amd, 1023);
  assert.equal(decodeMask(amd), ALL_TEN);
  // fixture: test/fixtures/dev-kvm-intel-xeon-2vcpu (project dev machine, Intel Xeon KVM guest)
  const intel = queryMaskOf(devFixture('kvm-intel-xeon-2vcpu', 'membarrier'));
  assert.equal(decodeMask(intel), ALL_TEN);
});

test('decodeMask: partial masks', () => {
  assert.equal(decodeMask(0), []);
  // 6.18 with nohz_full: GLOBAL (bit 0) dropped.
  assert.equal(decodeMask(1022), ALL_TEN.slice(1));
  // A 4.14-era kernel: GLOBAL, PRIVATE_EXPEDITED, REGISTER_PRIVATE_EXPEDITED.
  assert.equal(decodeMask(1 | 8 | 16), ['GLOBAL', 'PRIVATE_EXPEDITED', 'REGISTER_PRIVATE_EXPEDITED']);
  assert.equal(decodeMask(1 << 10), []);
});

test('MEMBARRIER_COMMANDS bits match include/uapi/linux/membarrier.h', () => {
  assert.is(MEMBARRIER_COMMANDS.length, 10);
  assert.equal(
    MEMBARRIER_COMMANDS.map(([, b]) => b),
    [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
  );
});

test('commandName', () => {
  assert.is(commandName(0), 'QUERY');
  assert.is(commandName(1), 'GLOBAL');
  assert.is(commandName(4), 'REGISTER_GLOBAL_EXPEDITED');
  assert.is(commandName(16), 'REGISTER_PRIVATE_EXPEDITED');
  assert.is(commandName(64), 'REGISTER_PRIVATE_EXPEDITED_SYNC_CORE');
  assert.is(commandName(256), 'REGISTER_PRIVATE_EXPEDITED_RSEQ');
  assert.is(commandName(512), 'GET_REGISTRATIONS');
  assert.is(commandName(3), 'command 3');
  assert.is(commandName(1024), 'command 1024');
});

test('globalRefusedByNohzFull truth table', () => {
  assert.is(globalRefusedByNohzFull(null, [1]), null);
  assert.is(globalRefusedByNohzFull(1023, null), null);
  assert.is(globalRefusedByNohzFull(null, null), null);
  assert.is(globalRefusedByNohzFull(1022, [1, 2, 3]), true);
  assert.is(globalRefusedByNohzFull(1023, [1, 2, 3]), false);
  assert.is(globalRefusedByNohzFull(1022, []), false);
  assert.is(globalRefusedByNohzFull(1023, []), false);
  assert.is(globalRefusedByNohzFull(0, [0]), true);
});

const base: MembarrierChildResult = { end: 'exited', exitCode: 0, signal: 0, forkErrno: 0, registrations: [] };
const ok = (value: number) => ({ ok: true as const, value });

test('killedAt: child killed at QUERY (nothing reported)', () => {
  const child: MembarrierChildResult = { ...base, end: 'signaled', signal: 31 };
  assert.is(killedAt(child, SEQUENCE), 'QUERY');
});

test('killedAt: child killed at REGISTER_PRIVATE_EXPEDITED', () => {
  const child: MembarrierChildResult = {
    ...base,
    end: 'signaled',
    signal: 31,
    query: ok(1023),
    registrations: [{ cmd: 4, result: ok(0) }],
  };
  assert.is(killedAt(child, SEQUENCE), 'REGISTER_PRIVATE_EXPEDITED');
  // A timeout is judged the same way.
  assert.is(killedAt({ ...child, end: 'timeout', signal: 0 }, SEQUENCE), 'REGISTER_PRIVATE_EXPEDITED');
});

test('killedAt: a refused call still counts as reported', () => {
  const child: MembarrierChildResult = {
    ...base,
    end: 'signaled',
    signal: 9,
    query: ok(1023),
    registrations: [
      { cmd: 4, result: ok(0) },
      { cmd: 16, result: { ok: false, errno: 1 } },
      { cmd: 64, result: ok(0) },
      { cmd: 256, result: ok(0) },
    ],
  };
  assert.is(killedAt(child, SEQUENCE), 'GET_REGISTRATIONS');
  assert.is(killedAt({ ...child, getRegistrations: ok(84) }, SEQUENCE), null);
});

test('killedAt: a child that was not killed has no killedAt', () => {
  assert.is(killedAt({ ...base, end: 'exited' }, SEQUENCE), null);
  assert.is(killedAt({ ...base, end: 'fork-failed', forkErrno: 11 }, SEQUENCE), null);
  assert.is(killedAt({ ...base, end: 'protocol-error' }, SEQUENCE), null);
});

test.run();
