// Data races between the engine's threads, under ThreadSanitizer. A run with three or more readers
// once shared one stuffing pool that every reader resized at once: on a 4-CPU guest that was a
// glibc malloc assertion, a segfault or a hang, depending on the run. Here the addon is rebuilt
// with -fsanitize=thread (scripts/build-sanitized.mjs --thread) and driven with 3 and 7 readers
// through every strategy and control, contention and the end-of-run release; TSan must report
// nothing. On a machine with fewer CPUs than readers the readers share CPUs (the engine pins each
// to the CPU it is given, duplicates included): the scheduler interleaves them, and TSan's
// happens-before analysis finds a race whether or not the threads really ran at the same instant.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from '../../probe/inspect/index.js';
import { ROOT } from '../helpers/run-cli.js';

const ADDON = join(ROOT, 'build', 'Tsan', 'membarrier_probe.node');

// A hard timeout and SIGKILL: a child stuck in a native loop fails its test, never hangs the suite.
function spawn(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeout: number): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', timeout, killSignal: 'SIGKILL', maxBuffer: 1 << 26 });
}

const build = spawn(process.execPath, [join(ROOT, 'scripts', 'build-sanitized.mjs'), '--thread'], process.env, 300_000);
if (build.error || build.status !== 0)
  throw new Error(
    `build-sanitized --thread failed (${build.error?.message ?? `exit ${build.status}`}):\n${build.stderr}`,
  );

const lib = spawnSync('g++', ['-print-file-name=libtsan.so'], { encoding: 'utf8', timeout: 30_000 }).stdout.trim();
if (!lib.startsWith('/') || !existsSync(lib)) throw new Error('g++ has no libtsan.so (install libtsan2)');
// exitcode=66: any report makes the child fail even if its own checks passed.
const TSAN_ENV = {
  ...process.env,
  MEMBARRIER_PROBE_ADDON: ADDON,
  LD_PRELOAD: lib,
  TSAN_OPTIONS: 'exitcode=66:halt_on_error=0:report_thread_leaks=0',
};
const REPORT = /ThreadSanitizer/;

test('canary: this TSan build reports the race the stuffing pool had (readers resizing one vector)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mbp-tsan-'));
  writeFileSync(
    join(dir, 'race.cc'),
    [
      '#include <thread>',
      '#include <vector>',
      'static std::vector<std::vector<char>> pool;',
      'static void Use(size_t i) { if (pool.size() <= i) pool.resize(i + 1); pool[i].assign(4096, 1); }',
      'int main() { std::thread a(Use, 0), b(Use, 1); a.join(); b.join(); return 0; }',
    ].join('\n'),
  );
  const cc = spawn(
    'g++',
    ['-std=c++17', '-O1', '-g', '-fsanitize=thread', '-pthread', join(dir, 'race.cc'), '-o', join(dir, 'race')],
    process.env,
    120_000,
  );
  assert.is(cc.status, 0, cc.stderr);
  const r = spawn(join(dir, 'race'), [], { ...process.env, TSAN_OPTIONS: 'exitcode=66' }, 60_000);
  assert.match(r.stderr, /ThreadSanitizer: data race/, `no report from a known race:\n${r.stderr}`);
  assert.is(r.status, 66);
});

// The child drives the engine straight through its N-API surface, as probe/run does.
const CHILD = `
const { createRequire } = await import('node:module');
const addon = createRequire(import.meta.url)(process.env.MEMBARRIER_PROBE_ADDON);
const e = addon.engine;
e.selectTimebase(true);
const cpus = JSON.parse(process.argv[1]);
const writer = cpus[0], others = cpus.length > 1 ? cpus.slice(1) : cpus;
const readers = (n) => Array.from({ length: n }, (_, i) => others[i % others.length]);
const out = [];
for (const n of [3, 7]) {
  for (const s of e.strategies()) {
    if (s.id === 'membarrier-global') continue; // milliseconds per call: few trials, nothing new for TSan
    const r = await e.runPhase({ strategy: s.id, writerCpu: writer, readerCpus: readers(n), stuffLines: 4, budgetMs: 40,
      delayNs: 2000, maxTrials: 20000, gapSpinNs: 2000, gapTrialNs: 8000, seed: n });
    out.push(s.id + ':' + n + ':' + r.status + ':' + r.readers.length);
  }
}
const c = await e.runContention({
  strategy: 'membarrier-private-expedited', writers: 1, readerCpus: readers(3), writerCpus: [writer], budgetMs: 40,
});
out.push('contention:' + c.status);
e.releaseBuffers();
out.push('held:' + e.buffersHeld());
console.log(JSON.stringify(out));
`;

test('3 and 7 readers through every strategy, control and contention: no TSan report', async () => {
  // This process's CPUs (taskset and cpusets count), at most 8: the first is the writer's.
  const cpus = (await inspect()).cpus.allowed!.slice(0, 8);
  const r = spawn(process.execPath, ['--input-type=module', '-e', CHILD, JSON.stringify(cpus)], TSAN_ENV, 240_000);
  assert.not.ok(r.error, `${r.error?.message} (timed out?)\n${r.stderr.slice(-4000)}`);
  assert.not.match(r.stderr, REPORT, `TSan report:\n${r.stderr.slice(0, 8000)}`);
  assert.is(r.status, 0, r.stderr.slice(-4000));
  const lines: string[] = JSON.parse(r.stdout.trim().split('\n').pop()!);
  // Every phase ran with all its readers (ok, or unavailable where the kernel refuses a command).
  const phases = lines.filter((l) => !l.startsWith('contention') && !l.startsWith('held'));
  assert.ok(phases.length >= 20, lines.join(' '));
  for (const l of phases) {
    const [, readers, status, got] = l.split(':').slice(-4);
    assert.ok(status === 'ok' || status === 'unavailable', l);
    assert.is(got, readers, l);
  }
  assert.ok(lines.includes('contention:ok'), lines.join(' '));
  assert.ok(lines.includes('held:0'), 'the stuffing buffer was not released');
});

test.run();
