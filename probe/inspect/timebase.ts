// The shared clock the engine synchronises trial starts on and that readers watch for gaps.
// It must tick at a constant rate on every CPU and never stop: an x86 TSC qualifies when it is
// invariant (CPUID 0x80000007 EDX bit 8, or the kernel's constant_tsc + nonstop_tsc flags) and
// the kernel has not thrown it out as unstable; arm64's CNTVCT always does.
import type { CpuFlagFacts, TimebaseFacts, Unknowns } from '../records.js';
import type { NativeLoad } from '../native.js';
import { readTrimmed } from './read.js';

export interface TimebaseInputs {
  arch: string;
  /** CPUID invariant-TSC bit, null when CPUID could not be read. */
  cpuidInvariantTsc: boolean | null;
  flags: CpuFlagFacts;
  kernelClocksource: string | null;
  availableClocksources: string[] | null;
}

export function chooseTimebase(i: TimebaseInputs): Omit<TimebaseFacts, 'unknown'> {
  const base = { kernelClocksource: i.kernelClocksource };
  if (i.arch === 'arm64' || i.arch === 'aarch64') {
    return {
      ...base,
      source: 'cntvct',
      invariantTsc: null,
      reason: 'arm64 generic timer (CNTVCT_EL0) runs at a constant rate on every CPU',
    };
  }
  if (i.arch !== 'x64' && i.arch !== 'x86_64') {
    return {
      ...base,
      source: 'clock_gettime',
      invariantTsc: null,
      reason: `no cycle counter the engine trusts on ${i.arch}`,
    };
  }
  const byFlags = i.flags.constant_tsc === true && i.flags.nonstop_tsc === true;
  const invariant = i.cpuidInvariantTsc ?? (i.flags.constant_tsc === null ? null : byFlags);
  if (!invariant && !byFlags) {
    return {
      ...base,
      source: 'clock_gettime',
      invariantTsc: invariant,
      reason: 'the TSC is not invariant (no constant_tsc + nonstop_tsc), so its rate may change or stop',
    };
  }
  if (i.availableClocksources && !i.availableClocksources.includes('tsc')) {
    return {
      ...base,
      source: 'clock_gettime',
      invariantTsc: true,
      reason: 'the kernel marked the TSC unstable (not among its available clocksources)',
    };
  }
  const how = i.cpuidInvariantTsc
    ? 'CPUID reports an invariant TSC'
    : 'the kernel reports constant_tsc and nonstop_tsc';
  const note =
    i.kernelClocksource && i.kernelClocksource !== 'tsc' ? `; the kernel itself uses ${i.kernelClocksource}` : '';
  return { ...base, source: 'tsc', invariantTsc: true, reason: `${how}${note}` };
}

export async function readTimebase(native: NativeLoad, flags: CpuFlagFacts): Promise<TimebaseFacts> {
  const unknown: Unknowns = {};
  const dir = '/sys/devices/system/clocksource/clocksource0';
  const [current, available] = await Promise.all([
    readTrimmed(`${dir}/current_clocksource`),
    readTrimmed(`${dir}/available_clocksource`),
  ]);
  if (current === null) unknown.kernelClocksource = `${dir} is not readable`;
  let cpuidInvariantTsc: boolean | null = null;
  if (native.ok && native.addon.arch === 'x86_64') {
    const r = native.addon.cpuid(0x80000007, 0);
    cpuidInvariantTsc = r ? ((r.edx >>> 8) & 1) === 1 : null;
  } else if (!native.ok) {
    unknown.invariantTsc = `CPUID needs the native addon (${native.reason}); judged from /proc/cpuinfo flags`;
  }
  const arch = native.ok ? native.addon.arch : process.arch;
  const chosen = chooseTimebase({
    arch,
    cpuidInvariantTsc,
    flags,
    kernelClocksource: current,
    availableClocksources: available?.split(/\s+/) ?? null,
  });
  return { ...chosen, unknown };
}
