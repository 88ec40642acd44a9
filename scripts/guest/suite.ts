// The multi-CPU suite: which probe commands run in which guest, how each outcome is read back,
// and runInGuest() for callers (the benchmark) that want one command's figures.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootGuest, type BootOutcome } from './boot.js';
import { CACHE, fetched, type Arch } from './host.js';
import { initramfsWithSuite } from './initramfs.js';
import { crashtracePrefix, resolveCrashtrace } from './crashtrace.js';

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
  attempts: { ready: boolean; bootMs: number | null; wallMs: number; killedBy: string | null; qemuExit: number | null; consoleTail: string }[];
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

const S = 1000;

// Deadlines: about four times what each command takes in these guests on this 2-CPU host (x86:
// inspect 6-9 s, check 5-11 s, a default run 22-28 s, a 6 s run 13-20 s, a 10 s run ~4 s more; arm64 inspect 12 s), so
// that a loaded host is no failure but a hang costs minutes, not the CI's whole budget.

/** The full suite for an x86 guest with VCPUS CPUs; reader variants only where they fit. */
export function fullSuite(vcpus: number): CommandSpec[] {
  const c: CommandSpec[] = [
    { id: 'inspect', kind: 'inspect', args: ['inspect', '--json'], timeoutMs: 45 * S },
    { id: 'check', kind: 'check', args: ['check', '--require', 'membarrier-private-expedited', '--json'], timeoutMs: 60 * S },
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
    c.push({ id: `readers-${r}`, kind: 'run', args: ['run', '--readers', String(r), '--duration', '10', '--json', '--no-save'], timeoutMs: 75 * S, readers: r });
  }
  return c;
}

/** The arm64 guest is slow under TCG: inspect, one short run and check, each to completion. */
export function minimalSuite(): CommandSpec[] {
  return [
    { id: 'inspect', kind: 'inspect', args: ['inspect', '--json'], timeoutMs: 90 * S },
    { id: 'run-short', kind: 'run', args: ['run', '--duration', '12', '--json', '--no-save'], timeoutMs: 120 * S },
    { id: 'check', kind: 'check', args: ['check', '--require', 'membarrier-private-expedited', '--json'], timeoutMs: 120 * S },
  ];
}

export const GUESTS: GuestSpec[] = [
  { name: 'x86-6.12-4cpu', arch: 'x86', kernel: 'x86-6.12', vcpus: 4, commands: fullSuite(4) },
  { name: 'x86-6.12-8cpu', arch: 'x86', kernel: 'x86-6.12', vcpus: 8, commands: fullSuite(8) },
  { name: 'x86-6.1-4cpu', arch: 'x86', kernel: 'x86-6.1', vcpus: 4, commands: fullSuite(4) },
  { name: 'arm64-6.12-4cpu', arch: 'arm64', kernel: 'arm64-6.12', vcpus: 4, commands: minimalSuite() },
];

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const idOk = /^[a-z0-9-]+$/;

/**
 * Flags for the guest's node before cli.js, from MEMBARRIER_PROBE_GUEST_NODE_FLAGS, for diagnosis
 * only (never set by the tests): `--disable-wasm-trap-handler` (Node 20 on x86) leaves SIGSEGV to
 * the kernel, which then logs the faulting ip and module ("segfault at ... in X.node[...]") in
 * the command's console segment; with Node's handler the crash is re-raised and nothing is logged.
 */
const nodeFlags = (process.env.MEMBARRIER_PROBE_GUEST_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);

/** /suite.sh: one mbp-measure line per command, framed on the console by begin/end markers. */
export function suiteScript(commands: CommandSpec[], arch: Arch = 'x86'): string {
  const trace = crashtracePrefix(arch);
  const lines = ['# generated by scripts/guest/suite.ts'];
  for (const f of nodeFlags) if (!/^--[a-z0-9-]+(=[\w.,-]+)?$/.test(f)) throw new Error(`suite: MEMBARRIER_PROBE_GUEST_NODE_FLAGS: ${JSON.stringify(f)} is not a --flag`);
  for (const c of commands) {
    if (!idOk.test(c.id)) throw new Error(`suite: command id ${JSON.stringify(c.id)} must match ${idOk}`);
    lines.push(`echo "=== mbp-begin ${c.id} ===" >&2`);
    lines.push(['/bin/mbp-measure', c.id, '"$RES"', String(c.timeoutMs), String(c.sigintMs ?? 0), `/tmp/${c.id}.out`, '--',
      ...trace.before, '/usr/bin/node', ...trace.nodeFlags, ...nodeFlags, '/app/dist/probe/cli.js', ...c.args.map(quote)].join(' '));
    // Kernel messages of the command (a segfault's ip and code, an oops), which `quiet` keeps
    // off the console, go into its console segment.
    lines.push('dmesg -c >&2');
    lines.push(`echo "=== mbp-end ${c.id} ===" >&2`);
  }
  return `${lines.join('\n')}\n`;
}

/** The parts each command's report promises; what is absent is named. */
export function missingParts(kind: Kind, r: any): string[] {
  const need: [string, (r: any) => boolean][] = [['system', (x) => typeof x?.system === 'object' && x.system !== null]];
  if (kind === 'inspect') {
    for (const k of ['cpus', 'kernel', 'membarrier', 'interrupts', 'timebase', 'platform', 'tlb']) {
      need.push([`system.${k}`, (x) => typeof x?.system?.[k] === 'object' && x.system[k] !== null]);
    }
  } else if (kind === 'check') {
    need.push(['met', (x) => typeof x?.met === 'boolean'], ['exitCode', (x) => Number.isInteger(x?.exitCode)],
      ['requirements[]', (x) => Array.isArray(x?.requirements) && x.requirements.length > 0]);
  } else {
    need.push(['results.strategies', (x) => Object.keys(x?.results?.strategies ?? {}).length > 0],
      ['results.controls', (x) => Object.keys(x?.results?.controls ?? {}).length > 0],
      ['results.cpus', (x) => Array.isArray(x?.results?.cpus?.readers)],
      ['analysis.verdicts', (x) => Object.keys(x?.analysis?.verdicts ?? {}).length > 0],
      ['recommendation', (x) => typeof x?.recommendation === 'object' && x.recommendation !== null]);
  }
  return need.filter(([, ok]) => !ok(r)).map(([name]) => name);
}

function consoleOf(text: string, id: string): string {
  const b = text.indexOf(`=== mbp-begin ${id} ===`);
  if (b < 0) return '';
  const e = text.indexOf(`=== mbp-end ${id} ===`, b);
  return text.slice(b, e < 0 ? undefined : e + `=== mbp-end ${id} ===`.length);
}

function commandResult(spec: CommandSpec, rec: Record<string, any>, consoleText: string): CommandResult {
  let report: any = null;
  let reportError: string | null = null;
  const out = typeof rec.stdout === 'string' ? rec.stdout : '';
  if (!out.trim()) reportError = 'empty stdout';
  else {
    try {
      report = JSON.parse(out);
    } catch (e) {
      reportError = `stdout is not JSON (${(e as Error).message}): ${out.slice(0, 200)}`;
    }
  }
  const missing = report ? missingParts(spec.kind, report) : ['(no report)'];
  const con = consoleOf(consoleText, spec.id);
  return {
    id: spec.id, args: spec.args, kind: spec.kind, readers: spec.readers,
    exit: rec.exit ?? null, signal: rec.signal ?? null, timedOut: rec.timedOut === true,
    wallMs: rec.wallMs, peakRssKb: rec.peakRssKb, sigintAtMs: rec.sigintAtMs >= 0 ? rec.sigintAtMs : null,
    report, reportError, complete: missing.length === 0, missing, progressBar: con.includes('[###'), console: con,
    crashTrace: resolveCrashtrace(con),
  };
}

// The console's last lines, without the terminal escapes SeaBIOS and the kernel send.
const tail = (s: string, n = 3000) => {
  const t = s.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1bc/g, '').replace(/\r/g, '');
  return t.length > n ? t.slice(-n) : t;
};

export interface RunGuestOptions {
  /** Folder for console logs, results channel and initrd; default CACHE/results/<name>. */
  dir?: string;
  /** Echo the console to this writer as it comes (the CLI's --verbose). */
  echo?: (chunk: string) => void;
  log?: (line: string) => void;
}

/**
 * Boots SPEC's guest and runs its commands. A guest that fails before init says ready is
 * booted once more; failing again, the result carries emulatorFailure and no command.
 */
export async function runGuest(spec: GuestSpec, o: RunGuestOptions = {}): Promise<GuestResult> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const dir = o.dir ?? join(CACHE, 'results', spec.name);
  mkdirSync(dir, { recursive: true });
  const kernel = fetched(spec.arch)[spec.kernel];
  if (!kernel) throw new Error(`guest ${spec.name}: fetch.sh gave no kernel ${spec.kernel}`);
  const initrd = initramfsWithSuite(spec.arch, suiteScript(spec.commands, spec.arch), join(CACHE, `initrd-${spec.name}.cpio`));
  // Init is ready ~8-13 s after qemu starts (most of it unpacking the 110-200 MB image).
  // MEMBARRIER_PROBE_GUEST_READY_S overrides, to see the emulator-failure path for real.
  const readyOverride = Number(process.env.MEMBARRIER_PROBE_GUEST_READY_S);
  const readyTimeoutMs = (readyOverride > 0 ? readyOverride : spec.arch === 'x86' ? 60 : 120) * S;
  const totalTimeoutMs = readyTimeoutMs + spec.commands.reduce((a, c) => a + c.timeoutMs + 5 * S, 0);
  const t0 = Date.now();
  const attempts: GuestResult['attempts'] = [];
  let boot: BootOutcome | undefined;
  for (let i = 1; i <= 2; i++) {
    log(`guest ${spec.name}: boot ${i} (${spec.vcpus} vCPUs, ${kernel.split('/').pop()})`);
    const consoleLog = join(dir, `console-${i}.log`);
    boot = await bootGuest({ arch: spec.arch, kernel, initrd, vcpus: spec.vcpus, consoleLog, resultsFile: join(dir, `results-${i}.jsonl`), readyTimeoutMs, totalTimeoutMs }, o.echo);
    attempts.push({ ready: boot.ready, bootMs: boot.bootMs, wallMs: boot.wallMs, killedBy: boot.killedBy, qemuExit: boot.qemuExit, consoleTail: boot.ready ? '' : tail(boot.console) });
    if (boot.ready) break;
    log(`guest ${spec.name}: boot ${i} failed before init was ready (${boot.killedBy ?? `qemu exit ${boot.qemuExit ?? boot.qemuSignal}`}); console in ${consoleLog}`);
  }
  const b = boot as BootOutcome;
  rmSync(initrd, { force: true }); // 100-200 MB, rebuilt from the cached base image in a second
  const consoleLog = join(dir, `console-${attempts.length}.log`);
  const result: GuestResult = {
    name: spec.name, arch: spec.arch, kernel: spec.kernel, vcpus: spec.vcpus,
    emulatorFailure: b.ready ? null
      : `emulator failure: the guest failed before init reported ready, twice (last: ${b.killedBy ?? `qemu exit ${b.qemuExit ?? b.qemuSignal}`}); console ${consoleLog}:\n${tail(b.console, 1500)}`,
    attempts, bootMs: b.bootMs, readyInfo: b.readyInfo, done: b.done,
    ended: b.killedBy ? `killed by the host at its ${b.killedBy}` : b.qemuSignal ? `qemu killed by ${b.qemuSignal}` : b.done ? 'powered off' : `qemu exit ${b.qemuExit} before the suite's end (guest panic or reboot?)`,
    commands: [], notRun: [], garbage: b.garbage, consoleLog, wallMs: Date.now() - t0,
  };
  if (!b.ready) return result;
  for (const c of spec.commands) {
    const rec = b.records.find((r) => r.id === c.id);
    if (rec) result.commands.push(commandResult(c, rec, b.console));
    else result.notRun.push(c.id);
  }
  const file = join(dir, 'result.json');
  writeFileSync(file, `${JSON.stringify(result, null, 1)}\n`);
  log(`guest ${spec.name}: ${result.done ? 'suite done' : `suite NOT done (${result.ended})`} in ${(result.wallMs / S).toFixed(1)} s, boot ${((b.bootMs ?? 0) / S).toFixed(1)} s; ${file}`);
  return result;
}

export interface GuestRun { exit: number | null; signal: number | null; wallMs: number; peakRssKb: number; report: any; result: GuestResult }

/**
 * One probe command in a guest with VCPUS CPUs (for the benchmark): its exit, wall time, peak
 * RSS and parsed report. Throws on an emulator failure or when the command left no record.
 */
export async function runInGuest(args: string[], vcpus: number, o: { arch?: Arch; kernel?: string; timeoutMs?: number; name?: string } & RunGuestOptions = {}): Promise<GuestRun> {
  const arch = o.arch ?? 'x86';
  const spec: GuestSpec = {
    name: o.name ?? `adhoc-${arch}-${vcpus}cpu`, arch, kernel: o.kernel ?? (arch === 'x86' ? 'x86-6.12' : 'arm64-6.12'), vcpus,
    commands: [{ id: 'cmd', kind: args[0] === 'inspect' ? 'inspect' : args[0] === 'check' ? 'check' : 'run', args, timeoutMs: o.timeoutMs ?? 300 * S }],
  };
  const result = await runGuest(spec, o);
  if (result.emulatorFailure) throw new Error(result.emulatorFailure);
  const c = result.commands[0];
  if (!c) throw new Error(`guest ${spec.name}: the command left no record (guest died or hung); console ${result.consoleLog}`);
  return { exit: c.exit, signal: c.signal, wallMs: c.wallMs, peakRssKb: c.peakRssKb, report: c.report, result };
}
