import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { barrierRows, interruptFacts, parseInterrupts } from '../../probe/inspect/interrupts.js';
import { localFixture, devFixture } from './fixtures.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const row = (t: ReturnType<typeof parseInterrupts>, id: string) => {
  const r = t.rows.find((x) => x.id === id);
  if (!r) throw new Error(`no ${id} row`);
  return r;
};

test('AMD EPYC KVM guest: columns, TLB/CAL/RES rows and counts', () => {
  // fixture: test/fixtures/dev-kvm-amd-epyc-2vcpu (project dev machine, AMD EPYC KVM guest)
  const text = devFixture('kvm-amd-epyc-2vcpu', 'interrupts');
  const t = parseInterrupts(text);
  assert.equal(t.cpus, [0, 1]);
  assert.equal(row(t, 'RES'), { id: 'RES', counts: [11991, 11467], description: 'Rescheduling interrupts' });
  assert.equal(row(t, 'CAL'), { id: 'CAL', counts: [536364, 788701], description: 'Function call interrupts' });
  assert.equal(row(t, 'TLB'), { id: 'TLB', counts: [3783, 177328], description: 'TLB shootdowns' });
  assert.equal(row(t, 'HYP').counts, [2, 2]);
  assert.equal(row(t, '31'), {
    id: '31',
    counts: [0, 1405],
    description: 'PCI-MSIX-0000:00:01.0 3-edge virtio0-stats',
  });
  // ERR and MIS carry one total, not a count per CPU.
  assert.equal(row(t, 'ERR'), { id: 'ERR', counts: [0], description: '' });
  assert.equal(row(t, 'MIS'), { id: 'MIS', counts: [0], description: '' });
  assert.equal(barrierRows(t), [
    { id: 'RES', description: 'Rescheduling interrupts', role: 'reschedule' },
    { id: 'CAL', description: 'Function call interrupts', role: 'function-call' },
    { id: 'TLB', description: 'TLB shootdowns', role: 'tlb-shootdown' },
  ]);
  const f = interruptFacts(text, null);
  assert.is(f.readable, true);
  assert.is(f.error, null);
  assert.equal(f.cpuColumns, [0, 1]);
  assert.equal(
    f.rows.map((r) => r.role),
    ['reschedule', 'function-call', 'tlb-shootdown'],
  );
  assert.equal(f.unknown, {});
});

test('Intel Xeon KVM guest: columns, TLB/CAL/RES rows and counts', () => {
  // fixture: test/fixtures/dev-kvm-intel-xeon-2vcpu (project dev machine, Intel Xeon KVM guest)
  const text = devFixture('kvm-intel-xeon-2vcpu', 'interrupts');
  const t = parseInterrupts(text);
  assert.equal(t.cpus, [0, 1]);
  assert.equal(row(t, 'RES').counts, [3105, 2653]);
  assert.equal(row(t, 'CAL').counts, [22659, 328657]);
  assert.equal(row(t, 'TLB').counts, [1030, 206939]);
  assert.equal(row(t, 'HYP').counts, [81, 42]);
  assert.equal(
    barrierRows(t).map((r) => [r.id, r.role]),
    [
      ['RES', 'reschedule'],
      ['CAL', 'function-call'],
      ['TLB', 'tlb-shootdown'],
    ],
  );
  assert.equal(interruptFacts(text, null).cpuColumns, [0, 1]);
});

test('arm64 Graviton: IPI rows, no TLB row', () => {
  // fixture: test/fixtures/arm64-aws-graviton-8cpu (prometheus/node_exporter
  // collector/fixtures/proc/interrupts_aarch64)
  const text = localFixture('arm64-aws-graviton-8cpu', 'interrupts');
  const t = parseInterrupts(text);
  assert.equal(t.cpus, range(8));
  // "IPI0:2768808080" has no space after the colon.
  assert.equal(
    row(t, 'IPI0').counts,
    [2768808080, 2844211768, 2878602432, 2730576120, 2723524623, 3349096412, 2717389879, 2154252810],
  );
  assert.equal(
    row(t, 'IPI1').counts,
    [357815098, 213258177, 153713187, 132890624, 124746406, 123498004, 122386326, 120728639],
  );
  assert.is(row(t, '10').counts[0], 3287008667);
  assert.is(row(t, '10').description, 'GICv3 27 Level arch_timer');
  assert.equal(row(t, 'Err').counts, [0]);
  assert.equal(barrierRows(t), [
    { id: 'IPI0', description: 'Rescheduling interrupts', role: 'reschedule' },
    { id: 'IPI1', description: 'Function call interrupts', role: 'function-call' },
  ]);
  const f = interruptFacts(text, null);
  assert.is(f.readable, true);
  assert.equal(f.cpuColumns, range(8));
  assert.not.ok(f.rows.some((r) => r.role === 'tlb-shootdown'));
});

test('arm64 Xen dom0 (Versal VCK190): IPI rows', () => {
  // fixture: test/fixtures/arm64-xen-dom0-versal-vck190-2cpu (xen-devel message by Stewart Hildebrand, 2023-09-19)
  const t = parseInterrupts(localFixture('arm64-xen-dom0-versal-vck190-2cpu', 'interrupts'));
  assert.equal(t.cpus, [0, 1]);
  assert.equal(row(t, '0'), { id: '0', counts: [0, 92], description: 'xen-dyn Edge -event xenbus' });
  assert.equal(row(t, '37'), { id: '37', counts: [17, 0], description: 'ITS-MSI 524288 Edge nvme0q0' });
  assert.equal(row(t, 'IPI0').counts, [30, 101]);
  assert.equal(row(t, 'IPI1').counts, [1888, 1458]);
  assert.equal(barrierRows(t), [
    { id: 'IPI0', description: 'Rescheduling interrupts', role: 'reschedule' },
    { id: 'IPI1', description: 'Function call interrupts', role: 'function-call' },
  ]);
});

test('bare-metal 2-socket Xeon E5-2620 v4: 32 columns, TLB row', () => {
  // fixture: test/fixtures/bare-metal-xeon-e5-2620v4-2socket-smt-32cpu (deater/deterministic broadwell-ep results)
  const t = parseInterrupts(localFixture('bare-metal-xeon-e5-2620v4-2socket-smt-32cpu', 'interrupts'));
  assert.equal(t.cpus, range(32));
  const tlb = row(t, 'TLB');
  assert.is(tlb.counts.length, 32);
  assert.equal(tlb.counts.slice(0, 3), [144, 402, 465]);
  assert.is(tlb.counts[31], 222);
  assert.is(tlb.description, 'TLB shootdowns');
  const cal = row(t, 'CAL');
  assert.is(cal.counts[0], 9730);
  assert.is(cal.counts[31], 5450);
  assert.is(row(t, 'RES').counts[0], 55751);
  assert.is(row(t, 'RES').counts[31], 43);
  assert.equal(
    barrierRows(t).map((r) => [r.id, r.role]),
    [
      ['RES', 'reschedule'],
      ['CAL', 'function-call'],
      ['TLB', 'tlb-shootdown'],
    ],
  );
});

test('bare-metal laptop, old kernel: chip-trigger style rows, RES/CAL/TLB', () => {
  // fixture: test/fixtures/bare-metal-laptop-4cpu-old-kernel (prometheus/node_exporter
  // collector/fixtures/proc/interrupts)
  const t = parseInterrupts(localFixture('bare-metal-laptop-4cpu-old-kernel', 'interrupts'));
  assert.equal(t.cpus, [0, 1, 2, 3]);
  assert.equal(row(t, '16'), {
    id: '16',
    counts: [328511, 322879, 293782, 351412],
    description: 'IR-IO-APIC-fasteoi ehci_hcd:usb1, mmc0',
  });
  assert.equal(row(t, 'RES').counts, [10847134, 9111507, 15999335, 7457260]);
  assert.equal(row(t, 'CAL').counts, [148554, 157441, 142912, 155528]);
  assert.equal(row(t, 'TLB').counts, [10460334, 9918429, 10494258, 10345022]);
  assert.equal(row(t, 'MIS').counts, [0]);
  assert.equal(
    barrierRows(t).map((r) => r.role),
    ['reschedule', 'function-call', 'tlb-shootdown'],
  );
});

test('bare-metal i7-5557U with HYP/HRE rows: those rows are not barrier rows', () => {
  // fixture: test/fixtures/bare-metal-intel-i7-5557u-4cpu-hyp-rows (deater/deterministic broadwell results)
  const t = parseInterrupts(localFixture('bare-metal-intel-i7-5557u-4cpu-hyp-rows', 'interrupts'));
  assert.equal(t.cpus, [0, 1, 2, 3]);
  assert.equal(row(t, 'HYP'), { id: 'HYP', counts: [0, 0, 0, 0], description: 'Hypervisor callback interrupts' });
  assert.equal(row(t, 'HRE'), { id: 'HRE', counts: [0, 0, 0, 0], description: 'Hyper-V reenlightenment interrupts' });
  assert.equal(row(t, 'RES').counts, [3470, 4175, 3554, 5346]);
  assert.equal(row(t, 'CAL').counts, [4997, 5590, 5623, 4033]);
  assert.equal(row(t, 'TLB').counts, [46, 35, 56, 40]);
  assert.equal(barrierRows(t), [
    { id: 'RES', description: 'Rescheduling interrupts', role: 'reschedule' },
    { id: 'CAL', description: 'Function call interrupts', role: 'function-call' },
    { id: 'TLB', description: 'TLB shootdowns', role: 'tlb-shootdown' },
  ]);
});

test('single-value rows (ERR, MIS) never qualify as barrier rows', () => {
  // Hand-made: a one-total row whose description would otherwise match a role.
  const t = parseInterrupts(
    [
      '           CPU0       CPU1',
      'CAL:         10         20   Function call interrupts',
      'XXX:          7   Function call interrupts',
      'ERR:          0',
      '',
    ].join('\n'),
  );
  assert.equal(row(t, 'XXX').counts, [7]);
  assert.equal(
    barrierRows(t).map((r) => r.id),
    ['CAL'],
  );
});

test('offline CPUs have no column: CPU numbers come from the header', () => {
  // Hand-made: CPU1 and CPU2 offline.
  const t = parseInterrupts(
    ['           CPU0       CPU3       ', 'RES:          5          6   Rescheduling interrupts', ''].join('\n'),
  );
  assert.equal(t.cpus, [0, 3]);
  assert.equal(row(t, 'RES').counts, [5, 6]);
});

test('32-bit arm IPI names: "Single function call interrupts" is function-call-single', () => {
  // Hand-made in the format of arch/arm/kernel/smp.c show_ipi_list (ipi_types names).
  const text = [
    '           CPU0       CPU1       ',
    'IPI0:          0          0  CPU wakeup interrupts',
    'IPI1:          0          0  Timer broadcast interrupts',
    'IPI2:       1234       2345  Rescheduling interrupts',
    'IPI3:         12         34  Function call interrupts',
    'IPI4:        567        890  Single function call interrupts',
    'IPI5:          0          0  CPU stop interrupts',
    'Err:          0',
    '',
  ].join('\n');
  assert.equal(barrierRows(parseInterrupts(text)), [
    { id: 'IPI2', description: 'Rescheduling interrupts', role: 'reschedule' },
    { id: 'IPI3', description: 'Function call interrupts', role: 'function-call' },
    { id: 'IPI4', description: 'Single function call interrupts', role: 'function-call-single' },
  ]);
});

test('no CPU header: unreadable with the parser message', () => {
  assert.throws(() => parseInterrupts('RES: 1 2 Rescheduling interrupts\n'), /no CPU header line/);
  assert.equal(interruptFacts('garbage without a header\n', null), {
    readable: false,
    error: 'no CPU header line in /proc/interrupts',
    cpuColumns: [],
    rows: [],
    unknown: { rows: 'no CPU header line in /proc/interrupts' },
  });
  assert.equal(interruptFacts('', null).error, 'no CPU header line in /proc/interrupts');
});

test('unreadable file: the read error is passed through', () => {
  assert.equal(interruptFacts(null, 'EACCES'), {
    readable: false,
    error: 'EACCES',
    cpuColumns: [],
    rows: [],
    unknown: { rows: 'EACCES' },
  });
  assert.equal(interruptFacts(null, null).unknown, { rows: 'not readable' });
});

test.run();
