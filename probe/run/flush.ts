// Flush evidence: how a page-table strategy's TLB flushes reached the reader CPUs, from the kernel's
// own TLB-shootdown counts (/proc/interrupts) sampled several times across the phase. A broadcast
// flush (INVLPGB with a global ASID, arm64 TLBI) or a hypercall flush leaves the row still while the
// calls go on; a process switched to a global ASID part-way shows IPIs first and stillness after.
// With the gap test this makes two independent signals: readers not interrupted, no IPIs sent.
import type { FlushEvidence } from '../records.js';
import { barrierRows } from '../inspect/interrupts.js';
import { snapshot, type Snapshot } from './interrupts.js';

/** At least this many IPIs per on-CPU call per reader: the flushes went by IPI (mprotect sends ~2: two changes). */
export const IPI_PER_CALL = 0.5;
/** At most this many: the row stayed still (a stray flush of another mapping may still land). */
export const STILL_PER_CALL = 0.02;
/** Samples taken across a phase (the windows between them are judged). */
export const FLUSH_SAMPLES = 8;
/** Fewer on-CPU calls than this say nothing about the flush path. */
export const MIN_FLUSH_CALLS = 50;

export interface TimedSnapshot {
  atMs: number;
  snap: Snapshot;
}

/** Takes `snapshot()` now and every `everyMs` until stopped; the caller adds the last one. */
export function startSampler(everyMs: number): { samples: TimedSnapshot[]; stop: () => void } {
  const samples: TimedSnapshot[] = [{ atMs: performance.now(), snap: snapshot() }];
  const timer = setInterval(() => samples.push({ atMs: performance.now(), snap: snapshot() }), Math.max(5, everyMs));
  return { samples, stop: () => clearInterval(timer) };
}

/** Sum of the row's counts over `cpus` in one snapshot, or null when a CPU or the row is missing. */
function rowSum(snap: Snapshot, row: string, cpus: number[]): number | null {
  const r = snap?.rows.find((x) => x.id === row);
  if (!snap || !r) return null;
  let n = 0;
  for (const cpu of cpus) {
    const i = snap.cpus.indexOf(cpu);
    if (i < 0 || r.counts[i] === undefined) return null;
    n += r.counts[i]!;
  }
  return n;
}

export interface FlushInputs {
  samples: TimedSnapshot[];
  readers: number[];
  /** Per reader: calls during which it stayed on its CPU; descheduled calls send it no IPI. */
  onCpuCalls: number[];
  calls: number;
  descheduledCalls: number;
}

type Kind = FlushEvidence['kind'];

/** Classifies a phase's flushes; pure, so it is tested on captured /proc/interrupts sequences. */
export function classifyFlush(i: FlushInputs): FlushEvidence {
  const none = (reason: string, row: string | null = null, windows: FlushEvidence['windows'] = []): FlushEvidence => ({
    kind: 'unknown',
    reason,
    row,
    tlbIpisPerCall: null,
    windows,
  });
  const snaps = i.samples.filter((x) => x.snap !== null);
  if (snaps.length < 2) return none('/proc/interrupts not readable');
  const row = barrierRows(snaps[0]!.snap!).find((r) => r.role === 'tlb-shootdown')?.id ?? null;
  if (!row) return none(NO_ROW);
  const sums = snaps.map((x) => rowSum(x.snap, row, i.readers));
  if (sums.some((n) => n === null)) return none('a reader CPU or the TLB row disappeared during the phase', row);
  const windows = snaps.slice(1).map((x, k) => ({
    ms: Math.round((x.atMs - snaps[k]!.atMs) * 10) / 10,
    tlbIpis: sums[k + 1]! - sums[k]!,
  }));
  const total = sums[sums.length - 1]! - sums[0]!;
  const onCpu = i.onCpuCalls.reduce((a, b) => a + b, 0);
  if (onCpu < MIN_FLUSH_CALLS) return fewOnCpu(i, total, onCpu, row, windows);
  const perCall = total / onCpu;
  const out = (kind: Kind, reason: string): FlushEvidence => ({ kind, reason, row, tlbIpisPerCall: perCall, windows });
  const rate = `${perCall.toFixed(2)} TLB-shootdown IPIs per on-CPU call on each reader CPU`;
  if (perCall <= STILL_PER_CALL) {
    return out(
      'broadcast',
      `${total} TLB-shootdown IPIs on the reader CPUs over ${onCpu} on-CPU calls: ` +
        'the calls went on while the row stayed still',
    );
  }
  const trailing = trailingStill(windows, i);
  if (trailing) {
    return out(
      'mixed',
      `TLB-shootdown IPIs rose, then stayed still for the last ${trailing.windows} windows ` +
        `(${Math.round(trailing.share * 100)}% of the phase) while the calls went on: a switch to broadcast flushing`,
    );
  }
  if (perCall >= IPI_PER_CALL) return out('ipi', `${rate}: the row rose with the calls`);
  return out('mixed', `${rate}: some flushes reached the readers without an IPI`);
}

const NO_ROW = 'no TLB-shootdown row in /proc/interrupts on this arch (arm64 flushes by broadcast TLBI, counts none)';

/**
 * A switch to broadcast is one-way (a global ASID stays with the process): IPIs, then trailing
 * windows with none. The first and last windows (thread start, wind-down) are not judged, and the
 * stillness counts only where it lasted longer than the readers were ever switched out.
 */
function trailingStill(windows: FlushEvidence['windows'], i: FlushInputs): { windows: number; share: number } | null {
  const inner = windows.slice(1, -1);
  let n = 0;
  for (let k = inner.length - 1; k >= 0 && inner[k]!.tlbIpis === 0; k--) n++;
  const span = windows.reduce((a, w) => a + w.ms, 0);
  const share = span > 0 ? inner.slice(inner.length - n).reduce((a, w) => a + w.ms, 0) / span : 0;
  const descheduled = i.calls > 0 ? i.descheduledCalls / i.calls : 0;
  return n >= 2 && share > descheduled + 0.1 ? { windows: n, share } : null;
}

/**
 * Readers switched out on nearly every call (an emulator's vCPUs, a loaded host): stillness then
 * proves nothing, but a row that rose by an IPI per call over all calls still shows IPIs were sent.
 * The per-on-CPU figure stays unknown.
 */
function fewOnCpu(
  i: FlushInputs,
  total: number,
  onCpu: number,
  row: string,
  windows: FlushEvidence['windows'],
): FlushEvidence {
  const raw = i.calls > 0 && i.readers.length ? total / (i.calls * i.readers.length) : 0;
  const few = `only ${onCpu} of ${i.calls} calls had a reader on its CPU`;
  if (i.calls >= MIN_FLUSH_CALLS && raw >= IPI_PER_CALL) {
    return {
      kind: 'ipi',
      row,
      tlbIpisPerCall: null,
      windows,
      reason:
        `${raw.toFixed(2)} TLB-shootdown IPIs per call on each reader CPU over all calls (${few}): ` +
        'the row rose with the calls',
    };
  }
  return { kind: 'unknown', row, tlbIpisPerCall: null, windows, reason: `${few}: too few to tell the flush path` };
}
