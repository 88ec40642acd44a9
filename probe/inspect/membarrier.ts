// membarrier(2) support: the QUERY mask decoded by command, and what each REGISTER does here.
// The registrations run in a short-lived child (native/inspect/membarrier_child.cc) so that a
// seccomp filter that kills the caller is reported instead of killing us.
import type { MembarrierFacts, SyscallOutcome, Unknowns } from '../records.js';
import type { MembarrierChildResult, NativeLoad, NativeSys } from '../native.js';
import { errnoName, membarrierErrnoMeaning } from '../errno.js';

/** Command names by bit, as in include/uapi/linux/membarrier.h. */
export const MEMBARRIER_COMMANDS: readonly [string, number][] = [
  ['GLOBAL', 1 << 0],
  ['GLOBAL_EXPEDITED', 1 << 1],
  ['REGISTER_GLOBAL_EXPEDITED', 1 << 2],
  ['PRIVATE_EXPEDITED', 1 << 3],
  ['REGISTER_PRIVATE_EXPEDITED', 1 << 4],
  ['PRIVATE_EXPEDITED_SYNC_CORE', 1 << 5],
  ['REGISTER_PRIVATE_EXPEDITED_SYNC_CORE', 1 << 6],
  ['PRIVATE_EXPEDITED_RSEQ', 1 << 7],
  ['REGISTER_PRIVATE_EXPEDITED_RSEQ', 1 << 8],
  ['GET_REGISTRATIONS', 1 << 9],
];

export function commandName(cmd: number): string {
  if (cmd === 0) return 'QUERY';
  return MEMBARRIER_COMMANDS.find(([, b]) => b === cmd)?.[0] ?? `command ${cmd}`;
}

/** The commands whose bits are set in a QUERY mask (QUERY itself is implied by any answer). */
export function decodeMask(mask: number): string[] {
  return MEMBARRIER_COMMANDS.filter(([, b]) => (mask & b) !== 0).map(([n]) => n);
}

export function outcome(r: NativeSys): SyscallOutcome {
  return r.ok ? r : { ok: false, errno: r.errno, code: errnoName(r.errno), meaning: membarrierErrnoMeaning(r.errno) };
}

/** The command that was running when a killed child died: the first it never reported. */
export function killedAt(child: MembarrierChildResult, sequence: number[]): string | null {
  if (child.end !== 'signaled' && child.end !== 'timeout') return null;
  const done = new Set<number>(child.registrations.map((r) => r.cmd));
  if (child.query) done.add(0);
  if (child.getRegistrations) done.add(1 << 9);
  const next = sequence.find((c) => !done.has(c));
  return next === undefined ? null : commandName(next);
}

/**
 * The kernel drops GLOBAL from the QUERY mask when nohz_full is enabled (kernel/sched/membarrier.c)
 * and the call fails with EINVAL; so GLOBAL missing while nohz_full CPUs exist means refused.
 */
export function globalRefusedByNohzFull(mask: number | null, nohzFull: number[] | null): boolean | null {
  if (mask === null || nohzFull === null) return null;
  return nohzFull.length > 0 && (mask & 1) === 0;
}

const CHILD_TIMEOUT_MS = 2000;

export function readMembarrier(native: NativeLoad, nohzFull: number[] | null): MembarrierFacts {
  const unknown: Unknowns = {};
  const empty = (reason: string): MembarrierFacts => {
    unknown.queryMask = reason;
    return {
      queryMask: null,
      error: null,
      commands: MEMBARRIER_COMMANDS.map(([name, bit]) => ({ name, bit, supported: null })),
      registrations: [],
      registeredMask: null,
      registeredCommands: [],
      child: null,
      globalRefusedByNohzFull: null,
      unknown,
    };
  };
  if (!native.ok) return empty(`needs the native addon: ${native.reason}`);

  // Even QUERY goes through the child: a filter that kills on membarrier kills on QUERY too.
  const child = native.addon.probeMembarrierInChild(CHILD_TIMEOUT_MS);
  const seq = native.addon.membarrierChildSequence;
  const q = child.query;
  const queryMask = q?.ok ? q.value : null;
  const error =
    q && !q.ok ? { errno: q.errno, code: errnoName(q.errno), meaning: membarrierErrnoMeaning(q.errno) } : null;
  const childFacts = {
    end: child.end,
    signal: child.end === 'signaled' ? child.signal : null,
    killedAt: killedAt(child, seq),
  };
  if (!q) {
    unknown.queryMask =
      child.end === 'signaled'
        ? `a process calling membarrier here is killed (signal ${child.signal} at ${childFacts.killedAt})`
        : `the membarrier child ended before answering (${child.end})`;
  }
  const regResults = new Map(child.registrations.map((r) => [r.cmd, r.result]));
  const gr = child.getRegistrations;
  const registeredMask = gr?.ok ? gr.value : null;
  if (!gr?.ok)
    unknown.registeredMask = gr
      ? `GET_REGISTRATIONS failed: ${errnoName(gr.errno)} (the kernel has it from 6.3)`
      : 'not reached';
  return {
    queryMask,
    error,
    commands: MEMBARRIER_COMMANDS.map(([name, bit]) => ({
      name,
      bit,
      supported: queryMask === null ? null : (queryMask & bit) !== 0,
    })),
    registrations: seq
      .filter((c) => c !== 0 && c !== 1 << 9)
      .map((c) => {
        const r = regResults.get(c);
        return { command: commandName(c), outcome: r ? outcome(r) : null };
      }),
    registeredMask,
    registeredCommands: registeredMask === null ? [] : decodeMask(registeredMask),
    child: childFacts,
    globalRefusedByNohzFull: globalRefusedByNohzFull(queryMask, nohzFull),
    unknown,
  };
}
