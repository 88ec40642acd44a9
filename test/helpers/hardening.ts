// What the hardening matrix's rows share: the CLI run under a wrapper with its wall time, the row
// that runs or is counted as skipped with its reason, and what this machine can produce.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseCpuList } from '../../probe/inspect/cpulist.js';
import { CLI, ROOT } from './run-cli.js';

export interface Timed {
  status: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the built CLI (under an optional wrapper) with a hard timeout; returns the wall time too. */
export function cli(args: string[], opts: { wrap?: string[]; timeoutMs?: number; cwd?: string } = {}): Timed {
  const wrap = opts.wrap ?? [];
  const argv = [...wrap, process.execPath, CLI, ...args];
  const env = { ...process.env, FORCE_COLOR: undefined, NO_COLOR: undefined };
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), {
    encoding: 'utf8',
    env,
    cwd: opts.cwd ?? ROOT,
    timeout: opts.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 << 20,
  });
  const ms = performance.now() - t0;
  if (r.error) throw new Error(`${argv.join(' ')}: ${r.error.message} after ${ms.toFixed(0)} ms`);
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, ms };
}

export function within(r: Timed, budgetMs: number, what: string) {
  console.log(
    `    ${what}: exit ${r.status} in ${(r.ms / 1000).toFixed(2)} s (budget ${(budgetMs / 1000).toFixed(1)} s)`,
  );
  assert.ok(r.ms <= budgetMs, `${what} took ${r.ms.toFixed(0)} ms, over its ${budgetMs} ms budget`);
}

export function json(r: Timed) {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`stdout is not JSON (exit ${r.status}): ${r.stdout.slice(0, 300)}\n${r.stderr}`);
  }
}

export const works = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL' });
  return r.error
    ? `${cmd}: ${r.error.message}`
    : r.status === 0
      ? null
      : `${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.trim()}`;
};

/** Declares a row: run it when `why` is null, else print the reason and count it as skipped. */
export function row(name: string, why: string | null, fn: () => unknown) {
  if (why === null) test(name, fn as () => void);
  else {
    console.log(`  SKIP ${name}: ${why}`);
    test.skip(name, fn as () => void);
  }
}

// ---- load time: what this machine can produce ----
export const status = readFileSync('/proc/self/status', 'utf8');
export const allowed = parseCpuList(/^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1] ?? '');
export const first = allowed[0];
export const twoCpus =
  allowed.length >= 2
    ? null
    : `only ${allowed.length} usable CPU (${allowed.join(',')}): no reader can be placed, so no run produces evidence`;
export const taskset = works('taskset', ['-c', String(first), 'true']);
export const BROKEN_CONTROLS = ['none', 'writer-fence-only', 'null-syscall', 'mprotect-untouched'];
