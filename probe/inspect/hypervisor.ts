// Which hypervisor we run under and what it promises about TLB flushes, from CPUID.
// Why it matters: the mprotect trick relies on the kernel sending TLB-shootdown IPIs. Under KVM
// with PV TLB flush, a preempted vCPU gets its flush deferred instead of an IPI; a Hyper-V guest
// told to flush remote TLBs by hypercall sends no IPI at all. Only CPUID says which applies.
import type { HypervisorFacts, Unknowns } from '../records.js';
import type { CpuidRegs, NativeLoad } from '../native.js';

export type CpuidFn = (leaf: number, subleaf: number) => CpuidRegs | null;

const VENDORS: Record<string, string> = {
  'KVMKVMKVM\0\0\0': 'KVM',
  'Linux KVM Hv': 'KVM (Hyper-V interface)',
  'Microsoft Hv': 'Microsoft Hyper-V',
  XenVMMXenVMM: 'Xen',
  VMwareVMware: 'VMware',
  VBoxVBoxVBox: 'VirtualBox',
  TCGTCGTCGTCG: 'QEMU TCG',
  ' lrpepyh  vr': 'Parallels',
  'bhyve bhyve ': 'bhyve',
  ACRNACRNACRN: 'ACRN',
  'QNXQVMBSQG\0\0': 'QNX',
  EVMMEVMMEVMM: 'Intel EVMM',
};

// KVM_CPUID_FEATURES (0x40000001 EAX) bit names, from the KVM paravirt ABI.
const KVM_FEATURES: [number, string][] = [
  [0, 'clocksource'],
  [1, 'nop_io_delay'],
  [3, 'clocksource2'],
  [4, 'async_pf'],
  [5, 'steal_time'],
  [6, 'pv_eoi'],
  [7, 'pv_unhalt'],
  [9, 'pv_tlb_flush'],
  [10, 'async_pf_vmexit'],
  [11, 'pv_send_ipi'],
  [12, 'poll_control'],
  [13, 'pv_sched_yield'],
  [14, 'async_pf_int'],
  [15, 'msi_ext_dest_id'],
  [16, 'hc_map_gpa_range'],
  [17, 'migration_control'],
  [24, 'clocksource_stable'],
];

const bit = (v: number, b: number) => ((v >>> b) & 1) === 1;

function signatureOf(r: CpuidRegs): string {
  const buf = Buffer.alloc(12);
  buf.writeUInt32LE(r.ebx >>> 0, 0);
  buf.writeUInt32LE(r.ecx >>> 0, 4);
  buf.writeUInt32LE(r.edx >>> 0, 8);
  return buf.toString('latin1');
}

const printable = (s: string) => /^[\x20-\x7e]+\0*$/.test(s);

/** Decodes the hypervisor leaves through `cpuid`. Pure given the register values. */
export function decodeHypervisor(cpuid: CpuidFn): Omit<HypervisorFacts, 'unknown'> {
  const leaf1 = cpuid(1, 0);
  const hvBit = leaf1 ? bit(leaf1.ecx, 31) : null;
  const facts: Omit<HypervisorFacts, 'unknown'> = {
    vendor: null,
    signature: null,
    cpuidHypervisorBit: hvBit,
    maxLeaf: null,
    interfaces: [],
    kvm: null,
    hyperv: null,
    xen: null,
  };
  // Without the hypervisor bit, 0x4000xxxx leaves return unrelated data on real CPUs.
  if (!hvBit) return facts;
  // Linux scans the same range (arch/x86/include/asm/cpuid/api.h, cpuid_base_hypervisor).
  for (let base = 0x40000000; base < 0x40010000; base += 0x100) {
    const r = cpuid(base, 0);
    if (!r) break;
    const sig = signatureOf(r);
    if (!printable(sig) || /^\0*$/.test(sig)) continue;
    const vendor = VENDORS[sig] ?? `unknown (${JSON.stringify(sig.replace(/\0+$/, ''))})`;
    facts.interfaces.push({ base, signature: sig.replace(/\0+$/, ''), vendor });
    if (base === 0x40000000) {
      facts.vendor = vendor;
      facts.signature = sig.replace(/\0+$/, '');
      facts.maxLeaf = r.eax >>> 0;
    }
    const max = r.eax >>> 0 || base + 1;
    if (vendor.startsWith('KVM') && sig.startsWith('KVM') && max >= base + 1) {
      const f = cpuid(base + 1, 0)?.eax ?? 0;
      facts.kvm = {
        features: f >>> 0,
        pvTlbFlush: bit(f, 9),
        pvSendIpi: bit(f, 11),
        steal: bit(f, 5),
        names: KVM_FEATURES.filter(([b]) => bit(f, b)).map(([, n]) => n),
      };
    }
    if (sig === 'Microsoft Hv' && max >= base + 4) {
      const rec = cpuid(base + 4, 0)?.eax ?? 0;
      facts.hyperv = {
        recommendations: rec >>> 0,
        remoteTlbFlushByHypercall: bit(rec, 2),
        exProcessorMasks: bit(rec, 11),
      };
    }
    if (sig === 'XenVMMXenVMM' && max >= base + 1) {
      const v = cpuid(base + 1, 0)?.eax ?? 0;
      facts.xen = { leafBase: base, version: v ? `${v >>> 16}.${v & 0xffff}` : null };
    }
  }
  return facts;
}

/** The record when CPUID cannot be asked: every fact null, with the reason in `unknown.vendor`. */
function unasked(cpuidHypervisorBit: boolean | null, why: string): HypervisorFacts {
  const none = { maxLeaf: null, interfaces: [], kvm: null, hyperv: null, xen: null };
  return { vendor: null, signature: null, cpuidHypervisorBit, ...none, unknown: { vendor: why } };
}

export function readHypervisor(native: NativeLoad, cpuinfoHypervisorFlag: boolean | null): HypervisorFacts {
  if (!native.ok) return unasked(cpuinfoHypervisorFlag, `needs CPUID through the native addon: ${native.reason}`);
  if (native.addon.arch !== 'x86_64')
    return unasked(null, `CPUID hypervisor leaves exist on x86 only (this is ${native.addon.arch})`);
  const unknown: Unknowns = {};
  return { ...decodeHypervisor((l, s) => native.addon.cpuid(l, s)), unknown };
}
