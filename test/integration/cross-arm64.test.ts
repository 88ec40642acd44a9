// The native sources must build for arm64 too, with arm64's own fence (dmb ish) and timebase
// (CNTVCT_EL0). Built here with Debian's aarch64 cross compiler, which the project's own script
// installs. Memory-ordering behaviour cannot be checked without arm64 hardware; the code can.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../helpers/run-cli.js';

const ensure = spawnSync(
  join(ROOT, 'scripts', 'ensure-debian.sh'),
  ['g++-aarch64-linux-gnu', 'binutils-aarch64-linux-gnu'],
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

test.run();
