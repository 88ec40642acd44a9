// Runs the built CLI as a real process, optionally under a wrapper command (taskset, prlimit,
// setpriv) that restricts it for real.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** Repository root: compiled helpers live in <root>/dist/test/helpers/. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLI = join(ROOT, 'dist', 'probe', 'cli.js');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { wrap?: string[]; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const wrap = opts.wrap ?? [];
  const cmd = wrap.length ? wrap[0] : process.execPath;
  const argv = wrap.length ? [...wrap.slice(1), process.execPath, CLI, ...args] : [CLI, ...args];
  // A clean colour environment unless the test sets one: CI may export FORCE_COLOR.
  const env = { ...process.env, FORCE_COLOR: undefined, NO_COLOR: undefined, ...opts.env };
  const r = spawnSync(cmd, argv, { encoding: 'utf8', env, timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function runJson(args: string[], opts: { wrap?: string[]; env?: NodeJS.ProcessEnv } = {}) {
  const r = runCli([...args, '--json'], opts);
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Compiles a C helper from test/helpers/ into a temporary folder (once per process). */
const built = new Map<string, string>();
export function buildHelper(name: string): string {
  const have = built.get(name);
  if (have) return have;
  const out = join(mkdtempSync(join(tmpdir(), `mbp-${name}-`)), name);
  sh('cc', ['-O2', '-Wall', '-o', out, join(ROOT, 'test', 'helpers', `${name}.c`)]);
  built.set(name, out);
  return out;
}
