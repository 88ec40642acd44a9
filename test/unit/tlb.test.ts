// system.tlb (probe/inspect/tlb.ts, tlb-regime.ts) on captured values: CPUID dumps (test/fixtures/cpuid-*,
// test/fixtures/tlb/cpuid-ryzen5-5600g-zen3), kernel configs with and without CONFIG_BROADCAST_TLB_FLUSH
// and PTI on and off (test/fixtures/tlb/README.md says where each comes from and which are constructed).
// The machine facts around them are the recorded report's (this project's KVM Intel guest), changed one
// fact at a time for the hosts no capture here covers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { CpuidRegs } from '../../probe/native.js';
import type { HypervisorFacts, Report, TlbBoolFact } from '../../probe/records.js';
import {
  configOption,
  decodeInvlpgb,
  decodePcid,
  hasBroadcastFlush,
  ptiFromMeltdown,
  tlbFacts,
  type CpuidFn,
  type TlbInputs,
} from '../../probe/inspect/tlb.js';
import { decodeHypervisor } from '../../probe/inspect/hypervisor.js';
import { cpuidFrom, parseCpuidDump } from './cpuid-dump.js';
import { localFixture } from './fixtures.js';

const dump = (folder: string) => cpuidFrom(parseCpuidDump(localFixture(folder, 'cpuid-raw')));
const recorded: Report = JSON.parse(localFixture('reports', 'kvm-intel-xeon-2vcpu-default.json'));
const tlbFile = (f: string) => localFixture('tlb', f);

/** The 5600G's leaves as cpuid_dump_rs prints them ("  0x80000008 0x0:  eax ebx ecx edx"); others read as zeros. */
function ryzen(ebxOverride?: number): CpuidFn {
  const leaves = new Map<number, CpuidRegs>();
  const line = /^\s*0x([0-9A-F]{8}) 0x0:\s+0x(\w{8}) 0x(\w{8}) 0x(\w{8}) 0x(\w{8})/gim;
  for (const m of tlbFile('cpuid-ryzen5-5600g-zen3').matchAll(line)) {
    const [eax, ebx, ecx, edx] = m.slice(2, 6).map((h) => parseInt(h!, 16) >>> 0);
    leaves.set(parseInt(m[1]!, 16), { eax: eax!, ebx: ebx!, ecx: ecx!, edx: edx! });
  }
  const l8 = leaves.get(0x80000008)!;
  if (ebxOverride !== undefined) leaves.set(0x80000008, { ...l8, ebx: ebxOverride });
  return (leaf) => leaves.get(leaf) ?? { eax: 0, ebx: 0, ecx: 0, edx: 0 };
}
// Constructed (README): the 5600G's EBX with bit 3, INVLPGB, set: what a Zen 3/4 EPYC reports.
const ZEN_SERVER_EBX = 0x191ef657 | 0x8;

test('INVLPGB from CPUID 0x80000008 EBX[3]: clear on Zen 3 client, AMD KVM, Intel; set per the layout', () => {
  assert.is(decodeInvlpgb(ryzen()), false);
  assert.is(decodeInvlpgb(ryzen(ZEN_SERVER_EBX)), true);
  assert.is(decodeInvlpgb(dump('cpuid-kvm-amd-epyc-firecracker-t2a')), false);
  assert.is(decodeInvlpgb(dump('cpuid-kvm-intel-xeon-2vcpu')), false);
  assert.is(decodeInvlpgb(dump('cpuid-bare-metal-i9-13900k')), false);
  assert.is(decodeInvlpgb(dump('cpuid-azure-tdx-hyperv-guest')), false);
  // A CPU whose extended range stops below 0x80000008 has no such leaf: the answer is no, not unknown.
  assert.is(
    decodeInvlpgb((l) => (l === 0x80000000 ? { eax: 0x80000004, ebx: 0, ecx: 0, edx: 0 } : null)),
    false,
  );
  assert.is(
    decodeInvlpgb(() => null),
    null,
  );
});

test('PCID from CPUID 1 ECX[17]: set on the KVM guests (ECX 0xfffa3203)', () => {
  assert.is(decodePcid(dump('cpuid-kvm-intel-xeon-2vcpu')), true);
  assert.is(decodePcid(dump('cpuid-kvm-amd-epyc-firecracker-t2a')), true);
});

test('CONFIG_BROADCAST_TLB_FLUSH: =y in 6.18, absent in Debian 6.12 (new in 6.15); "is not set" is off', () => {
  assert.is(configOption(tlbFile('config-6.18.44-fc-excerpt'), 'BROADCAST_TLB_FLUSH'), true);
  assert.is(configOption(tlbFile('config-6.12.117+deb12-amd64-excerpt'), 'BROADCAST_TLB_FLUSH'), false);
  assert.is(configOption(tlbFile('config-6.12.117+deb12-amd64-excerpt'), 'PROCESSOR_SELECT'), false);
  assert.is(configOption(tlbFile('config-6.12.117+deb12-amd64-excerpt'), 'CPU_SUP_AMD'), true);
  // A prefix of another option's name is not that option.
  assert.is(configOption(tlbFile('config-6.18.44-fc-excerpt'), 'BROADCAST_TLB'), false);
});

test('PTI from the meltdown file: on for "Mitigation: PTI", off for "Not affected"', () => {
  assert.is(ptiFromMeltdown(tlbFile('meltdown-pti')), true);
  assert.is(ptiFromMeltdown(tlbFile('meltdown-not-affected-kvm-intel-2vcpu')), false);
  assert.is(hasBroadcastFlush({ major: 6, minor: 15 }), true);
  assert.is(hasBroadcastFlush({ major: 6, minor: 14 }), false);
  assert.is(hasBroadcastFlush({ major: null, minor: null }), null);
});

interface Host {
  cpuid: CpuidFn | null;
  vendor?: string;
  release?: string;
  usable?: number;
  pti?: boolean;
  config?: 'y' | 'absent' | 'unreadable';
  machine?: string;
  cpuidReason?: string;
}

/** The recorded machine's facts with the named ones changed; the config read is counted. */
async function host(h: Host) {
  const s = structuredClone(recorded.system);
  if (h.vendor) s.cpus.vendor = h.vendor;
  if (h.machine) {
    s.platform.machine = h.machine;
    s.platform.arch = 'arm64';
  }
  const [maj, min, pat] = (h.release ?? '6.18.44').split('.').map(Number);
  s.kernel.release = h.release ?? '6.18.44';
  s.kernel.major = maj!;
  s.kernel.minor = min!;
  s.kernel.patch = pat ?? 0;
  const n = h.usable ?? 8;
  s.cpus.allowed = [...Array(n).keys()];
  const noCpuid: HypervisorFacts = {
    ...s.hypervisor,
    cpuidHypervisorBit: null,
    vendor: null,
    kvm: null,
    hyperv: null,
    xen: null,
    interfaces: [],
    unknown: { vendor: 'no CPUID' },
  };
  const hypervisor: HypervisorFacts = h.cpuid ? { ...decodeHypervisor(h.cpuid), unknown: {} } : noCpuid;
  let configReads = 0;
  const config: TlbInputs['config'] = async () => {
    configReads++;
    const file = h.config === 'absent' ? 'config-6.12.117+deb12-amd64-excerpt' : 'config-6.18.44-fc-excerpt';
    const reason = 'not readable (/proc/config.gz: ENOENT)';
    const unreadable: TlbBoolFact = { value: null, source: 'kernel config', reason };
    if (h.config === 'unreadable') return unreadable;
    return { value: configOption(tlbFile(file), 'BROADCAST_TLB_FLUSH'), source: file };
  };
  const t = await tlbFacts({
    platform: s.platform,
    cpus: s.cpus,
    kernel: s.kernel,
    hypervisor,
    cpuid: h.cpuid,
    cpuidReason: h.cpuidReason ?? null,
    config,
    meltdown: { ok: true, text: tlbFile(h.pti ? 'meltdown-pti' : 'meltdown-not-affected-kvm-intel-2vcpu') },
  });
  return { t, configReads };
}

test('this KVM Intel guest: ipi, INVLPGB no from CPUID, the config never read, KVM PV flush named', async () => {
  const { t, configReads } = await host({ cpuid: dump('cpuid-kvm-intel-xeon-2vcpu'), usable: 2 });
  assert.is(t.regime, 'ipi');
  assert.equal(t.facts.invlpgb, { value: false, source: 'cpuid' });
  assert.is(configReads, 0);
  assert.is(t.facts.config.value, null);
  assert.match(t.facts.config.reason!, /not read: no INVLPGB/);
  assert.is(t.facts.kvmPvTlbFlush.value, true);
  assert.is(t.facts.kvmPvTlbFlushUsed.value, true);
  assert.ok(t.reasons.some((r) => /KVM PV TLB flush/.test(r)));
  assert.is(t.exercise, false);
});

test('AMD with INVLPGB, 6.15+, the option on, no PTI, PCID, 8 CPUs: mixed, and the phases warm up', async () => {
  const { t, configReads } = await host({ cpuid: ryzen(ZEN_SERVER_EBX), vendor: 'AuthenticAMD' });
  assert.is(configReads, 1);
  assert.is(t.facts.kernelUsesInvlpgb.value, true);
  assert.is(t.regime, 'mixed');
  assert.is(t.exercise, true);
  assert.match(t.reasons.join(' '), /global ASID/);
});

test('each condition Linux checks turns broadcast flushing off, and says which', async () => {
  const amd = (h: Partial<Host>) => host({ cpuid: ryzen(ZEN_SERVER_EBX), vendor: 'AuthenticAMD', ...h });
  const pti = (await amd({ pti: true })).t;
  assert.is(pti.regime, 'ipi');
  assert.match(pti.facts.kernelUsesInvlpgb.reason!, /PTI is on \(94a17f2dc90b\)/);
  const old = await amd({ release: '6.12.117', config: 'absent' });
  assert.is(old.t.regime, 'ipi');
  assert.is(old.configReads, 0, 'before 6.15 the config cannot matter and is not read');
  const off = (await amd({ release: '6.15.0', config: 'absent' })).t;
  assert.match(off.facts.kernelUsesInvlpgb.reason!, /CONFIG_BROADCAST_TLB_FLUSH is off/);
  const client = (await host({ cpuid: ryzen(), vendor: 'AuthenticAMD' })).t;
  assert.is(client.regime, 'ipi');
  assert.match(client.facts.kernelUsesInvlpgb.reason!, /no INVLPGB in CPUID/);
  const small = (await amd({ usable: 2 })).t;
  assert.is(small.regime, 'ipi');
  assert.is(small.exercise, false);
  assert.match(small.reasons[0]!, /may use 2 CPUs/);
});

test('unknowns stay unknown: an unreadable config, or no CPUID on AMD, is regime unknown with the reason', async () => {
  const cfg = (await host({ cpuid: ryzen(ZEN_SERVER_EBX), vendor: 'AuthenticAMD', config: 'unreadable' })).t;
  assert.is(cfg.regime, 'unknown');
  assert.is(cfg.facts.kernelUsesInvlpgb.value, null);
  assert.match(cfg.reasons[0]!, /CONFIG_BROADCAST_TLB_FLUSH \(not readable/);
  assert.is(cfg.exercise, true);
  const cpuidReason = 'needs CPUID through the native addon: not built';
  const noAddon = (await host({ cpuid: null, vendor: 'AuthenticAMD', cpuidReason })).t;
  assert.is(noAddon.facts.invlpgb.value, null);
  assert.match(noAddon.facts.invlpgb.reason!, /native addon/);
  assert.is(noAddon.regime, 'unknown');
});

test('arm64: broadcast from the first flush, INVLPGB null with a reason, no warm-up needed', async () => {
  const { t } = await host({ cpuid: null, machine: 'aarch64', vendor: 'ARM' });
  assert.is(t.regime, 'broadcast');
  assert.is(t.facts.arm64BroadcastTlbi.value, true);
  assert.is(t.facts.invlpgb.value, null);
  assert.match(t.facts.invlpgb.reason!, /x86 only/);
  assert.is(t.exercise, false);
});

test('Hyper-V guest recommending hypercall flushes (Azure TDX capture): hypercall', async () => {
  const { t } = await host({ cpuid: dump('cpuid-azure-tdx-hyperv-guest') });
  assert.is(t.facts.hypervRemoteFlush.value, true);
  assert.is(t.regime, 'hypercall');
});

test('Xen HVM guest (AWS c3 capture): hypercall', async () => {
  const { t } = await host({ cpuid: dump('cpuid-xen-hvm-aws-c3-large') });
  assert.is(t.facts.xen.value, true);
  assert.is(t.regime, 'hypercall');
});

test.run();
