// The integration tests' expectation for a real run's verdict (test/helpers/expect-verdict.ts) can
// fail: checked here on the recorded report and one-fact variants of it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../../probe/records.js';
import { verdictProblem } from '../helpers/expect-verdict.js';
import { localReport } from './fixtures.js';

const recorded: Report = localReport('reports', 'kvm-intel-xeon-2vcpu-default.json');
const clone = (): Report => structuredClone(recorded);
const unsafe = (r: Report, id: string) =>
  r.analysis.risks.push({ id: 'broadcast-tlbi', severity: 'unsafe', strategies: [id], text: 'test' });

test('recorded KVM run: mprotect verified under only a note risk is as expected', () => {
  assert.is(verdictProblem(recorded, 'mprotect'), null);
});

test('an unsafe risk turns verified into a failure, and accepts refuted or inconclusive', () => {
  const r = clone();
  unsafe(r, 'mprotect');
  assert.match(verdictProblem(r, 'mprotect') ?? '', /expected refuted or inconclusive under broadcast-tlbi/);
  r.analysis.verdicts.mprotect.verdict = 'refuted';
  assert.is(verdictProblem(r, 'mprotect'), null);
});

test('without an unsafe risk: refuted fails; inconclusive passes only for a timing reason', () => {
  const r = clone();
  r.analysis.verdicts.mprotect.verdict = 'refuted';
  assert.ok(verdictProblem(r, 'mprotect'));
  r.analysis.verdicts.mprotect = {
    ...r.analysis.verdicts.mprotect,
    verdict: 'inconclusive',
    reasons: [{ code: 'phase-failed', text: 'the phase failed: EPERM mprotect' }],
  };
  assert.ok(verdictProblem(r, 'mprotect'));
  r.analysis.verdicts.mprotect.reasons = [
    { code: 'too-few-calls', text: '120 on-CPU calls are too few to bound the miss rate (95% lower bound 97.5%)' },
  ];
  assert.is(verdictProblem(r, 'mprotect'), null);
});

test.run();
