// The arm64 build of the addon loads and works for real: Debian's arm64 `node` (bookworm's Node 18;
// N-API is stable, so the addon's NAPI_VERSION=8 build loads there) runs under qemu-user with an
// arm64 user space from Debian's packages (scripts/arm64-sysroot.sh), requires the cross-built
// .node and calls the inspect functions. qemu emulates memory ordering its own way, so nothing about
// barriers is judged here: only that the library loads, reports aarch64, and that its syscalls
// (sched_getaffinity, getrlimit/mlock, fork plus membarrier in a child) return sane shapes.
// The addon is cross-built by test/helpers/arm64.ts the way cross-arm64.test.ts builds it; a prebuilt
// prebuilds/linux-arm64/node.napi.node is checked as well when one is there.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/run-cli.js';
import { testUnless } from '../helpers/skip.js';
import { arm64, howEnded, isAarch64Elf, runArm64Node, type Arm64 } from '../helpers/arm64.js';
import { NATIVE_ABI_VERSION } from '../../probe/native.js';

const ENOSYS = 38;

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

function runUnderQemu(a: Arm64, addon: string) {
  const timeoutMs = 120_000;
  const r = runArm64Node(a, ['-e', PROBE_SCRIPT, addon], {
    timeoutMs,
    env: { QEMU_LD_PREFIX: a.sysroot, LD_LIBRARY_PATH: '/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu' },
  });
  if (r.status !== 0) {
    throw new Error(
      `qemu-aarch64-static ${a.node}: ${howEnded(r, timeoutMs)} (qemu cannot run arm64 code ` +
        `here?)\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
  }
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`the arm64 node printed no JSON\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

const isSys = (v: any) =>
  v &&
  typeof v === 'object' &&
  (v.ok === true ? Number.isInteger(v.value) : v.ok === false && Number.isInteger(v.errno) && v.errno > 0);

function checkReport(r: any, label: string) {
  assert.is(r.error, undefined, `${label}: the addon threw under qemu: ${r.error}`);
  assert.is(r.nodeArch, 'arm64', `${label}: process.arch of the emulated node`);
  assert.ok(r.loaded, `${label}: require() of the arm64 addon`);
  assert.is(r.abiVersion, NATIVE_ABI_VERSION, `${label}: abiVersion`);
  assert.is(r.arch, 'aarch64', `${label}: the addon was compiled for aarch64`);

  // sched_getaffinity passes through qemu to the real kernel: the host's CPUs.
  assert.ok(r.affinity.ok, `${label}: getAffinity failed: ${JSON.stringify(r.affinity)}`);
  assert.ok(Array.isArray(r.affinity.cpus) && r.affinity.cpus.length >= 1, `${label}: affinity lists CPUs`);
  assert.ok(
    r.affinity.cpus.every((c: unknown) => Number.isInteger(c) && (c as number) >= 0),
    `${label}: CPU numbers`,
  );
  assert.is(r.affinity.value, r.affinity.cpus.length, `${label}: affinity count equals the list's length`);

  assert.is(r.cpuid, null, `${label}: cpuid is null off x86`);

  const m = r.memlock;
  assert.ok(
    m && (m.soft === null || Number.isFinite(m.soft)) && (m.hard === null || Number.isFinite(m.hard)),
    `${label}: RLIMIT_MEMLOCK limits`,
  );
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
    assert.ok(
      r.membarrierChildSequence.includes(reg.cmd) && isSys(reg.result),
      `${label}: registration ${JSON.stringify(reg)}`,
    );
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
  for (const id of [
    'membarrier-private-expedited',
    'membarrier-global-expedited',
    'signals',
    'symmetric-fence',
    'mprotect',
  ]) {
    assert.ok(ids.includes(id), `${label}: strategy ${id} is listed (have ${ids.join(', ')})`);
  }
}

test("qemu-user runs Debian's arm64 node from the sysroot", async () => {
  const a = await arm64();
  assert.ok(isAarch64Elf(a.node), "the sysroot's node is an AArch64 ELF");
  const r = runArm64Node(a, ['-p', 'process.arch + " " + process.versions.napi'], {
    timeoutMs: 60_000,
    env: { QEMU_LD_PREFIX: a.sysroot },
  });
  assert.is(r.status, 0, `qemu-aarch64-static failed (${howEnded(r, 60_000)}): ${r.stderr}`);
  const [arch, napi] = r.stdout.trim().split(' ');
  assert.is(arch, 'arm64');
  assert.ok(Number(napi) >= 8, `the arm64 node offers N-API ${napi}, the addon needs 8`);
});

test('the cross-built arm64 addon loads under qemu and its inspect functions work', async () => {
  const a = await arm64();
  assert.ok(isAarch64Elf(a.addon), 'the cross-built addon is an AArch64 ELF');
  const r = runUnderQemu(a, a.addon);
  checkReport(r, 'cross-built addon');
  const strategies = r.strategies.map((s: { id: string }) => s.id);
  const seen = { nodeVersion: r.nodeVersion, arch: r.arch, abiVersion: r.abiVersion, cpus: r.affinity.cpus };
  console.log(
    `  [qemu-arm64] ${JSON.stringify({ ...seen, memlock: r.memlock, membarrierChild: r.membarrierChild, strategies })}`,
  );
});

// Prebuilt binaries are made elsewhere; when one is there it must pass the same checks.
const prebuilt = join(ROOT, 'prebuilds', 'linux-arm64', 'node.napi.node');
testUnless(
  existsSync(prebuilt) ? null : `no ${prebuilt}: only the addon built here was checked`,
  'the prebuilt linux-arm64 addon passes the same checks',
  async () => {
    const a = await arm64();
    assert.ok(isAarch64Elf(prebuilt), `${prebuilt} is an AArch64 ELF`);
    checkReport(runUnderQemu(a, prebuilt), 'prebuilt addon');
  },
);

test.run();
