// The arm64 build of the addon loads and works for real: Debian's arm64 `node` (bookworm's Node 18;
// N-API is stable, so the addon's NAPI_VERSION=8 build loads there) runs under qemu-user with an
// arm64 user space from Debian's packages (scripts/arm64-sysroot.sh), requires the cross-built
// .node and calls the inspect functions. qemu emulates memory ordering its own way, so nothing about
// barriers is judged here: only that the library loads, reports aarch64, and that its syscalls
// (sched_getaffinity, getrlimit/mlock, fork plus membarrier in a child) return sane shapes.
// The addon is cross-built here the way cross-arm64.test.ts builds it; a prebuilt
// prebuilds/linux-arm64/node.napi.node is checked as well when one is there.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../helpers/run-cli.js';
import { NATIVE_ABI_VERSION } from '../../probe/native.js';

const ENOSYS = 38;

function must(cmd: string, args: string[], timeout: number, opts: { env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout, killSignal: 'SIGKILL', maxBuffer: 1 << 26, ...opts });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}\n${r.stderr ?? ''}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status ?? r.signal}\n${r.stderr}`);
  return r.stdout;
}

// Asynchronous, so that the sources compile in parallel; each compiler run has its own time limit.
function compile(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const c = spawn('aarch64-linux-gnu-g++', args, { cwd: ROOT, timeout: 180_000, killSignal: 'SIGKILL', stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.on('error', reject);
    c.on('close', (code, sig) => (code === 0 ? resolve() : reject(new Error(`aarch64-linux-gnu-g++ ${args.join(' ')}: exit ${code ?? sig}\n${err}`))));
  });
}

async function buildArm64Addon(): Promise<string> {
  must(join(ROOT, 'scripts', 'ensure-debian.sh'), ['g++-aarch64-linux-gnu', 'binutils-aarch64-linux-gnu'], 300_000);
  const gyp = JSON.parse(readFileSync(join(ROOT, 'binding.gyp'), 'utf8')).targets[0];
  const headers = join(dirname(dirname(process.execPath)), 'include', 'node');
  const out = mkdtempSync(join(tmpdir(), 'mbp-qemu-arm64-'));
  const jobs = (gyp.sources as string[]).map((src) => ({ src, obj: join(out, src.replace(/\//g, '_').replace(/\.cc$/, '.o')) }));
  const queue = [...jobs];
  const worker = async () => {
    for (let j = queue.shift(); j; j = queue.shift()) {
      await compile([
        '-std=c++17', '-O2', '-fPIC', '-Wall', '-Wextra', '-fno-exceptions', '-pthread',
        ...(gyp.defines as string[]).map((d) => `-D${d}`),
        `-I${headers}`, `-I${join(ROOT, 'node_modules', 'node-addon-api')}`, `-I${join(ROOT, 'native')}`,
        '-c', j.src, '-o', j.obj,
      ]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(availableParallelism(), 8)) }, worker));
  const lib = join(out, 'membarrier_probe.node');
  must('aarch64-linux-gnu-g++', ['-shared', '-pthread', '-o', lib, ...jobs.map((j) => j.obj)], 180_000);
  return lib;
}

/** ELF e_machine 183 is AArch64. */
function isAarch64Elf(path: string): boolean {
  const h = readFileSync(path).subarray(0, 20);
  return h.length === 20 && h.readUInt32BE(0) === 0x7f454c46 && h.readUInt16LE(18) === 183;
}

// Run by the arm64 node (CommonJS, `-e`): loads the addon named by argv and prints one JSON line.
// Any throw is reported as JSON too, so the test shows the reason rather than a bare exit code.
const PROBE_SCRIPT = `
const out = { nodeArch: process.arch, nodeVersion: process.version, napi: process.versions.napi };
try {
  const a = require(process.argv[1]);
  out.loaded = true;
  out.abiVersion = a.abiVersion;
  out.arch = a.arch;
  out.membarrierChildSequence = a.membarrierChildSequence;
  out.affinity = a.getAffinity();
  out.cpuid = a.cpuid(0, 0);
  out.memlock = a.probeMemlock();
  out.membarrierChild = a.probeMembarrierInChild(2000);
  out.strategies = a.engine.strategies();
} catch (e) {
  out.error = String(e && e.stack || e);
}
process.stdout.write(JSON.stringify(out) + '\\n');
`;

let sysroot = '';
let ownAddon = '';

// Set up once, inside the first test that needs it, so that a failure (no qemu, no Debian source,
// a compile error) is reported as a failed test with its reason, by every test that needed it.
let setup: Promise<void> | undefined;
function ready(): Promise<void> {
  setup ??= (async () => {
    const t0 = Date.now();
    sysroot = must(join(ROOT, 'scripts', 'arm64-sysroot.sh'), [], 300_000).trim().split('\n').pop() ?? '';
    const t1 = Date.now();
    ownAddon = await buildArm64Addon();
    const t2 = Date.now();
    console.log(`  [qemu-arm64] sysroot ${sysroot} ready in ${((t1 - t0) / 1000).toFixed(1)} s, addon cross-built in ${((t2 - t1) / 1000).toFixed(1)} s`);
  })();
  return setup;
}

function runUnderQemu(addon: string, timeout = 120_000) {
  const node = join(sysroot, 'usr', 'bin', 'node');
  // A clean environment: the host's NODE_OPTIONS may name flags that Node 18 does not know.
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    QEMU_LD_PREFIX: sysroot,
    LD_LIBRARY_PATH: '/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu',
  };
  const r = spawnSync('qemu-aarch64-static', ['-L', sysroot, node, '-e', PROBE_SCRIPT, addon], {
    encoding: 'utf8', env, timeout, killSignal: 'SIGKILL', maxBuffer: 1 << 24,
  });
  if (r.error) throw new Error(`qemu-aarch64-static could not run the arm64 node: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`qemu-aarch64-static ${node} exited ${r.status ?? r.signal} (qemu cannot run arm64 code here?)\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`the arm64 node printed no JSON\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

const isSys = (v: any) => v && typeof v === 'object' && (v.ok === true ? Number.isInteger(v.value) : v.ok === false && Number.isInteger(v.errno) && v.errno > 0);

function checkReport(r: any, label: string) {
  assert.is(r.error, undefined, `${label}: the addon threw under qemu: ${r.error}`);
  assert.is(r.nodeArch, 'arm64', `${label}: process.arch of the emulated node`);
  assert.ok(r.loaded, `${label}: require() of the arm64 addon`);
  assert.is(r.abiVersion, NATIVE_ABI_VERSION, `${label}: abiVersion`);
  assert.is(r.arch, 'aarch64', `${label}: the addon was compiled for aarch64`);

  // sched_getaffinity passes through qemu to the real kernel: the host's CPUs.
  assert.ok(r.affinity.ok, `${label}: getAffinity failed: ${JSON.stringify(r.affinity)}`);
  assert.ok(Array.isArray(r.affinity.cpus) && r.affinity.cpus.length >= 1, `${label}: affinity lists CPUs`);
  assert.ok(r.affinity.cpus.every((c: unknown) => Number.isInteger(c) && (c as number) >= 0), `${label}: CPU numbers`);
  assert.is(r.affinity.value, r.affinity.cpus.length, `${label}: affinity count equals the list's length`);

  assert.is(r.cpuid, null, `${label}: cpuid is null off x86`);

  const m = r.memlock;
  assert.ok(m && (m.soft === null || Number.isFinite(m.soft)) && (m.hard === null || Number.isFinite(m.hard)), `${label}: RLIMIT_MEMLOCK limits`);
  assert.ok(Number.isInteger(m.rlimitErrno), `${label}: rlimitErrno`);
  assert.ok(isSys(m.lockOnePage), `${label}: lockOnePage is a syscall result: ${JSON.stringify(m.lockOnePage)}`);

  // fork + membarrier in a child: qemu either passes membarrier to the kernel or says ENOSYS; the
  // child must end on its own, with every call of the sequence reported.
  const c = r.membarrierChild;
  assert.is(c.end, 'exited', `${label}: the membarrier child ended ${c.end}: ${JSON.stringify(c)}`);
  assert.is(c.exitCode, 0, `${label}: the membarrier child's exit code`);
  assert.ok(isSys(c.query), `${label}: QUERY result: ${JSON.stringify(c.query)}`);
  if (!c.query.ok) assert.is(c.query.errno, ENOSYS, `${label}: QUERY fails only with ENOSYS under qemu`);
  assert.ok(isSys(c.getRegistrations), `${label}: GET_REGISTRATIONS result`);
  assert.is(c.registrations.length, r.membarrierChildSequence.length - 2, `${label}: one result per REGISTER command`);
  for (const reg of c.registrations) {
    assert.ok(r.membarrierChildSequence.includes(reg.cmd) && isSys(reg.result), `${label}: registration ${JSON.stringify(reg)}`);
  }

  assert.ok(Array.isArray(r.strategies) && r.strategies.length > 0, `${label}: engine.strategies() lists strategies`);
  for (const s of r.strategies) {
    assert.type(s.id, 'string');
    assert.type(s.control, 'boolean');
    assert.ok(s.readerSide === 'compiler-barrier' || s.readerSide === 'full-fence', `${label}: readerSide of ${s.id}`);
    assert.type(s.remoteInterruption, 'boolean');
    assert.type(s.calls, 'string');
  }
  const ids = r.strategies.map((s: { id: string }) => s.id);
  for (const id of ['membarrier-private-expedited', 'membarrier-global-expedited', 'signals', 'symmetric-fence', 'mprotect']) {
    assert.ok(ids.includes(id), `${label}: strategy ${id} is listed (have ${ids.join(', ')})`);
  }
}

test('qemu-user runs Debian\'s arm64 node from the sysroot', async () => {
  await ready();
  assert.ok(isAarch64Elf(join(sysroot, 'usr', 'bin', 'node')), 'the sysroot\'s node is an AArch64 ELF');
  const r = spawnSync('qemu-aarch64-static', ['-L', sysroot, join(sysroot, 'usr', 'bin', 'node'), '-p', 'process.arch + " " + process.versions.napi'], {
    encoding: 'utf8', env: { PATH: '/usr/bin:/bin', QEMU_LD_PREFIX: sysroot }, timeout: 60_000, killSignal: 'SIGKILL',
  });
  if (r.error) throw new Error(`qemu-aarch64-static cannot run here: ${r.error.message}`);
  assert.is(r.status, 0, `qemu-aarch64-static failed (exit ${r.status ?? r.signal}): ${r.stderr}`);
  const [arch, napi] = r.stdout.trim().split(' ');
  assert.is(arch, 'arm64');
  assert.ok(Number(napi) >= 8, `the arm64 node offers N-API ${napi}, the addon needs 8`);
});

test('the cross-built arm64 addon loads under qemu and its inspect functions work', async () => {
  await ready();
  assert.ok(isAarch64Elf(ownAddon), 'the cross-built addon is an AArch64 ELF');
  const r = runUnderQemu(ownAddon);
  checkReport(r, 'cross-built addon');
  console.log(`  [qemu-arm64] ${JSON.stringify({ nodeVersion: r.nodeVersion, arch: r.arch, abiVersion: r.abiVersion, cpus: r.affinity.cpus, memlock: r.memlock, membarrierChild: r.membarrierChild, strategies: r.strategies.map((s: { id: string }) => s.id) })}`);
});

// Prebuilt binaries are made elsewhere; when one is there it must pass the same checks.
const prebuilt = join(ROOT, 'prebuilds', 'linux-arm64', 'node.napi.node');
test('the prebuilt linux-arm64 addon, when present, passes the same checks', async () => {
  if (!existsSync(prebuilt)) {
    console.log(`  [qemu-arm64] no ${prebuilt}: only the addon built here was checked`);
    return;
  }
  await ready();
  assert.ok(isAarch64Elf(prebuilt), `${prebuilt} is an AArch64 ELF`);
  checkReport(runUnderQemu(prebuilt), 'prebuilt addon');
});

test.after(() => {
  if (ownAddon) rmSync(dirname(ownAddon), { recursive: true, force: true });
});

test.run();
