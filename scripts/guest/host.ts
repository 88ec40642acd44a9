// Host-side basics shared by the guest scripts: where the checkout and the cache are, a command
// runner with a deadline, and the artefacts scripts/guest/fetch.sh provides.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Arch = 'x86' | 'arm64';

/** The checkout this file was compiled from: dist/scripts/guest/host.js, three levels down. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** Kernels, images, helpers and results; git-ignored, reused between runs. */
export const CACHE = process.env.MEMBARRIER_PROBE_GUEST_CACHE ?? join(ROOT, '.cache', 'guest');
mkdirSync(CACHE, { recursive: true });

/** Runs a command, returns stdout; any failure (exit, signal, time limit) throws with stderr. */
export function must(cmd: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): string {
  const r = spawnSync(cmd, args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 26,
    env: env ? { ...process.env, ...env } : process.env,
  });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}\n${r.stderr ?? ''}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status ?? r.signal}\n${r.stderr}`);
  return r.stdout;
}

export type Fetched = Record<string, string>;
const fetchedBy = new Map<Arch, Fetched>();

/**
 * Kernels, busybox and (arm64) the node sysroot for ARCH, installed or downloaded by fetch.sh on
 * first use; once per process. A missing tool or package throws: nothing is skipped.
 */
export function fetched(arch: Arch): Fetched {
  const have = fetchedBy.get(arch);
  if (have) return have;
  const out = must(join(ROOT, 'scripts', 'guest', 'fetch.sh'), [arch], 1_200_000, {
    MEMBARRIER_PROBE_GUEST_CACHE: CACHE,
  });
  const f: Fetched = {};
  for (const line of out.trim().split('\n')) {
    const i = line.indexOf(' ');
    if (i > 0) f[line.slice(0, i)] = line.slice(i + 1);
  }
  fetchedBy.set(arch, f);
  return f;
}
