// Kernel defect table: version-range matching on real releases (the shared fixtures' uname -r)
// and hand-written releases (labelled), and which entries apply per arch and machine condition.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../../probe/records.js';
import { DEFECTS, defectsFor, inRange, releaseVersion } from '../../probe/analyse/defects.js';
import { devFixture, localReport } from './fixtures.js';

const recorded: Report = localReport('reports', 'kvm-intel-xeon-2vcpu-default.json');
const facts = (release: string, machine: string, edit: (r: Report) => void = () => {}) => {
  const r = structuredClone(recorded);
  r.system.kernel.release = release;
  r.system.platform.machine = machine;
  edit(r);
  return defectsFor(r.system).map((d) => d.id);
};

test('captured releases (shared fixtures uname-r) parse and match open-ended ranges', () => {
  for (const m of ['kvm-amd-epyc-2vcpu', 'kvm-intel-xeon-2vcpu']) {
    const rel = devFixture(m, 'uname-r').trim();
    assert.equal(releaseVersion(rel), [6, 18, 44], rel);
    assert.is(inRange(rel, { below: [6, 9] }), false);
    assert.is(inRange(rel, { from: [6, 15] }), true);
  }
});

test('hand-written releases: distribution suffixes, two-part versions, garbage', () => {
  // Samsung Linux-on-DeX kernel from dotnet/coreclr#24298
  assert.equal(releaseVersion('4.14.85-15820661'), [4, 14, 85]);
  assert.equal(releaseVersion('6.9-rc1'), [6, 9, 0]);
  assert.is(releaseVersion('not-a-kernel'), null);
  assert.is(inRange('6.8.12-riscv', { below: [6, 9] }), true);
  assert.is(inRange('6.9.0', { below: [6, 9] }), false, 'the bound is exclusive');
  assert.is(inRange(null, { below: [6, 9] }), null, 'unknown release: no guess');
});

test('the recorded x86 guest on 6.18: only the GLOBAL_EXPEDITED stale-runqueue defect, by capability', () => {
  const [d, ...rest] = defectsFor(recorded.system);
  assert.equal(rest, []);
  assert.is(d!.id, 'global-expedited-stale-runqueue-state');
  assert.equal(d!.strategies, ['membarrier-global-expedited'], 'named by caps.registrationOrderSensitive');
  assert.match(d!.source, /membarrier_global_expedited/);
  assert.match(d!.detectedBy!, /registration-order test/);
  assert.ok(d!.seenOn!.some((k) => k.startsWith('6.18.44')) && d!.seenOn!.some((k) => k.startsWith('6.1.176')));
});

test('the stale-runqueue defect: from 5.4 (the per-runqueue cache), not before (hand-written releases)', () => {
  assert.ok(facts('5.4.0-150-generic', 'x86_64').includes('global-expedited-stale-runqueue-state'));
  assert.not.ok(facts('4.19.0-27-amd64', 'x86_64').includes('global-expedited-stale-runqueue-state'));
});

test('RISC-V before 6.9 (hand-written 6.6.21 StarFive release) gets the switch_mm defect; x86 and 6.9 do not', () => {
  assert.ok(facts('6.6.21-starfive', 'riscv64').includes('riscv-switch-mm-barrier'));
  assert.not.ok(facts('6.9.0', 'riscv64').includes('riscv-switch-mm-barrier'));
  assert.not.ok(facts('6.6.21', 'x86_64').includes('riscv-switch-mm-barrier'));
});

test('missing commands by version (hand-written old releases)', () => {
  assert.equal(facts('4.1.0', 'x86_64'), ['kernel-no-membarrier']);
  assert.equal(facts('4.9.0-19-amd64', 'x86_64'), ['kernel-no-private-expedited', 'kernel-no-get-registrations']);
  assert.equal(facts('4.15.0-213-generic', 'x86_64'), ['kernel-no-sync-core', 'kernel-no-get-registrations']);
  assert.equal(facts('5.4.0-150-generic', 'aarch64'), [
    'kernel-no-rseq-cmd',
    'kernel-no-get-registrations',
    'global-expedited-stale-runqueue-state',
  ]);
  assert.equal(facts('6.1.0-13-amd64', 'x86_64'), [
    'kernel-no-get-registrations',
    'global-expedited-stale-runqueue-state',
  ]);
});

test('conditional entries: nohz_full and AMD INVLPGB on 6.15+', () => {
  assert.ok(
    facts('6.18.44', 'x86_64', (r) => {
      r.system.kernel.nohzFull = [1];
    }).includes('nohz-full'),
  );
  const amd = (rel: string) =>
    facts(rel, 'x86_64', (r) => {
      r.system.cpus.vendor = 'AuthenticAMD';
      r.system.cpus.flags.invlpgb = true;
    });
  assert.ok(amd('6.15.0').includes('amd-invlpgb'));
  assert.not.ok(amd('6.14.11').includes('amd-invlpgb'));
});

test('every entry has a source and a bounded, consistent range', () => {
  for (const d of DEFECTS) {
    assert.ok(d.source.length > 0, d.id);
    if (d.kernels.from && d.kernels.below) assert.ok(inRange(d.kernels.from.join('.'), d.kernels), d.id);
  }
});

test.run();
