import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { chooseTimebase } from '../../probe/inspect/timebase.js';
import { cpuIdentity, parseCpuinfo } from '../../probe/inspect/cpuinfo.js';
import type { CpuFlagFacts } from '../../probe/records.js';
import { localFixture, devFixture } from './fixtures.js';

const flagsOf = (text: string): CpuFlagFacts => cpuIdentity(parseCpuinfo(text)).flags;

test('AMD EPYC KVM guest flags: tsc', () => {
  // fixture: test/fixtures/dev-kvm-amd-epyc-2vcpu (project dev machine, AMD EPYC KVM guest)
  const flags = flagsOf(devFixture('kvm-amd-epyc-2vcpu', 'cpuinfo'));
  const r = chooseTimebase({
    arch: 'x64',
    cpuidInvariantTsc: null,
    flags,
    kernelClocksource: 'kvm-clock',
    availableClocksources: ['kvm-clock', 'tsc', 'acpi_pm'],
  });
  assert.is(r.source, 'tsc');
  assert.is(r.invariantTsc, true);
  assert.is(r.kernelClocksource, 'kvm-clock');
  assert.is(r.reason, 'the kernel reports constant_tsc and nonstop_tsc; the kernel itself uses kvm-clock');
});

test('Intel Xeon KVM guest flags: tsc (CPUID agrees)', () => {
  // fixture: test/fixtures/dev-kvm-intel-xeon-2vcpu (project dev machine, Intel Xeon KVM guest)
  const flags = flagsOf(devFixture('kvm-intel-xeon-2vcpu', 'cpuinfo'));
  const r = chooseTimebase({
    arch: 'x86_64',
    cpuidInvariantTsc: true,
    flags,
    kernelClocksource: 'tsc',
    availableClocksources: ['tsc', 'kvm-clock'],
  });
  assert.is(r.source, 'tsc');
  assert.is(r.invariantTsc, true);
  assert.is(r.reason, 'CPUID reports an invariant TSC');
});

test('arm64: cntvct', () => {
  // fixture: test/fixtures/arm64-cavium-thunderx-scaleway-2cpu (pytorch/cpuinfo test/cpuinfo/scaleway.log)
  const flags = flagsOf(localFixture('arm64-cavium-thunderx-scaleway-2cpu', 'cpuinfo'));
  for (const arch of ['arm64', 'aarch64']) {
    const r = chooseTimebase({
      arch,
      cpuidInvariantTsc: null,
      flags,
      kernelClocksource: 'arch_sys_counter',
      availableClocksources: ['arch_sys_counter'],
    });
    assert.is(r.source, 'cntvct', arch);
    assert.is(r.invariantTsc, null, arch);
    assert.is(r.kernelClocksource, 'arch_sys_counter');
  }
});

test('flags without nonstop_tsc: clock_gettime', () => {
  const flags: CpuFlagFacts = {
    invlpgb: false,
    pcid: true,
    invpcid: true,
    hypervisor: true,
    constant_tsc: true,
    nonstop_tsc: false,
  };
  const r = chooseTimebase({
    arch: 'x64',
    cpuidInvariantTsc: null,
    flags,
    kernelClocksource: 'tsc',
    availableClocksources: ['tsc', 'hpet'],
  });
  assert.is(r.source, 'clock_gettime');
  assert.is(r.invariantTsc, false);
  assert.match(r.reason, /not invariant/);
  // CPUID saying "not invariant" as well.
  assert.is(
    chooseTimebase({
      arch: 'x64',
      cpuidInvariantTsc: false,
      flags,
      kernelClocksource: null,
      availableClocksources: null,
    }).source,
    'clock_gettime',
  );
});

test('tsc not among the available clocksources: clock_gettime', () => {
  // fixture: test/fixtures/dev-kvm-amd-epyc-2vcpu (project dev machine, AMD EPYC KVM guest)
  const flags = flagsOf(devFixture('kvm-amd-epyc-2vcpu', 'cpuinfo'));
  const r = chooseTimebase({
    arch: 'x64',
    cpuidInvariantTsc: null,
    flags,
    kernelClocksource: 'kvm-clock',
    availableClocksources: ['kvm-clock', 'acpi_pm'],
  });
  assert.is(r.source, 'clock_gettime');
  assert.is(r.invariantTsc, true);
  assert.match(r.reason, /unstable/);
});

test('other architectures: clock_gettime', () => {
  const flags: CpuFlagFacts = {
    invlpgb: null,
    pcid: null,
    invpcid: null,
    hypervisor: null,
    constant_tsc: null,
    nonstop_tsc: null,
  };
  const r = chooseTimebase({
    arch: 'riscv64',
    cpuidInvariantTsc: null,
    flags,
    kernelClocksource: 'riscv_clocksource',
    availableClocksources: null,
  });
  assert.is(r.source, 'clock_gettime');
  assert.is(r.invariantTsc, null);
});

test.run();
