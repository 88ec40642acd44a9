// /proc/interrupts read before and after each phase: the kernel's own count of the IPIs a heavy
// barrier sends, as a cross-check of the readers' gap test. Normalised per call and per reader CPU.
import { readFileSync } from 'node:fs';
import { barrierRows, parseInterrupts, type InterruptTable } from '../inspect/interrupts.js';

export type Snapshot = InterruptTable | null;

export function snapshot(): Snapshot {
  try {
    return parseInterrupts(readFileSync('/proc/interrupts', 'utf8'));
  } catch {
    return null; // hidden or unreadable: the evidence falls back to the gap test alone
  }
}

/** Per barrier row: (count after − before) summed over `cpus`, divided by calls × cpus. */
export function irqPerCall(
  before: Snapshot,
  after: Snapshot,
  cpus: number[],
  calls: number,
): Record<string, number> | null {
  if (!before || !after || calls <= 0 || !cpus.length) return null;
  const out: Record<string, number> = {};
  for (const row of barrierRows(after)) {
    const prev = before.rows.find((r) => r.id === row.id);
    const cur = after.rows.find((r) => r.id === row.id);
    if (!prev || !cur) continue;
    let delta = 0;
    for (const cpu of cpus) {
      const i = after.cpus.indexOf(cpu);
      const j = before.cpus.indexOf(cpu);
      if (i < 0 || j < 0) return null; // a CPU went offline mid-phase: no honest figure
      delta += cur.counts[i] - prev.counts[j];
    }
    out[row.id] = delta / (calls * cpus.length);
  }
  return out;
}
