// Flush classification (probe/run/flush.ts) on /proc/interrupts read 10 times across a real 800 ms
// mprotect phase on this project's 2-vCPU KVM guest (test/fixtures/tlb/interrupts-mprotect-kvm-intel-2vcpu),
// and on sequences constructed from that capture with the TLB row held still (no machine here flushes
// by broadcast; test/fixtures/tlb/README.md). Also the warm-up's miss probability.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseInterrupts } from '../../probe/inspect/interrupts.js';
import { classifyFlush, type FlushInputs } from '../../probe/run/flush.js';
import { warmupMissProbability } from '../../probe/run/tlb-warmup.js';
import { localFixture } from './fixtures.js';

const DIR = 'tlb/interrupts-mprotect-kvm-intel-2vcpu';
const meta = JSON.parse(localFixture(DIR, 'meta.json'));
const texts: string[] = meta.samplesAtMs.map((_: number, i: number) => localFixture(DIR, `interrupts.${i}`));
const reader: number = meta.readerCpus[0];

/** The capture's TLB row on the reader CPU, held at sample `from`'s count from that sample on. */
function held(from: number): string[] {
  const count = (t: string) => {
    const table = parseInterrupts(t);
    return table.rows.find((r) => r.id === 'TLB')!.counts[table.cpus.indexOf(reader)]!;
  };
  const still = count(texts[from]!);
  const hold = (t: string) =>
    t.replace(/^(\s*TLB:\s+\d+\s+)(\d+)/m, (_, pre: string, n: string) => pre + String(still).padStart(n.length));
  return texts.map((t, i) => (i <= from ? t : hold(t)));
}

const inputs = (ts: string[], over: Partial<FlushInputs> = {}): FlushInputs => ({
  samples: ts.map((t, i) => ({ atMs: meta.samplesAtMs[i], snap: parseInterrupts(t) })),
  readers: meta.readerCpus,
  onCpuCalls: meta.onCpuCalls,
  calls: meta.calls,
  descheduledCalls: meta.descheduledCalls,
  ...over,
});

test('real mprotect phase on KVM: ipi, about two TLB shootdowns per call (two protection changes)', () => {
  const f = classifyFlush(inputs(texts));
  assert.is(f.kind, 'ipi');
  assert.is(f.row, 'TLB');
  const tlb = (t: string) => parseInterrupts(t).rows.find((r) => r.id === 'TLB')!.counts[1]!;
  const expected = (tlb(texts[texts.length - 1]!) - tlb(texts[0]!)) / meta.onCpuCalls[0];
  assert.ok(Math.abs(f.tlbIpisPerCall! - expected) < 1e-9, `${f.tlbIpisPerCall} vs ${expected}`);
  assert.ok(f.tlbIpisPerCall! > 1.5 && f.tlbIpisPerCall! < 2.5, String(f.tlbIpisPerCall));
  assert.is(f.windows.length, texts.length - 1);
  assert.ok(f.windows.slice(0, -1).every((w) => w.tlbIpis > 0));
});

test('the TLB row held still while the calls went on (constructed): broadcast', () => {
  const f = classifyFlush(inputs(held(0)));
  assert.is(f.kind, 'broadcast');
  assert.is(f.tlbIpisPerCall, 0);
  assert.match(f.reason, /stayed still/);
});

test('IPIs first, then still to the end (constructed: a global ASID given part-way): mixed', () => {
  const f = classifyFlush(inputs(held(3)));
  assert.is(f.kind, 'mixed');
  assert.match(f.reason, /switch to broadcast/);
});

test('trailing stillness no longer than the readers were switched out is not taken for a switch', () => {
  // The same trailing windows, but with the readers descheduled for 90% of the calls: stillness is explained.
  const f = classifyFlush(inputs(held(3), { descheduledCalls: Math.round(meta.calls * 0.9) }));
  assert.not.equal(f.kind, 'broadcast');
  assert.not.match(f.reason, /switch to broadcast/);
});

test('unknown: /proc/interrupts unreadable, no TLB row (arm64), too few on-CPU calls; a rising row counts', () => {
  const hidden = [
    { atMs: 0, snap: null },
    { atMs: 1, snap: null },
  ];
  assert.is(classifyFlush({ ...inputs(texts), samples: hidden }).kind, 'unknown');
  const arm = parseInterrupts(localFixture('arm64-aws-graviton-8cpu', 'interrupts'));
  const armSamples = [
    { atMs: 0, snap: arm },
    { atMs: 1, snap: arm },
  ];
  const noRow = classifyFlush({ ...inputs(texts), samples: armSamples, readers: [1] });
  assert.is(noRow.kind, 'unknown');
  assert.match(noRow.reason, /no TLB-shootdown row/);
  // Readers switched out on nearly every call: stillness proves nothing...
  assert.is(classifyFlush(inputs(held(0), { onCpuCalls: [10], descheduledCalls: meta.calls - 10 })).kind, 'unknown');
  // ...but a row that rose by an IPI per call over all calls still shows IPIs (the per-on-CPU figure stays unknown).
  const raw = classifyFlush(inputs(texts, { onCpuCalls: [10], descheduledCalls: meta.calls - 10 }));
  assert.is(raw.kind, 'ipi');
  assert.is(raw.tlbIpisPerCall, null);
  assert.match(raw.reason, /over all calls \(only 10 of \d+ calls had a reader on its CPU\)/);
});

test('warm-up miss probability: none for dense calls over a 320 ms window, (31/32)^calls for sparse ones', () => {
  assert.is(warmupMissProbability(1280, 100_000), 0);
  assert.ok(Math.abs(warmupMissProbability(1280, 45) - Math.pow(31 / 32, 45)) < 1e-12);
  assert.ok(warmupMissProbability(1280, 45) > 0.2, 'TCG-slow mprotect (28 ms a call): the check may well be missed');
  assert.is(warmupMissProbability(100, 100_000) > 0, true, 'dense but shorter than one 32-jiffy window at HZ=100');
  assert.is(warmupMissProbability(1280, 0), 1);
});

test.run();
