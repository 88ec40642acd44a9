// Emulated CPUs recognised from real captures of the project's QEMU guests (test/fixtures/qemu-tcg-guests),
// and a field sample whose getpid control is itself "interrupted" most of the time: the arm64 guest
// measured PRIVATE_EXPEDITED at 100 % against getpid's 81 %, and called it "returns 0 without
// reaching other CPUs". A null control that noisy can tell nothing apart, emulated or not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../../probe/records.js';
import { analyse } from '../../probe/analyse/index.js';
import { checksOf } from '../../probe/analyse/checks.js';
import { emulatedCpus } from '../../probe/analyse/emulation.js';
import { isNearNull, nullHasPower } from '../../probe/analyse/verdicts.js';
import { localReport } from './fixtures.js';

const arm: Report = localReport('qemu-tcg-guests', 'arm64-6.12-4vcpu-run.json');
const x86 = localReport('qemu-tcg-guests', 'x86-6.12-4vcpu-inspect.json');
const kvm: Report = localReport('reports', 'kvm-intel-xeon-2vcpu-default.json');
const row = (rows: ReturnType<typeof checksOf>, id: string) => rows.find((x) => x.id === id)!;

test('emulated CPUs are recognised on x86 (CPUID) and on arm64 (MIDR implementer 0x00), not on a KVM guest', () => {
  assert.is(emulatedCpus(x86.system), 'QEMU TCG');
  assert.match(emulatedCpus(arm.system) ?? '', /^QEMU TCG \(CPU implementer 0x00/);
  assert.is(emulatedCpus(kvm.system), null);
});

test('the arm64 guest: no timing row is a problem, and no verdict is refuted without SB violations', () => {
  const a = analyse(arm.system, arm.plan, arm.results);
  assert.is.not(row(a.checks!, 'silent-success').status, 'problem', row(a.checks!, 'silent-success').text);
  for (const v of Object.values(a.verdicts)) {
    if (v.verdict === 'refuted') assert.ok(v.stats.violations > 0, `${v.strategy}: ${v.reasons[0]?.code}`);
  }
});

test('a getpid control interrupted in 81 % of calls has no power, on real CPUs too: unknown, never a problem', () => {
  assert.not.ok(nullHasPower(0.81));
  assert.not.ok(nullHasPower(0.5));
  assert.ok(nullHasPower(0.03));
  // With getpid at 81 %, even a call that reached the reader every time is "near null": that is
  // why nearness alone may not refute.
  assert.ok(isNearNull(1, 0.81));
  const f = structuredClone(kvm.system);
  f.field = structuredClone(arm.system.field);
  const r = row(checksOf(f), 'silent-success');
  assert.is(r.status, 'unknown', r.text);
  assert.is(r.code, 'effect-null-noisy');
  assert.match(r.text, /100\.00% of \d+ PRIVATE_EXPEDITED calls .* against 81\.0% for getpid/);
});

test.run();
