// inspect under a real seccomp filter on membarrier, installed by a child on itself before it
// execs the probe (test/helpers/seccomp-exec.c). The probe must name each policy correctly and,
// when the filter kills, survive it: the membarrier calls run in a forked child.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildHelper, runCli, runJson } from '../helpers/run-cli.js';

const helper = buildHelper('seccomp-exec');

test('EPERM from a filter is reported as blocked by seccomp, for QUERY and every REGISTER', () => {
  const m = runJson(['inspect'], { wrap: [helper, 'eperm'] }).system;
  assert.is(m.membarrier.queryMask, null);
  assert.is(m.membarrier.error.code, 'EPERM');
  assert.match(m.membarrier.error.meaning, /seccomp/);
  for (const r of m.membarrier.registrations) assert.is(r.outcome.code, 'EPERM', r.command);
  assert.is(m.process.seccomp.mode, 2);
  assert.ok(m.process.seccomp.filters >= 1);
  const fatal = runJson(['inspect'], { wrap: [helper, 'eperm'] }).checks.find(
    (c: { id: string }) => c.id === 'fatal-denial',
  );
  assert.is(fatal.status, 'warning');
  assert.is(fatal.code, 'query-fails');
  assert.match(fatal.text, /EPERM/);
});

test('ENOSYS from a filter reads as a kernel without membarrier', () => {
  const m = runJson(['inspect'], { wrap: [helper, 'enosys'] }).system.membarrier;
  assert.is(m.error.code, 'ENOSYS');
  assert.match(m.error.meaning, /lacks membarrier/);
});

test('a filter that kills the caller kills only the child: the probe reports it and exits 0', () => {
  const r = runCli(['inspect', '--json'], { wrap: [helper, 'kill'] });
  assert.is(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout).system.membarrier;
  assert.is(m.child.end, 'signaled');
  assert.is(m.child.signal, 31, 'SIGSYS');
  assert.is(m.child.killedAt, 'QUERY');
  assert.is(m.queryMask, null);
  assert.match(m.unknown.queryMask, /a process calling membarrier here is killed/);
  // The field sample's child dies the same way, and the checklist says who else would.
  const out = JSON.parse(r.stdout);
  assert.equal(out.system.field.child, { end: 'signaled', signal: 31 });
  const fatal = out.checks.find((c: { id: string }) => c.id === 'fatal-denial');
  assert.is(fatal.status, 'problem');
  assert.is(fatal.code, 'seccomp-membarrier');
  assert.match(fatal.text, /at QUERY/);
  assert.match(fatal.source, /dotnet\/coreclr#24298/);
  const text = runCli(['inspect'], { wrap: [helper, 'kill'] });
  assert.match(text.stdout, /a process calling membarrier here is killed \(signal 31 at QUERY\)/);
  assert.match(text.stdout, /problem +Fatal denial/);
});

test('a sandbox whose PRIVATE_EXPEDITED returns 0 without running is refuted as success that does nothing', () => {
  // QUERY and REGISTER pass through the filter: inspect sees full support.
  const ins = runJson(['inspect'], { wrap: [helper, 'zero-private'] });
  const sys = ins.system;
  assert.is(sys.membarrier.queryMask & 8, 8);
  // inspect's own short sample already sees it: calls as cheap as getpid that interrupt nobody.
  const e = sys.field.effect;
  assert.ok(e.membarrier.interruptedShare <= 0.15 && e.membarrier.p50Ns < 2000, JSON.stringify(e));
  const hollow = ins.checks.find((c: { id: string }) => c.id === 'silent-success');
  assert.is(hollow.status, 'problem');
  assert.is(hollow.code, 'hollow-call');
  const rep = runJson(['run', '--no-save', '--duration', '4', '--strategies', 'membarrier-private-expedited,signals'], {
    wrap: [helper, 'zero-private'],
  });
  const v = rep.analysis.verdicts['membarrier-private-expedited'];
  assert.is(v.verdict, 'refuted');
  assert.ok(
    v.reasons.some((x: { code: string }) => x.code === 'hollow-call'),
    JSON.stringify(v.reasons),
  );
  assert.ok(
    rep.results.strategies['membarrier-private-expedited'].latencyNs.p50 < 2000,
    'no IPI: a null-syscall-like latency',
  );
  assert.is(rep.recommendation.strategy, 'signals');
  const row = rep.analysis.checks.find((c: { id: string }) => c.id === 'silent-success');
  assert.is(row.status, 'problem');
  assert.is(row.code, 'hollow-call');
  assert.match(row.text, /^membarrier-private-expedited \(/);
});

test.run();
