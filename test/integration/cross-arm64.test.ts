// The native sources must build for arm64 too, with arm64's own fence (dmb ish) and timebase
// (CNTVCT_EL0). Built here with Debian's aarch64 cross compiler, which the project's own script
// installs. Memory-ordering behaviour cannot be checked without arm64 hardware; the code can.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT, runCli } from '../helpers/run-cli.js';
import { SUMMARY } from '../helpers/repro-summary.js';
import { supportedStrategies } from '../../probe/repro/index.js';

const ensure = spawnSync(
  join(ROOT, 'scripts', 'ensure-debian.sh'),
  ['g++-aarch64-linux-gnu', 'binutils-aarch64-linux-gnu', 'qemu-user-static'],
  { encoding: 'utf8' },
);
if (ensure.status !== 0) throw new Error(`could not install the aarch64 cross compiler: ${ensure.stderr}`);

const run = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}\n${r.stderr}`);
  return r.stdout;
};

const gyp = JSON.parse(readFileSync(join(ROOT, 'binding.gyp'), 'utf8')).targets[0];
const headers = join(dirname(dirname(process.execPath)), 'include', 'node');
const out = mkdtempSync(join(tmpdir(), 'mbp-arm64-'));
const lib = join(out, 'membarrier_probe.node');

test('every native source compiles for aarch64 without a warning, and links', () => {
  const objects: string[] = [];
  for (const src of gyp.sources as string[]) {
    const obj = join(out, src.replace(/\//g, '_').replace(/\.cc$/, '.o'));
    run('aarch64-linux-gnu-g++', [
      '-std=c++17',
      '-O2',
      '-fPIC',
      '-Wall',
      '-Wextra',
      '-Werror',
      '-fno-exceptions',
      '-pthread',
      ...(gyp.defines as string[]).map((d) => `-D${d}`),
      `-I${headers}`,
      `-I${join(ROOT, 'node_modules', 'node-addon-api')}`,
      `-I${join(ROOT, 'native')}`,
      '-c',
      src,
      '-o',
      obj,
    ]);
    objects.push(obj);
  }
  run('aarch64-linux-gnu-g++', ['-shared', '-pthread', '-o', lib, ...objects]);
  assert.match(run('aarch64-linux-gnu-readelf', ['-h', lib]), /Machine:\s+AArch64/);
});

test('it uses arm64 fences and the arm64 timebase, and exports the N-API entry point', () => {
  const dis = run('aarch64-linux-gnu-objdump', ['-d', lib]);
  assert.match(dis, /\bdmb\s+ish\b/, 'FullFence is dmb ish');
  assert.match(dis, /\bmrs\s+x\d+, cntvct_el0/, 'ReadCycles reads CNTVCT_EL0');
  assert.not.match(dis, /\bmfence\b/);
  assert.match(run('aarch64-linux-gnu-nm', ['-D', '--defined-only', lib]), /napi_register_module_v1/);
});

// The reproducers' arm64 half (cntvct_el0 for the timebase, its own relax) is C text that no x86 build compiles:
// cross-built here for every strategy repro supports, and run under qemu-user, which passes membarrier, mprotect
// and signals to this kernel. qemu-user's threads and its emulated timer make the counts meaningless: what is
// checked is that each builds without a warning, reads the arm64 timebase, ends by itself with a documented exit
// status and prints its one summary line.
test('every reproducer cross-builds for aarch64 without a warning and runs under qemu-user to its summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mbp-repro-arm64-'));
  try {
    for (const id of supportedStrategies()) {
      const w = runCli(['repro', id, '--out', dir]);
      assert.is(w.status, 0, w.stderr);
      const c = join(dir, `repro-${id}.c`),
        exe = join(dir, `repro-${id}`);
      run('aarch64-linux-gnu-gcc', ['-O2', '-pthread', '-Wall', '-Wextra', '-Werror', '-static', '-o', exe, c]);
      assert.match(run('aarch64-linux-gnu-readelf', ['-h', exe]), /Machine:\s+AArch64/, id);
      assert.match(run('aarch64-linux-gnu-objdump', ['-d', exe]), /\bmrs\s+x\d+, cntvct_el0/, `${id} reads CNTVCT_EL0`);
      const r = spawnSync('qemu-aarch64-static', [exe, '-n', '2'], {
        encoding: 'utf8',
        timeout: 60_000,
        killSignal: 'SIGKILL',
      });
      assert.is(r.error, undefined, `${id} under qemu-user did not end within 60 s`);
      assert.ok([0, 1, 2].includes(r.status ?? -1), `${id}: exit ${r.status ?? r.signal}: ${r.stdout}${r.stderr}`);
      const lines = r.stdout.trim().split('\n').filter(Boolean);
      if (r.status === 2) {
        assert.is(r.stderr.trim().split('\n').length, 1, `${id}: one line saying what could not be set up`);
        console.log(`  [arm64 repro] ${id}: cannot set up under qemu-user: ${r.stderr.trim()}`);
        continue;
      }
      assert.is(lines.length, 1, `${id}: one summary line: ${r.stdout}`);
      const m = SUMMARY.exec(lines[0]!);
      assert.ok(m, `${id}: ${lines[0]}`);
      assert.is(m![1], id);
      assert.is(r.status === 1, m![2] !== undefined, `${id}: exit 1 exactly when the defect showed: ${lines[0]}`);
      console.log(`  [arm64 repro] ${id}: exit ${r.status}: ${lines[0]!.slice(0, 140)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
