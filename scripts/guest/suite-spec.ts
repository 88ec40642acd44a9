// The multi-CPU suite's plan: which probe commands run in which guest, with their deadlines, and
// the shape of what comes back (suite.ts runs it).
import type { Arch } from './host.js';

export type Kind = 'inspect' | 'check' | 'run';

export interface CommandSpec {
  id: string;
  kind: Kind;
  /** Arguments after `node dist/probe/cli.js`. */
  args: string[];
  /** Guest-side deadline: the command's process group gets SIGKILL past it. */
  timeoutMs: number;
  /** Send SIGINT to the command's process group this long after it started (Ctrl-C). */
  sigintMs?: number;
  /** Readers asked for with --readers (they need readers + 1 CPUs). */
  readers?: number;
}

export interface GuestSpec {
  name: string;
  arch: Arch;
  /** A key printed by fetch.sh: x86-6.12, x86-6.1, arm64-6.12. */
  kernel: string;
  vcpus: number;
  commands: CommandSpec[];
}

export interface CommandResult {
  id: string;
  args: string[];
  kind: Kind;
  /** --readers asked for, if any. */
  readers?: number;
  /** Exit status, or null when killed by a signal (then `signal` holds it). */
  exit: number | null;
  signal: number | null;
  timedOut: boolean;
  wallMs: number;
  peakRssKb: number;
  sigintAtMs: number | null;
  /** The parsed stdout (the report), or null with reportError saying why. */
  report: any;
  reportError: string | null;
  /** The report has every part its command promises (see missingParts). */
  complete: boolean;
  missing: string[];
  /** The console held the progress bar's "[###" while this command ran. */
  progressBar: boolean;
  /** What the command wrote on the console (its stderr, a terminal), and any kernel message. */
  console: string;
  /** Resolved native frames of a crash (MEMBARRIER_PROBE_GUEST_CRASHTRACE=1 only), else []. */
  crashTrace: string[];
}

export interface GuestResult {
  name: string;
  arch: Arch;
  kernel: string;
  vcpus: number;
  /** Set when the emulator failed twice before init reported ready: no result at all. */
  emulatorFailure: string | null;
  attempts: {
    ready: boolean;
    bootMs: number | null;
    wallMs: number;
    killedBy: string | null;
    qemuExit: number | null;
    consoleTail: string;
  }[];
  bootMs: number | null;
  readyInfo: Record<string, unknown> | null;
  /** init reached the end of the suite (no hang or guest crash past every deadline). */
  done: boolean;
  /** How the last boot ended, in words: powered off, a deadline, qemu's own exit or signal. */
  ended: string;
  commands: CommandResult[];
  /** Commands of the suite that produced no record (the guest died or was killed first). */
  notRun: string[];
  garbage: string[];
  consoleLog: string;
  wallMs: number;
}

export const S = 1000;

// Deadlines: about four times what each command takes in these guests on this 2-CPU host (x86:
// inspect 6-9 s, check 5-11 s, a default run 22-28 s, a 6 s run 13-20 s, a 10 s run ~4 s more; arm64 inspect 12 s), so
// that a loaded host is no failure but a hang costs minutes, not the CI's whole budget.

/** The full suite for an x86 guest with VCPUS CPUs; reader variants only where they fit. */
export function fullSuite(vcpus: number): CommandSpec[] {
  const c: CommandSpec[] = [
    { id: 'inspect', kind: 'inspect', args: ['inspect', '--json'], timeoutMs: 45 * S },
    {
      id: 'check',
      kind: 'check',
      args: ['check', '--require', 'membarrier-private-expedited', '--json'],
      timeoutMs: 60 * S,
    },
    { id: 'run', kind: 'run', args: ['run', '--json', '--no-save'], timeoutMs: 120 * S },
    // Ctrl-C while the phases run: node's start-up and the run's inspect take ~5 s here before the
    // probe's SIGINT handler exists (a Ctrl-C then just ends node), so it comes at 15 s, which is
    // still early on a host twice as loaded. The phases' time budget (15 s by default) keeps the
    // run going past it on a faster host too, with some strategies finished (--duration 60 was
    // tried: then nothing but calibration has finished at 15 s).
    { id: 'run-sigint', kind: 'run', args: ['run', '--json', '--no-save'], timeoutMs: 60 * S, sigintMs: 15 * S },
  ];
  // --duration counts the run's own inspect, which takes 4-5 s in these guests on a loaded host
  // (its field sample's 200 PRIVATE_EXPEDITED calls cost ~8 ms each here): 6 s once left no time
  // for a single strategy. 10 s leaves the phases at least 5 s.
  for (const r of [1, 3, 7]) {
    if (r + 1 > vcpus) continue;
    c.push({
      id: `readers-${r}`,
      kind: 'run',
      args: ['run', '--readers', String(r), '--duration', '10', '--json', '--no-save'],
      timeoutMs: 75 * S,
      readers: r,
    });
  }
  return c;
}

/** The arm64 guest is slow under TCG: inspect, one short run and check, each to completion. */
export function minimalSuite(): CommandSpec[] {
  return [
    { id: 'inspect', kind: 'inspect', args: ['inspect', '--json'], timeoutMs: 90 * S },
    { id: 'run-short', kind: 'run', args: ['run', '--duration', '12', '--json', '--no-save'], timeoutMs: 120 * S },
    {
      id: 'check',
      kind: 'check',
      args: ['check', '--require', 'membarrier-private-expedited', '--json'],
      timeoutMs: 120 * S,
    },
  ];
}

export const GUESTS: GuestSpec[] = [
  { name: 'x86-6.12-4cpu', arch: 'x86', kernel: 'x86-6.12', vcpus: 4, commands: fullSuite(4) },
  { name: 'x86-6.12-8cpu', arch: 'x86', kernel: 'x86-6.12', vcpus: 8, commands: fullSuite(8) },
  { name: 'x86-6.1-4cpu', arch: 'x86', kernel: 'x86-6.1', vcpus: 4, commands: fullSuite(4) },
  { name: 'arm64-6.12-4cpu', arch: 'arm64', kernel: 'arm64-6.12', vcpus: 4, commands: minimalSuite() },
];
