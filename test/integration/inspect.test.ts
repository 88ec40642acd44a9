// `inspect --json` on this machine against independent readings of the same facts, and under
// restrictions produced for real (taskset, prlimit + a dropped capability, a missing addon).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCpuList } from '../../probe/inspect/cpulist.js';
import { SCHEMA_VERSION } from '../../probe/records.js';
import { buildHelper, runCli, runJson, sh } from '../helpers/run-cli.js';

const report = runJson(['inspect']);
const sys = report.system;

test('report carries the stable field names', () => {
  assert.is(report.schemaVersion, SCHEMA_VERSION);
  assert.type(sys.cpus.online, 'number');
  assert.ok(Array.isArray(sys.cpus.allowed));
  assert.type(sys.kernel.release, 'string');
  assert.ok(typeof sys.membarrier.queryMask === 'number' || sys.membarrier.error !== null);
  assert.ok(sys.hypervisor.vendor === null || typeof sys.hypervisor.vendor === 'string');
});

test('online CPU count equals getconf _NPROCESSORS_ONLN', () => {
  assert.is(sys.cpus.online, Number(sh('getconf', ['_NPROCESSORS_ONLN']).trim()));
});

test('kernel release equals uname -r', () => {
  assert.is(sys.kernel.release, sh('uname', ['-r']).trim());
});

test('allowed CPUs equal taskset -p of the process that spawned it', () => {
  // The CLI inherits this test process's affinity, so both must agree.
  const out = sh('taskset', ['-cp', String(process.pid)]);
  const list = /list:\s*(\S+)/.exec(out)?.[1];
  assert.ok(list, out);
  assert.equal(sys.cpus.allowed, parseCpuList(list!));
  assert.is(sys.cpus.allowedSource, 'sched_getaffinity');
});

test('taskset -c narrows the allowed set to exactly that CPU', () => {
  const last = sys.cpus.allowed.at(-1);
  const r = runJson(['inspect'], { wrap: ['taskset', '-c', String(last)] });
  assert.equal(r.system.cpus.allowed, [last]);
  assert.is(r.system.cpus.online, sys.cpus.online, 'affinity does not change the online count');
});

test('membarrier QUERY mask equals what a tiny C program gets from the kernel', () => {
  const [mask, , reg] = sh(buildHelper('membarrier-query'), []).trim().split(' ').map(Number);
  assert.is(sys.membarrier.queryMask, mask);
  const priv = sys.membarrier.registrations.find(
    (r: { command: string }) => r.command === 'REGISTER_PRIVATE_EXPEDITED',
  );
  assert.is(priv.outcome.ok, reg === 0);
  for (const c of sys.membarrier.commands) assert.is(c.supported, (mask & c.bit) !== 0, c.name);
});

test('system.tlb: INVLPGB and PCID as a tiny C program reads them from CPUID, and a regime with its reasons', () => {
  const t = sys.tlb;
  assert.ok(['ipi', 'broadcast', 'hypercall', 'mixed', 'unknown'].includes(t.regime), t.regime);
  assert.ok(t.reasons.length > 0);
  if (sys.platform.arch !== 'x64') {
    assert.is(t.facts.invlpgb.value, null);
    return;
  }
  const [invlpgb, pcid] = sh(buildHelper('cpuid-invlpgb'), []).trim().split(' ');
  assert.is(t.facts.invlpgb.source, 'cpuid');
  assert.is(t.facts.invlpgb.value, invlpgb === 'none' ? false : invlpgb === '1');
  // PCID: the kernel's flag where cpuinfo has a flags line (it can clear it, e.g. nopcid), else CPUID.
  if (t.facts.pcid.source === 'cpuid 1 ECX[17]') assert.is(t.facts.pcid.value, pcid === '1');
  // Every fact is known or says why not.
  for (const [k, f] of Object.entries(t.facts) as [string, any][]) {
    assert.ok(f.value !== null || f.reason, `${k} is null without a reason`);
  }
});

test('CPU identity agrees with /proc/cpuinfo and the KVM guest is recognised', () => {
  const cpuinfo = sh('cat', ['/proc/cpuinfo']);
  const vendor = /^(?:vendor_id|CPU implementer)\s*:\s*(.*)$/m.exec(cpuinfo)?.[1];
  if (sys.platform.arch === 'x64') assert.is(sys.cpus.vendor, vendor);
  // Every machine this project runs on is a KVM guest: CPUID must say so.
  if (/\bhypervisor\b/.test(cpuinfo)) assert.is(sys.hypervisor.cpuidHypervisorBit, true);
});

test('without CAP_IPC_LOCK and with RLIMIT_MEMLOCK 0, mlock is refused and said so', () => {
  const r = runJson(['inspect'], {
    wrap: ['setpriv', '--inh-caps=-ipc_lock', '--bounding-set=-ipc_lock', 'prlimit', '--memlock=0:0'],
  });
  const p = r.system.process;
  assert.is(p.capIpcLock, false);
  assert.is(p.memlock.soft, 0);
  assert.is(p.memlock.onePageLocked, false);
  assert.match(p.memlock.error, /^(EPERM|ENOMEM|EAGAIN):/);
  assert.is(sys.process.memlock.onePageLocked, true, 'unrestricted, the same probe locks a page');
});

test('a missing native addon degrades: the rest is reported and the gap is explained', () => {
  const env = { MEMBARRIER_PROBE_ADDON: '/nonexistent/membarrier_probe.node' };
  const r = runJson(['inspect'], { env });
  assert.is(r.system.native.available, false);
  assert.match(r.system.native.reason, /not found/);
  assert.is(r.system.cpus.online, sys.cpus.online);
  assert.equal(r.system.cpus.allowed, sys.cpus.allowed);
  assert.is(r.system.cpus.allowedSource, '/proc/self/status');
  assert.is(r.system.kernel.release, sys.kernel.release);
  assert.is(r.system.membarrier.queryMask, null);
  assert.match(r.system.membarrier.unknown.queryMask, /native addon/);
  assert.match(r.system.hypervisor.unknown.vendor, /native addon/);
  const text = runCli(['inspect'], { env });
  assert.is(text.status, 0);
  assert.match(text.stdout, /native addon: unavailable/);
});

test('without the native part, run and check say so plainly and exit 3', () => {
  const env = { MEMBARRIER_PROBE_ADDON: '/nonexistent/membarrier_probe.node' };
  for (const args of [
    ['check', '--require', 'membarrier-private-expedited'],
    ['run', '--no-save', '--duration', '1'],
  ]) {
    const r = runCli(args, { env });
    assert.is(r.status, 3, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, /the native engine is unavailable: native addon not found/);
    assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  }
});

test('a broken native addon file is reported, not fatal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mbp-bad-'));
  const bad = join(dir, 'membarrier_probe.node');
  writeFileSync(bad, 'not an ELF file');
  const r = runJson(['inspect'], { env: { MEMBARRIER_PROBE_ADDON: bad } });
  assert.is(r.system.native.available, false);
  assert.match(r.system.native.reason, /failed to load/);
});

test('text output: plain when piped, coloured when forced, NO_COLOR honoured', () => {
  const piped = runCli(['inspect']);
  assert.is(piped.status, 0);
  assert.not.match(piped.stdout, /\x1b\[/);
  assert.match(piped.stdout, /membarrier/);
  assert.match(runCli(['inspect'], { env: { FORCE_COLOR: '1' } }).stdout, /\x1b\[/);
  assert.not.match(runCli(['inspect', '--no-color'], { env: { FORCE_COLOR: '1' } }).stdout, /\x1b\[/);
  assert.match(runCli(['inspect', '--color']).stdout, /\x1b\[/);
});

test.run();
