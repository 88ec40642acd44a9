// The TLB-flush facts behind system.tlb: whether a TLB flush here still reaches other CPUs by IPI,
// which is all the mprotect and madvise tricks rest on. Read from first principles, not from the
// /proc/cpuinfo `invlpgb` flag: X86_FEATURE_INVLPGB has no quoted name, and since commit 78ce84b9e0a5
// /proc/cpuinfo prints named flags only, so the flag is absent on exactly the kernels that use it.
// What turns broadcast flushing on (Linux 6.15, 4afeb0ed1753 and its series): INVLPGB in CPUID,
// CONFIG_BROADCAST_TLB_FLUSH, no PTI (94a17f2dc90b), PCID (44126343d58c); then a process active
// on 4 or more CPUs gets a global ASID at a once-per-32-jiffies check and is flushed with no IPI.
// Cheap on purpose: CPUID through the addon's one call, two small sysfs reads, and the kernel
// config only when INVLPGB and the release leave it deciding.
import type { CpuFacts, HypervisorFacts, KernelFacts, PlatformFacts, TlbFacts } from '../records.js';
import type { CpuidRegs, NativeLoad } from '../native.js';
import { readText } from './read.js';
import { readKernelConfigText } from './kernel-config.js';
import { tlbRegime } from './tlb-regime.js';

export type CpuidFn = (leaf: number, subleaf: number) => CpuidRegs | null;
/** TlbBoolFact or TlbCountFact, by value type. */
type TlbFact<T> = { value: T | null; source: string; reason?: string };

const bit = (v: number, b: number) => ((v >>> b) & 1) === 1;

/** INVLPGB from CPUID Fn8000_0008 EBX[3] (AMD APM vol. 3); false when the CPU has no such leaf. */
export function decodeInvlpgb(cpuid: CpuidFn): boolean | null {
  const max = cpuid(0x80000000, 0);
  if (!max || max.eax >>> 0 < 0x80000008) return max ? false : null;
  const r = cpuid(0x80000008, 0);
  return r ? bit(r.ebx, 3) : null;
}

/** PCID from CPUID 1 ECX[17]. */
export function decodePcid(cpuid: CpuidFn): boolean | null {
  const r = cpuid(1, 0);
  return r ? bit(r.ecx, 17) : null;
}

/** KVM hints (0x40000001 EDX): bit 0 is KVM_HINTS_REALTIME, which makes Linux keep native IPI flushes. */
export function decodeKvmRealtimeHint(cpuid: CpuidFn, kvmBase: number): boolean | null {
  const r = cpuid(kvmBase + 1, 0);
  return r ? bit(r.edx, 0) : null;
}

/**
 * One option of a kernel .config: true for =y/=m, false for "# CONFIG_X is not set" or when the
 * config does not name it at all (a complete .config lists every option whose dependencies are met:
 * BROADCAST_TLB_FLUSH is absent before 6.15 and on non-AMD or 32-bit builds).
 */
export function configOption(text: string, name: string): boolean {
  const re = new RegExp(`^(?:CONFIG_${name}=([ymn])|# CONFIG_${name} is not set)\\s*$`, 'm');
  const m = re.exec(text);
  return m !== null && (m[1] === 'y' || m[1] === 'm');
}

/** PTI from /sys/devices/system/cpu/vulnerabilities/meltdown: "Mitigation: PTI" on, anything else off. */
export function ptiFromMeltdown(text: string): boolean {
  return /^Mitigation: PTI\b/.test(text.trim());
}

/** release >= 6.15: the kernels with broadcast TLB flushing. */
export function hasBroadcastFlush(k: Pick<KernelFacts, 'major' | 'minor'>): boolean | null {
  if (k.major === null || k.minor === null) return null;
  return k.major > 6 || (k.major === 6 && k.minor >= 15);
}

const fact = <T>(value: T | null, source: string, reason?: string): TlbFact<T> =>
  reason === undefined ? { value, source } : { value, source, reason };

/** The kernel config: /proc/config.gz (CONFIG_IKCONFIG_PROC), else /boot/config-<release>. */
async function readConfigOption(release: string | null, name: string): Promise<TlbFact<boolean>> {
  const c = await readKernelConfigText(release);
  if (c.source === null) return fact<boolean>(null, 'kernel config', `not readable (${c.unknown})`);
  return fact(configOption(c.text, name), c.source);
}

export interface TlbInputs {
  platform: PlatformFacts;
  cpus: CpuFacts;
  kernel: KernelFacts;
  hypervisor: HypervisorFacts;
  /** CPUID, or null with the reason (no addon, not x86). */
  cpuid: CpuidFn | null;
  cpuidReason: string | null;
  meltdown: { ok: true; text: string } | { ok: false; reason: string };
  /** Read only when it decides something. */
  config: (release: string | null) => Promise<TlbFact<boolean>>;
}

const isArm64 = (p: PlatformFacts) => /^(aarch64|arm64)$/.test(p.machine) || p.arch === 'arm64';
const isAmd = (c: CpuFacts) => c.vendor === 'AuthenticAMD' || c.vendor === 'HygonGenuine';

type Facts = TlbFacts['facts'];
const MELTDOWN = '/sys/devices/system/cpu/vulnerabilities/meltdown';

/** Every fact and the regime, from the inputs; pure but for the lazy config read. */
export async function tlbFacts(i: TlbInputs): Promise<TlbFacts> {
  const arm = isArm64(i.platform);
  const x86 = !arm && /^(x86_64|x64|i[3-6]86)$/.test(i.platform.machine || i.platform.arch);
  const notX86 = `CPUID exists on x86 only (this is ${i.platform.machine || i.platform.arch})`;
  const noCpuid = x86 ? (i.cpuidReason ?? 'CPUID not readable') : notX86;
  const cpu = cpuSide(i, x86, noCpuid);
  const newKernel = hasBroadcastFlush(i.kernel);
  const kernelHasBroadcastFlush = fact(
    newKernel,
    '/proc/sys/kernel/osrelease',
    newKernel === null ? 'release unknown' : undefined,
  );
  const pti = i.meltdown.ok
    ? fact(ptiFromMeltdown(i.meltdown.text), MELTDOWN, i.meltdown.text.trim())
    : fact<boolean>(null, MELTDOWN, i.meltdown.reason);
  // The config decides only on an INVLPGB CPU (or one we could not ask) running 6.15 or later.
  const skip = !x86
    ? 'not x86'
    : cpu.invlpgb.value === false
      ? 'no INVLPGB, so the option cannot matter'
      : newKernel === false
        ? 'the kernel predates 6.15'
        : null;
  const config =
    skip === null ? await i.config(i.kernel.release) : fact<boolean>(null, 'kernel config', `not read: ${skip}`);
  const usable = i.cpus.allowed?.length ?? i.cpus.online;
  const usableCpus = fact(
    usable,
    i.cpus.allowedSource ?? '/sys/devices/system/cpu/online',
    usable === null ? 'neither the affinity mask nor the online list was readable' : undefined,
  );
  const kernelUsesInvlpgb = usesInvlpgb(x86, i.cpus.vendor, cpu.invlpgb, newKernel, config, pti, cpu.pcid);
  const facts: Facts = {
    ...cpu,
    kernelHasBroadcastFlush,
    config,
    pti,
    kernelUsesInvlpgb,
    usableCpus,
    arm64BroadcastTlbi: fact(
      arm,
      'arch',
      arm ? 'arm64 Linux invalidates with TLBI ...IS: broadcast, never an IPI' : undefined,
    ),
    ...hypervisorSide(i, x86, notX86),
  };
  return { ...tlbRegime(facts, isAmd(i.cpus), x86), facts };
}

/** What the CPU itself offers: INVLPGB (CPUID, and the cpuinfo flag beside it), PCID, Intel RAR. */
type CpuSide = Pick<Facts, 'invlpgb' | 'invlpgbCpuinfoFlag' | 'pcid' | 'rar'>;
function cpuSide(i: TlbInputs, x86: boolean, noCpuid: string): CpuSide {
  const value = x86 && i.cpuid ? decodeInvlpgb(i.cpuid) : null;
  const flag = i.cpus.flags.invlpgb;
  const flagReason =
    flag === false
      ? 'absent; kernels after 78ce84b9e0a5 never print it, so absence proves nothing'
      : flag === null
        ? 'no flags line'
        : undefined;
  const cpuidPcid = x86 && i.cpuid ? decodePcid(i.cpuid) : null;
  const pcid =
    i.cpus.flags.pcid !== null
      ? fact(i.cpus.flags.pcid, '/proc/cpuinfo flags')
      : fact(cpuidPcid, 'cpuid 1 ECX[17]', cpuidPcid === null ? noCpuid : undefined);
  // X86_FEATURE_RAR comes from MSR_IA32_CORE_CAPS, which user space cannot read without /dev/cpu/*/msr
  // (root); the RAR series is not in mainline, so no kernel prints a `rar` cpuinfo flag to read instead.
  const rar = !x86
    ? fact(false, 'arch', 'Intel RAR is x86 only')
    : isAmd(i.cpus)
      ? fact(false, 'vendor', 'Intel RAR is an Intel feature')
      : fact<boolean>(
          null,
          'MSR_IA32_CORE_CAPS',
          'not readable from user space (needs /dev/cpu/*/msr); the RAR series is not in mainline',
        );
  const invlpgb = fact(value, 'cpuid', value === null ? noCpuid : undefined);
  return { invlpgb, invlpgbCpuinfoFlag: fact(flag, '/proc/cpuinfo', flagReason), pcid, rar };
}

const KVM_USED_SOURCE = 'cpuid 0x40000001 EAX[5,9] EDX[0] (Linux pv_tlb_flush_supported)';

/** What the hypervisor's CPUID leaves promise: KVM's PV flush (and whether Linux uses it), Hyper-V's, Xen. */
type HypervisorSide = Pick<Facts, 'kvmPvTlbFlush' | 'kvmPvTlbFlushUsed' | 'hypervRemoteFlush' | 'xen'>;
function hypervisorSide(i: TlbInputs, x86: boolean, notX86: string): HypervisorSide {
  const hv = i.hypervisor;
  // CPUID's hypervisor leaves are x86's; elsewhere (arm64 under Xen, say) they say nothing.
  const leaves = x86 && hv.cpuidHypervisorBit !== null;
  const noLeaves = hv.unknown.vendor ?? (x86 ? 'hypervisor leaves not readable' : notX86);
  const kvmPvTlbFlush = hv.kvm
    ? fact(hv.kvm.pvTlbFlush, 'cpuid 0x40000001 EAX[9]')
    : hv.cpuidHypervisorBit === false
      ? fact(false, 'cpuid 1 ECX[31]', 'no hypervisor')
      : hv.vendor
        ? fact(false, 'cpuid 0x40000000 signature', `no KVM interface (${hv.vendor})`)
        : fact<boolean>(null, 'cpuid 0x40000001 EAX[9]', noLeaves);
  let kvmPvTlbFlushUsed: TlbFact<boolean> =
    kvmPvTlbFlush.value === false
      ? fact(false, 'cpuid 0x40000001 EAX[9]')
      : fact<boolean>(null, 'cpuid 0x40000001 EAX[9]', kvmPvTlbFlush.reason);
  if (hv.kvm?.pvTlbFlush) {
    const base = hv.interfaces.find((x) => x.signature.startsWith('KVMKVMKVM'))?.base ?? null;
    const realtime = base !== null && i.cpuid ? decodeKvmRealtimeHint(i.cpuid, base) : null;
    const why =
      realtime === null
        ? 'KVM hints not readable'
        : !hv.kvm.steal
          ? 'no steal time: Linux keeps IPI flushes'
          : realtime
            ? 'KVM_HINTS_REALTIME: Linux keeps IPI flushes'
            : 'preempted vCPUs get no IPI; flushed at their next VM entry';
    kvmPvTlbFlushUsed = fact(realtime === null ? null : hv.kvm.steal && !realtime, KVM_USED_SOURCE, why);
  }
  const hyperv = leaves
    ? fact(hv.hyperv?.remoteTlbFlushByHypercall ?? false, 'cpuid 0x40000004 EAX[2]')
    : fact<boolean>(null, 'cpuid 0x40000004 EAX[2]', noLeaves);
  const xen = leaves
    ? fact(hv.xen !== null || hv.vendor === 'Xen', 'cpuid 0x40000000 signature')
    : fact<boolean>(null, 'cpuid 0x40000000 signature', noLeaves);
  return { kvmPvTlbFlush, kvmPvTlbFlushUsed, hypervRemoteFlush: hyperv, xen };
}

type Fact = TlbFact<boolean>;

/** Every condition Linux checks before it flushes with INVLPGB; null when one is unknown and none is false. */
function usesInvlpgb(
  x86: boolean,
  vendor: string | null,
  invlpgb: Fact,
  newKernel: boolean | null,
  config: Fact,
  pti: Fact,
  pcid: Fact,
): Fact {
  const src = 'cpuid + release + config + PTI + PCID';
  if (!x86) return fact(false, 'arch', 'INVLPGB is x86 only');
  // An AMD instruction (Hygon shares the AMD code path); Intel CPUs have none to use.
  const amd = vendor === 'AuthenticAMD' || vendor === 'HygonGenuine';
  if (vendor !== null && !amd && invlpgb.value !== true) return fact(false, 'vendor', `INVLPGB is AMD's (${vendor})`);
  const off: string[] = [];
  if (invlpgb.value === false) off.push('no INVLPGB in CPUID');
  if (newKernel === false) off.push('Linux before 6.15');
  if (config.value === false) off.push('CONFIG_BROADCAST_TLB_FLUSH is off');
  if (pti.value === true) off.push('PTI is on (94a17f2dc90b)');
  if (pcid.value === false) off.push('no PCID (44126343d58c)');
  if (off.length) return fact(false, src, off.join('; '));
  const unknown: string[] = [];
  if (invlpgb.value === null) unknown.push(`INVLPGB (${invlpgb.reason})`);
  if (newKernel === null) unknown.push('the release');
  if (config.value === null) unknown.push(`CONFIG_BROADCAST_TLB_FLUSH (${config.reason})`);
  if (pti.value === null) unknown.push(`PTI (${pti.reason})`);
  if (pcid.value === null) unknown.push(`PCID (${pcid.reason})`);
  if (unknown.length) return fact<boolean>(null, src, `unknown: ${unknown.join('; ')}`);
  return fact(true, src, 'INVLPGB, Linux 6.15+, CONFIG_BROADCAST_TLB_FLUSH, no PTI, PCID');
}

type Inspected = Pick<TlbInputs, 'platform' | 'cpus' | 'kernel' | 'hypervisor'>;

export async function readTlb(native: NativeLoad, f: Inspected): Promise<TlbFacts> {
  const cpuidReason = !native.ok
    ? `needs CPUID through the native addon: ${native.reason}`
    : native.addon.arch !== 'x86_64'
      ? `CPUID exists on x86 only (this is ${native.addon.arch})`
      : null;
  const cpuid: CpuidFn | null = native.ok && cpuidReason === null ? (l, s) => native.addon.cpuid(l, s) : null;
  const meltdown = await readText('/sys/devices/system/cpu/vulnerabilities/meltdown');
  return tlbFacts({ ...f, cpuid, cpuidReason, meltdown, config: (r) => readConfigOption(r, 'BROADCAST_TLB_FLUSH') });
}
