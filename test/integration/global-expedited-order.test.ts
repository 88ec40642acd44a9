// The GLOBAL_EXPEDITED registration-order defect on the real kernel (issue 13): the trigger test in
// fresh children (native/inspect/registration_order.cc), three short runs that must agree on one
// verdict and name the cause where it is not verified, and compare on those real reports, which must
// call a difference between them flaky, never worse. Whether the failing orders trigger depends on
// the reader's CPU sitting idle, which a busy machine seldom allows: classes of outcome are asserted,
// and the counts are printed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../probe/records.js';
import { loadNative } from '../../probe/native.js';
import { orderCounts, readOrder, WORKING_MIN_CALLS } from '../../probe/analyse/registration-order.js';
import { ORDER_CALLS } from '../../probe/run/registration-order.js';
import { runCli } from '../helpers/run-cli.js';
import { testUnless } from '../helpers/skip.js';

const n = loadNative();
if (!n.ok) throw new Error(`native addon unavailable: ${n.reason}`);
const addon = n.addon;
const cpus = addon.getAffinity().cpus;
const ID = 'membarrier-global-expedited';
const twoCpus = cpus.length >= 2 ? null : 'needs two usable CPUs';
const mask = (() => {
  try {
    return addon.probeMembarrierInChild(2000).query;
  } catch {
    return undefined;
  }
})();
const noGexp = mask?.ok && mask.value & 2 ? null : 'membarrier GLOBAL_EXPEDITED is not available here';
const why = twoCpus ?? noGexp;

testUnless(
  why,
  'trigger test: every child ends in time, counts are consistent, the working order reaches the reader',
  () => {
    const t0 = performance.now();
    const rounds = addon.sampleRegistrationOrder!(cpus[0]!, cpus[1]!, ORDER_CALLS, 2, 6, 1500, 1000);
    const ms = performance.now() - t0;
    assert.ok(
      ms < 1500 + 3 * 1000 + 500,
      `${ms} ms: no round starts after the budget, and each child is killed at its timeout`,
    );
    const patterns = new Set(rounds.map((a) => a.pattern));
    assert.equal([...patterns].sort(), [
      'reader-replaced-after-register',
      'register-after-reader',
      'register-before-reader',
    ]);
    for (const a of rounds) {
      assert.is(a.end, 'exited', JSON.stringify(a));
      assert.equal([a.reported, a.errno, a.step], [true, 0, 0], JSON.stringify(a));
      assert.ok(a.reached <= a.onCpuCalls && a.onCpuCalls <= a.calls && a.calls <= ORDER_CALLS, JSON.stringify(a));
    }
    const e = {
      strategy: ID,
      writerCpu: cpus[0]!,
      readerCpu: cpus[1]!,
      callsPerAttempt: ORDER_CALLS,
      runOrder: 'register-after-readers' as const,
      attempts: rounds.map(({ exitCode, signal, forkErrno, gapThresholdNs, ...a }) => a),
    };
    const o = readOrder(e);
    console.log(
      `  registration order on ${readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim()}: ${orderCounts(o)}`,
    );
    const working = o.patterns.find((p) => p.pattern === 'register-after-reader')!;
    // Registering once the reader runs is the order the kernel handles: it never missed here (0 of 50 attempts).
    if (working.onCpuCalls >= WORKING_MIN_CALLS) assert.ok(o.workingReaches, orderCounts(o));
  },
);

testUnless(
  why,
  'trigger test: a budget far shorter than a round ends it promptly; bad arguments throw before anything forks',
  () => {
    const t0 = performance.now();
    const rounds = addon.sampleRegistrationOrder!(cpus[0]!, cpus[1]!, 100000, 2, 24, 50, 1000);
    const ms = performance.now() - t0;
    // No child starts after the budget, and the last one is given at least 250 ms, then reaped.
    assert.ok(ms < 50 + 250 + 1000, `${ms} ms`);
    assert.ok(rounds.length >= 1 && rounds.length < 6, `${rounds.length} children`);
    const f = addon.sampleRegistrationOrder as (...a: unknown[]) => unknown;
    for (const args of [
      [0, 0, 400, 2, 2, 100, 100],
      [0, 1, 0, 2, 2, 100, 100],
      [0, 1, 400, 0, 2, 100, 100],
      [0, 1, 400, 2, 2, 100, 0],
      [-1, 1, 400, 2, 2, 100, 100],
      [0, 1, 400, 2, 2, 1.5, 100],
    ]) {
      assert.throws(
        () => f(...args),
        (e: Error) => e instanceof RangeError,
        JSON.stringify(args),
      );
    }
    assert.throws(
      () => f('0', 1, 400, 2, 2, 100, 100),
      (e: Error) => e instanceof TypeError,
    );
  },
);

const dir = mkdtempSync(join(tmpdir(), 'mbp-gexp-'));
const reports: { path: string; report: Report }[] = [];

testUnless(
  why,
  'three runs of run --strategies membarrier-global-expedited give one verdict, the cause named where not verified',
  () => {
    for (let i = 0; i < 3; i++) {
      const r = runCli(['run', '--strategies', ID, '--duration', '20', '--json', '--no-save']);
      assert.is(r.status, 0, r.stderr);
      const path = join(dir, `run-${i}.json`);
      writeFileSync(path, r.stdout);
      reports.push({ path, report: JSON.parse(r.stdout) as Report });
    }
    const verdicts = reports.map((r) => r.report.analysis.verdicts[ID]!);
    for (const [i, v] of verdicts.entries()) console.log(`  run ${i + 1}: ${v.verdict}: ${v.reasons[0]?.text}`);
    for (const { report } of reports) assert.ok(report.results.registrationOrder, 'the registration-order test ran');
    assert.equal(
      verdicts.map((v) => v.verdict),
      verdicts.map(() => verdicts[0]!.verdict),
      'one verdict class',
    );
    for (const v of verdicts) {
      if (v.verdict === 'verified') continue;
      assert.ok(
        v.reasons[0]!.code.startsWith('order-'),
        `the verdict rests on the registration-order test: ${v.reasons[0]!.code}`,
      );
      assert.match(
        v.reasons.map((x) => `${x.code} ${x.text}`).join(' '),
        /global-expedited-stale-runqueue-state|registration-order test/,
        'the cause is named',
      );
    }
  },
);

testUnless(
  why,
  'compare on those reports: a difference on the same machine is flaky or same, never worse; a changed kernel is worse',
  () => {
    assert.is(reports.length, 3, 'the runs above');
    const [a, b] = [reports[0]!, reports[1]!];
    const c = runCli(['compare', a.path, b.path, '--json']);
    const cmp = JSON.parse(c.stdout) as { status: string; worse: boolean; environment: unknown[] };
    assert.equal(cmp.environment, [], 'the same machine, minutes apart');
    assert.ok(['same', 'flaky'].includes(cmp.status), c.stdout);
    assert.is(c.status, cmp.status === 'flaky' ? 3 : 0);
    // Edited copies: the same report with its verdict flipped is flaky on an unchanged environment, worse on a changed
    // one.
    const flip = structuredClone(a.report);
    const v = flip.analysis.verdicts[ID]!;
    const before = structuredClone(a.report);
    before.analysis.verdicts[ID]!.verdict = 'verified';
    v.verdict = 'refuted';
    const pBefore = join(dir, 'before.json'),
      pFlip = join(dir, 'flip.json'),
      pKernel = join(dir, 'kernel.json');
    writeFileSync(pBefore, JSON.stringify(before));
    writeFileSync(pFlip, JSON.stringify(flip));
    const flaky = runCli(['compare', pBefore, pFlip]);
    assert.is(flaky.status, 3, flaky.stdout);
    assert.match(flaky.stdout, /verified -> refuted\s+flaky\n\s+varies on an unchanged environment \(flaky\)/);
    flip.system.kernel.release = '6.99.0-test';
    writeFileSync(pKernel, JSON.stringify(flip));
    const worse = runCli(['compare', pBefore, pKernel]);
    assert.is(worse.status, 1, worse.stdout);
    assert.match(worse.stdout, /kernel release: .* -> 6\.99\.0-test[\s\S]*verified -> refuted\s+worse/);
  },
);

test.run();
