// The arm64 side of the qemu tests: Debian's aarch64 cross compiler builds the addon (installed by
// scripts/ensure-debian.sh), and Debian's arm64 `node` (bookworm's Node 18) runs under qemu-user from
// the user space that scripts/arm64-sysroot.sh prepares. uvu imports every suite into one process,
// so the sysroot and the addon are made once per test run, whichever qemu suite asks first, and the
// addon's folder is removed when the process exits (a suite's own `after` would pull it from under
// a later suite).
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from './run-cli.js';

function must(cmd: string, args: string[], timeout: number): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout, killSignal: 'SIGKILL', maxBuffer: 1 << 26 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}\n${r.stderr ?? ''}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status ?? r.signal}\n${r.stderr}`);
  return r.stdout;
}

// Asynchronous, so that the sources compile in parallel; each compiler run has its own time limit.
function compile(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn('aarch64-linux-gnu-g++', args, {
      cwd: ROOT,
      timeout: 180_000,
      killSignal: 'SIGKILL',
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('error', reject);
    c.on('close', (code, sig) =>
      code === 0
        ? resolve()
        : reject(new Error(`aarch64-linux-gnu-g++ ${args.join(' ')}: exit ${code ?? sig}\n${err}`)),
    );
  });
}

// The flags follow binding.gyp's sources and defines, as cross-arm64.test.ts does (which adds
// -Werror: that test is about warnings, these are about behaviour).
async function buildArm64Addon(out: string): Promise<string> {
  must(join(ROOT, 'scripts', 'ensure-debian.sh'), ['g++-aarch64-linux-gnu', 'binutils-aarch64-linux-gnu'], 300_000);
  const gyp = JSON.parse(readFileSync(join(ROOT, 'binding.gyp'), 'utf8')).targets[0];
  const headers = join(dirname(dirname(process.execPath)), 'include', 'node');
  const jobs = (gyp.sources as string[]).map((src) => ({
    src,
    obj: join(out, src.replace(/\//g, '_').replace(/\.cc$/, '.o')),
  }));
  const queue = [...jobs];
  const worker = async () => {
    for (let j = queue.shift(); j; j = queue.shift()) {
      await compile([
        '-std=c++17',
        '-O2',
        '-fPIC',
        '-Wall',
        '-Wextra',
        '-fno-exceptions',
        '-pthread',
        ...(gyp.defines as string[]).map((d) => `-D${d}`),
        `-I${headers}`,
        `-I${join(ROOT, 'node_modules', 'node-addon-api')}`,
        `-I${join(ROOT, 'native')}`,
        '-c',
        j.src,
        '-o',
        j.obj,
      ]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(availableParallelism(), 8)) }, worker));
  const lib = join(out, 'membarrier_probe.node');
  must('aarch64-linux-gnu-g++', ['-shared', '-pthread', '-o', lib, ...jobs.map((j) => j.obj)], 180_000);
  return lib;
}

/** ELF e_machine 183 is AArch64. */
export function isAarch64Elf(path: string): boolean {
  const h = readFileSync(path).subarray(0, 20);
  return h.length === 20 && h.readUInt32BE(0) === 0x7f454c46 && h.readUInt16LE(18) === 183;
}

export interface Arm64 {
  /** The arm64 user space (qemu's -L). */
  sysroot: string;
  /** Debian's arm64 node inside it. */
  node: string;
  /** The addon cross-built from this checkout. */
  addon: string;
}

let made: Promise<Arm64> | undefined;
let addonDir = '';
process.on('exit', () => {
  if (addonDir) rmSync(addonDir, { recursive: true, force: true });
});

/**
 * The sysroot and the cross-built addon. Call it inside a test, so that a failure (no qemu, no
 * Debian source, a compile error) fails each test that needed it, with the reason.
 */
export function arm64(): Promise<Arm64> {
  made ??= (async () => {
    const t0 = Date.now();
    const sysroot =
      must(join(ROOT, 'scripts', 'arm64-sysroot.sh'), [], 300_000)
        .trim()
        .split('\n')
        .pop() ?? '';
    const t1 = Date.now();
    addonDir = mkdtempSync(join(tmpdir(), 'mbp-qemu-arm64-'));
    const addon = await buildArm64Addon(addonDir);
    const t2 = Date.now();
    console.log(
      `  [arm64] sysroot ${sysroot} ready in ${((t1 - t0) / 1000).toFixed(1)} s, addon cross-built ` +
        `in ${((t2 - t1) / 1000).toFixed(1)} s`,
    );
    return { sysroot, node: join(sysroot, 'usr', 'bin', 'node'), addon };
  })();
  return made;
}

/**
 * Runs the arm64 node under qemu-aarch64-static with a clean environment (the host's NODE_OPTIONS
 * may name flags Node 18 does not know) plus `env`, killed with SIGKILL after `timeoutMs`.
 */
export function runArm64Node(
  a: Arm64,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): SpawnSyncReturns<string> {
  const env = { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...opts.env };
  return spawnSync('qemu-aarch64-static', ['-L', a.sysroot, a.node, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env,
    timeout: opts.timeoutMs ?? 120_000,
    killSignal: 'SIGKILL',
    maxBuffer: 1 << 24,
  });
}

/** How a spawn ended, in words: a time limit reads differently from a crash or an exit status. */
export function howEnded(r: SpawnSyncReturns<string>, timeoutMs: number): string {
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT')
    return `killed after its ${timeoutMs / 1000} s time limit (hung?)`;
  if (r.error) return `could not run: ${r.error.message}`;
  return r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
}
