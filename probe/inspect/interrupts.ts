// /proc/interrupts: per-CPU counters. The mechanism evidence of a later stage cross-checks the
// readers' observed execution gaps against these rows, so inspect reports which rows exist here:
// x86 has TLB (shootdowns), CAL (function calls: membarrier's IPI) and RES; arm64 names its IPIs
// "IPIn:" and has no TLB row, because it invalidates TLBs by broadcast instructions.
import type { InterruptFacts, InterruptRole, InterruptRowFacts } from '../records.js';

export interface InterruptTable {
  /** CPU numbers of the columns ("CPU0 CPU3" → [0, 3]; offline CPUs have no column). */
  cpus: number[];
  rows: { id: string; counts: number[]; description: string }[];
}

export function parseInterrupts(text: string): InterruptTable {
  const lines = text.split('\n');
  const header = lines.findIndex((l) => /^\s*CPU\d+/.test(l));
  if (header < 0) throw new Error('no CPU header line in /proc/interrupts');
  const cpus = [...lines[header].matchAll(/CPU(\d+)/g)].map((m) => Number(m[1]));
  const rows: InterruptTable['rows'] = [];
  for (const line of lines.slice(header + 1)) {
    const m = /^\s*([^:\s]+):(.*)$/.exec(line);
    if (!m) continue;
    const tokens = m[2].trim().split(/\s+/).filter(Boolean);
    const counts: number[] = [];
    // Rows such as ERR and MIS carry a single total instead of one count per CPU.
    while (counts.length < cpus.length && tokens.length && /^\d+$/.test(tokens[0])) counts.push(Number(tokens.shift()));
    rows.push({ id: m[1], counts, description: tokens.join(' ') });
  }
  return { cpus, rows };
}

const ROLES: [RegExp, InterruptRole][] = [
  [/TLB shootdown/i, 'tlb-shootdown'],
  // arm (and arm64 before 4.x) prints "Single function call interrupts" (IPI_CALL_FUNC_SINGLE).
  [/single function call/i, 'function-call-single'],
  [/function call/i, 'function-call'],
  [/reschedul/i, 'reschedule'],
];

/** The rows that count IPIs a heavy barrier sends, by role. Only per-CPU rows qualify. */
export function barrierRows(table: InterruptTable): InterruptRowFacts[] {
  const out: InterruptRowFacts[] = [];
  for (const row of table.rows) {
    if (row.counts.length !== table.cpus.length) continue;
    const role = ROLES.find(([re]) => re.test(row.description))?.[1];
    if (role) out.push({ id: row.id, description: row.description, role });
  }
  return out;
}

export function interruptFacts(text: string | null, error: string | null): InterruptFacts {
  if (text === null) {
    return { readable: false, error, cpuColumns: [], rows: [], unknown: { rows: error ?? 'not readable' } };
  }
  try {
    const table = parseInterrupts(text);
    return { readable: true, error: null, cpuColumns: table.cpus, rows: barrierRows(table), unknown: {} };
  } catch (err) {
    const msg = (err as Error).message;
    return { readable: false, error: msg, cpuColumns: [], rows: [], unknown: { rows: msg } };
  }
}
