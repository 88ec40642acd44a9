// decodeHypervisor on raw CPUID captured from real machines (each folder's README cites it).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeHypervisor } from '../../probe/inspect/hypervisor.js';
import { cpuidFrom, parseCpuidDump } from './cpuid-dump.js';
import { localFixture } from './fixtures.js';

const decode = (folder: string) => decodeHypervisor(cpuidFrom(parseCpuidDump(localFixture(folder, 'cpuid-raw'))));

// fixture: test/fixtures/cpuid-kvm-intel-xeon-2vcpu (this project's dev machine, Firecracker KVM on Intel Xeon)
test('KVM guest on Intel: KVM with PV TLB flush; the garbage at 0x40000100 is not an interface', () => {
  const h = decode('cpuid-kvm-intel-xeon-2vcpu');
  assert.is(h.cpuidHypervisorBit, true);
  assert.is(h.vendor, 'KVM');
  assert.is(h.signature, 'KVMKVMKVM');
  assert.is(h.maxLeaf, 0x40000001);
  assert.is(h.interfaces.length, 1);
  assert.is(h.kvm?.features, 0x01007efb);
  assert.is(h.kvm?.pvTlbFlush, true);
  assert.is(h.kvm?.pvSendIpi, true);
  assert.ok(h.kvm?.names.includes('pv_tlb_flush'));
  assert.is(h.hyperv, null);
  assert.is(h.xen, null);
});

// fixture: test/fixtures/cpuid-kvm-amd-epyc-firecracker-t2a (Firecracker KVM guest on AMD EPYC, `cpuid -r` in a Rust
// comment)
test('KVM guest on AMD: the same PV TLB flush bit', () => {
  const h = decode('cpuid-kvm-amd-epyc-firecracker-t2a');
  assert.is(h.vendor, 'KVM');
  assert.is(h.kvm?.features, 0x01007efb);
  assert.is(h.kvm?.pvTlbFlush, true);
});

// fixture: test/fixtures/cpuid-azure-tdx-hyperv-guest (Azure TDX guest, quoted-printable mail)
test('Hyper-V guest: remote TLB flush by hypercall is recommended (0x40000004 EAX bit 2)', () => {
  const h = decode('cpuid-azure-tdx-hyperv-guest');
  assert.is(h.vendor, 'Microsoft Hyper-V');
  assert.is(h.maxLeaf, 0x4000000c);
  assert.is(h.hyperv?.recommendations, 0x00360e24);
  assert.is(h.hyperv?.remoteTlbFlushByHypercall, true);
  assert.is(h.hyperv?.exProcessorMasks, true);
  assert.is(h.kvm, null);
});

// fixture: test/fixtures/cpuid-kvm-hyperv-enlightened-i9-13900k (QEMU/KVM with hv_* enlightenments; "CPUID xxxxxxxx:ss
// =" format)
test('KVM presenting Hyper-V enlightenments without the flush recommendation', () => {
  const h = decode('cpuid-kvm-hyperv-enlightened-i9-13900k');
  assert.is(h.vendor, 'Microsoft Hyper-V');
  assert.is(h.hyperv?.recommendations, 0x20);
  assert.is(h.hyperv?.remoteTlbFlushByHypercall, false);
});

// fixture: test/fixtures/cpuid-xen-hvm-aws-c3-large (AWS c3.large, Xen HVM)
test('Xen HVM guest: vendor and version from base+1', () => {
  const h = decode('cpuid-xen-hvm-aws-c3-large');
  assert.is(h.vendor, 'Xen');
  assert.equal(h.xen, { leafBase: 0x40000000, version: '4.11' });
  assert.is(h.kvm, null);
});

// fixture: test/fixtures/cpuid-bare-metal-i9-13900k (bare metal: leaf 1 ECX bit 31 clear)
test('bare metal: no hypervisor bit, so the 0x4000xxxx leaves are not read as a vendor', () => {
  const h = decode('cpuid-bare-metal-i9-13900k');
  assert.is(h.cpuidHypervisorBit, false);
  assert.is(h.vendor, null);
  assert.equal(h.interfaces, []);
});

test('the dump reader refuses text with no CPUID leaves', () => {
  assert.throws(() => parseCpuidDump('hello\n'), /no CPUID leaves/);
});

test.run();
