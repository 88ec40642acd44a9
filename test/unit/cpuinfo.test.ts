import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpuIdentity, parseCpuinfo, processorBlocks } from '../../probe/inspect/cpuinfo.js';
import { localFixture, devFixture } from './fixtures.js';

test('AMD EPYC KVM guest: identity and flags', () => {
  // fixture: test/fixtures/dev-kvm-amd-epyc-2vcpu (project dev machine, AMD EPYC KVM guest)
  const blocks = parseCpuinfo(devFixture('kvm-amd-epyc-2vcpu', 'cpuinfo'));
  const procs = processorBlocks(blocks);
  assert.is(procs.length, 2);
  assert.equal(
    procs.map((b) => b.processor),
    ['0', '1'],
  );
  assert.is(procs[1]['core id'], '1');
  assert.is(procs[0]['power management'], '');
  const id = cpuIdentity(blocks);
  assert.is(id.vendor, 'AuthenticAMD');
  assert.is(id.modelName, 'AMD EPYC');
  assert.is(id.family, 25);
  assert.is(id.model, 1);
  assert.is(id.stepping, 1);
  assert.is(id.microcode, '0x1000065');
  assert.is(id.implementer, null);
  assert.is(id.part, null);
  // The capture's flags have pcid, invpcid, hypervisor, constant_tsc, nonstop_tsc; no invlpgb.
  assert.equal(id.flags, {
    invlpgb: false,
    pcid: true,
    invpcid: true,
    hypervisor: true,
    constant_tsc: true,
    nonstop_tsc: true,
  });
  assert.ok(id.flagWords.has('topoext'));
  assert.ok(id.flagWords.has('fsrm'));
  assert.not.ok(id.flagWords.has('avx512f'));
});

test('Intel Xeon KVM guest: identity and flags', () => {
  // fixture: test/fixtures/dev-kvm-intel-xeon-2vcpu (project dev machine, Intel Xeon KVM guest)
  const blocks = parseCpuinfo(devFixture('kvm-intel-xeon-2vcpu', 'cpuinfo'));
  assert.is(processorBlocks(blocks).length, 2);
  const id = cpuIdentity(blocks);
  assert.is(id.vendor, 'GenuineIntel');
  assert.is(id.modelName, 'Intel(R) Xeon(R) Processor');
  assert.is(id.family, 6);
  assert.is(id.model, 167);
  assert.is(id.stepping, 1);
  assert.is(id.microcode, '0x1');
  assert.equal(id.flags, {
    invlpgb: false,
    pcid: true,
    invpcid: true,
    hypervisor: true,
    constant_tsc: true,
    nonstop_tsc: true,
  });
  assert.ok(id.flagWords.has('avx512f'));
  assert.ok(id.flagWords.has('arch_capabilities'));
});

test('bare-metal i7-8650U: 8 processors, no hypervisor flag', () => {
  // fixture: test/fixtures/bare-metal-laptop-i7-8650u-smt (prometheus/node_exporter collector/fixtures/proc/cpuinfo)
  const blocks = parseCpuinfo(localFixture('bare-metal-laptop-i7-8650u-smt', 'cpuinfo'));
  const procs = processorBlocks(blocks);
  assert.is(procs.length, 8);
  assert.equal(
    procs.map((b) => b.processor),
    ['0', '1', '2', '3', '4', '5', '6', '7'],
  );
  assert.equal(
    procs.map((b) => b.apicid),
    ['0', '2', '4', '6', '1', '3', '5', '7'],
  );
  assert.equal(
    procs.map((b) => b['core id']),
    ['0', '1', '2', '3', '0', '1', '2', '3'],
  );
  const id = cpuIdentity(blocks);
  assert.is(id.vendor, 'GenuineIntel');
  assert.is(id.modelName, 'Intel(R) Core(TM) i7-8650U CPU @ 1.90GHz');
  assert.is(id.family, 6);
  assert.is(id.model, 142);
  assert.is(id.stepping, 10);
  assert.is(id.microcode, '0xb4');
  assert.equal(id.flags, {
    invlpgb: false,
    pcid: true,
    invpcid: true,
    hypervisor: false,
    constant_tsc: true,
    nonstop_tsc: true,
  });
  // "invpcid_single" is a different word from "invpcid"; both are in this capture.
  assert.ok(id.flagWords.has('invpcid_single'));
});

test('arm64 Cavium ThunderX: implementer and part, x86 flags not applicable', () => {
  // fixture: test/fixtures/arm64-cavium-thunderx-scaleway-2cpu (pytorch/cpuinfo test/cpuinfo/scaleway.log)
  const blocks = parseCpuinfo(localFixture('arm64-cavium-thunderx-scaleway-2cpu', 'cpuinfo'));
  const procs = processorBlocks(blocks);
  assert.is(procs.length, 2);
  assert.is(procs[0]['CPU architecture'], '8');
  assert.is(procs[1].BogoMIPS, '200.00');
  const id = cpuIdentity(blocks);
  assert.is(id.vendor, 'Cavium');
  assert.is(id.implementer, '0x43');
  assert.is(id.part, '0x0a1');
  assert.is(id.modelName, null);
  assert.is(id.family, null);
  assert.is(id.model, null);
  assert.is(id.stepping, null);
  assert.is(id.microcode, null);
  assert.equal(id.flags, {
    invlpgb: null,
    pcid: null,
    invpcid: null,
    hypervisor: null,
    constant_tsc: null,
    nonstop_tsc: null,
  });
  assert.equal([...id.flagWords], ['fp', 'asimd', 'evtstrm', 'aes', 'pmull', 'sha1', 'sha2', 'crc32', 'atomics']);
});

test('older arm64 layout: trailing Hardware block names the machine, non-processor block is dropped', () => {
  // Hand-made in the layout of pre-4.x arm64 kernels (Processor line, trailing Hardware block).
  const text = [
    'Processor\t: AArch64 Processor rev 4 (aarch64)',
    'processor\t: 0',
    'Features\t: fp asimd evtstrm',
    'CPU implementer\t: 0x41',
    'CPU part\t: 0xd03',
    '',
    'Hardware\t: Qualcomm Technologies, Inc MSM8953',
    '',
  ].join('\n');
  const blocks = parseCpuinfo(text);
  assert.is(blocks.length, 2);
  assert.is(processorBlocks(blocks).length, 1);
  const id = cpuIdentity(blocks);
  assert.is(id.vendor, 'ARM');
  assert.is(id.modelName, 'AArch64 Processor rev 4 (aarch64)');
  assert.is(id.part, '0xd03');
  // An implementer code outside the table is shown as hex.
  assert.is(cpuIdentity(parseCpuinfo('processor\t: 0\nCPU implementer\t: 0x99\n')).vendor, 'implementer 0x99');
});

test('empty cpuinfo gives no blocks and an empty identity', () => {
  assert.equal(parseCpuinfo(''), []);
  const id = cpuIdentity([]);
  assert.is(id.vendor, null);
  assert.is(id.modelName, null);
  assert.is(id.flags.pcid, null);
});

test.run();
