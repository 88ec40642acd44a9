// The verdict and recommendation rules on recorded evidence: a real report of this project's
// Intel KVM machine (test/fixtures/reports/kvm-intel-xeon-2vcpu-default.json), and variants of it
// that change one measured fact each, to produce the cases a real run here does not.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report, StrategyEvidence } from '../../probe/records.js';
import { analyse } from '../../probe/analyse/index.js';
import { recommend } from '../../probe/recommend/index.js';
import { codesOf, said, withCode } from '../helpers/codes.js';
import { localReport } from './fixtures.js';

const recorded: Report = localReport('reports', 'kvm-intel-xeon-2vcpu-default.json');
const clone = (): Report => structuredClone(recorded);
const judge = (r: Report) => analyse(r.system, r.plan, r.results);
const verdictOf = (r: Report, id: string) => judge(r).verdicts[id];
const PRIV = 'membarrier-private-expedited';

test('recorded run: the verdicts a human reading the evidence would give', () => {
  const a = judge(clone());
  assert.is(a.verdicts[PRIV].verdict, 'verified');
  assert.is(a.verdicts.mprotect.verdict, 'verified');
  assert.is(a.verdicts.signals.verdict, 'verified');
  assert.is(a.verdicts['symmetric-fence'].verdict, 'verified');
  assert.is(a.verdicts['membarrier-global-expedited'].verdict, 'refuted');
  assert.is(a.verdicts['membarrier-global'].verdict, 'inconclusive');
  assert.ok(
    codesOf(a.verdicts['membarrier-global'].reasons).includes('sb-no-power'),
    said(a.verdicts['membarrier-global'].reasons),
  );
  assert.ok(a.positiveControl.relaxed);
});

// A control whose evidence would verify a strategy: no SB violation, every reader interrupted on
// every one of many on-CPU calls, far above the null control. Only the control cap can stop it.
function perfect(e: StrategyEvidence): void {
  e.sb.violations = 0;
  e.sb.histogram['00'] = 0;
  e.sb.perReader.forEach((p) => (p.histogram['00'] = 0));
  if (!e.mechanism) return;
  e.mechanism.onCpuCalls = 100_000;
  e.mechanism.interruptedShare = 1;
  e.mechanism.rawInterruptedShare = 1;
  e.mechanism.perReader.forEach((p) => {
    p.interruptedShare = 1;
    p.rawInterruptedShare = 1;
    p.onCpuCalls = 100_000;
  });
}

test('no control is ever verified: the cap stops a control whose evidence is otherwise perfect', () => {
  const capped: string[] = [];
  for (const id of Object.keys(recorded.results.controls)) {
    const r = clone();
    perfect(r.results.controls[id]);
    // The same evidence under a strategy's name is verified: this is evidence the cap has to stop.
    const asStrategy = clone();
    asStrategy.results.strategies[PRIV] = { ...structuredClone(r.results.controls[id]), id: PRIV, strategy: PRIV };
    perfect(asStrategy.results.strategies[PRIV]);
    const v = verdictOf(r, id);
    assert.is.not(v.verdict, 'verified', id);
    if (verdictOf(asStrategy, PRIV).verdict === 'verified' && v.reasons[0]?.code === 'control-not-barrier')
      capped.push(id);
  }
  // The positive control silenced is its own rule (nothing could be seen), and the null syscall has
  // one too; every other control, delay-matched ones and the fence-only writer, is stopped by the cap.
  assert.ok(capped.includes('delay-matched:mprotect'), capped.join(', '));
  assert.ok(capped.includes('writer-fence-only'), capped.join(', '));
  assert.ok(capped.length >= Object.keys(recorded.results.controls).length - 2, capped.join(', '));
  const dm = verdictOf(
    (() => {
      const r = clone();
      perfect(r.results.controls['delay-matched:mprotect']);
      return r;
    })(),
    'delay-matched:mprotect',
  );
  assert.is(dm.verdict, 'inconclusive');
  assert.is(dm.reasons[0]?.code, 'control-not-barrier');
});

test('the null syscall is refuted by its own rule, even with no SB violation and a perfect-looking share', () => {
  for (const share of [null, 1]) {
    const r = clone();
    const n = r.results.controls['null-syscall'];
    n.sb.violations = 0;
    n.sb.histogram['00'] = 0;
    if (share !== null) perfect(n);
    const v = verdictOf(r, 'null-syscall');
    assert.is(v.verdict, 'refuted', String(share));
    assert.is(v.reasons[0]?.code, 'null-control-orders-nothing');
  }
});

test('no call with every reader on its CPU: inconclusive for want of mechanism evidence', () => {
  const r = clone();
  const m = r.results.strategies[PRIV].mechanism!;
  m.interruptedShare = null;
  m.onCpuCalls = 0;
  m.perReader.forEach((p) => {
    p.interruptedShare = null;
    p.onCpuCalls = 0;
  });
  const v = verdictOf(r, PRIV);
  assert.is(v.verdict, 'inconclusive');
  assert.is(v.reasons[0]?.code, 'no-on-cpu-call');
});

test(
  'a null control interrupted in 60% of calls (a noisy host): a perfect strategy is not clearly above ' +
    'it, so inconclusive',
  () => {
    const r = clone();
    perfect(r.results.strategies[PRIV]);
    r.results.controls['null-syscall'].mechanism!.interruptedShare = 0.6;
    const v = verdictOf(r, PRIV);
    assert.is(v.verdict, 'inconclusive');
    assert.match(withCode(v.reasons, 'not-above-null')?.text ?? '', /60\.0%/, said(v.reasons));
  },
);

test('a strategy without its delay-matched control is inconclusive, however perfect its evidence', () => {
  const r = clone();
  perfect(r.results.strategies[PRIV]);
  assert.is(verdictOf(r, PRIV).verdict, 'verified');
  delete r.results.controls[`delay-matched:${PRIV}`];
  const v = verdictOf(r, PRIV);
  assert.is(v.verdict, 'inconclusive');
  assert.ok(codesOf(v.reasons).includes('no-delay-matched'), said(v.reasons));
});

test('any SB violation refutes', () => {
  const r = clone();
  r.results.strategies[PRIV].sb.violations = 1;
  assert.is(verdictOf(r, PRIV).verdict, 'refuted');
});

test('a silent positive control makes every strategy inconclusive', () => {
  const r = clone();
  r.results.controls.none.sb.violations = 0;
  const a = judge(r);
  for (const id of r.plan.strategies) {
    if (a.verdicts[id].verdict === 'refuted') continue; // a violation stays a violation
    assert.is(a.verdicts[id].verdict, 'inconclusive', id);
  }
  assert.is(a.verdicts[PRIV].reasons[0]?.code, 'positive-control-silent');
});

test('success that does nothing: a call that interrupts nobody is refuted, not verified', () => {
  const r = clone();
  const m = r.results.strategies[PRIV].mechanism!;
  m.interruptedShare = r.results.controls['null-syscall'].mechanism!.interruptedShare;
  m.perReader.forEach((p) => (p.interruptedShare = m.interruptedShare));
  const v = verdictOf(r, PRIV);
  assert.is(v.verdict, 'refuted');
  assert.is(v.reasons[0]?.code, 'hollow-call');
});

test('below 99% on a reader, too few calls, or too near the delay-matched control: inconclusive', () => {
  let r = clone();
  r.results.strategies[PRIV].mechanism!.perReader[0].interruptedShare = 0.97;
  assert.ok(codesOf(verdictOf(r, PRIV).reasons).includes('reader-short'));
  r = clone();
  r.results.strategies[PRIV].mechanism!.onCpuCalls = 100;
  assert.is(verdictOf(r, PRIV).verdict, 'inconclusive');
  assert.ok(codesOf(verdictOf(r, PRIV).reasons).includes('too-few-calls'));
  r = clone();
  r.results.controls[`delay-matched:${PRIV}`].mechanism!.interruptedShare = 0.8;
  assert.is(verdictOf(r, PRIV).verdict, 'inconclusive');
  assert.ok(codesOf(verdictOf(r, PRIV).reasons).includes('not-above-delay-matched'));
});

test('setup failures are unavailable with the errno named; failed phases are inconclusive', () => {
  let r = clone();
  const e: StrategyEvidence = r.results.strategies[PRIV];
  e.status = 'unavailable';
  e.available = false;
  e.error = {
    errno: 1,
    code: 'EPERM',
    meaning: 'blocked by seccomp or another security policy',
    what: 'MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED',
  };
  assert.is(verdictOf(r, PRIV).verdict, 'unavailable');
  assert.is(verdictOf(r, PRIV).reasons[0]?.code, 'strategy-unavailable');
  assert.match(verdictOf(r, PRIV).reasons[0]!.text, /EPERM/);
  r = clone();
  r.results.strategies.mprotect.status = 'timeout';
  assert.is(verdictOf(r, 'mprotect').reasons[0]?.code, 'phase-timeout');
  r = clone();
  r.plan.blocked = 'cannot place a reader on another CPU: only CPU 0 is usable here';
  assert.is(verdictOf(r, PRIV).verdict, 'inconclusive');
  assert.is(verdictOf(r, PRIV).reasons[0]?.code, 'run-blocked');
});

test('a fence-based strategy is verified only where SB had the power to see a failure', () => {
  const r = clone();
  r.results.horizon!.points.forEach((p) => {
    p.violations = 0;
    p.rate = 0;
  });
  assert.is(verdictOf(r, 'symmetric-fence').verdict, 'inconclusive');
});

test('every verdict states its power', () => {
  for (const v of Object.values(judge(clone()).verdicts)) {
    if (v.verdict === 'unavailable') continue;
    assert.ok(codesOf(v.reasons).includes('sb-power'), v.strategy);
  }
});

const rec = (r: Report, allowMprotect = false) => recommend(r.system, judge(r), r.results, { allowMprotect });
const unavailable = (r: Report, id: string) => {
  const e = r.results.strategies[id];
  e.status = 'unavailable';
  e.available = false;
  e.error = { errno: 1, code: 'EPERM', meaning: 'blocked by seccomp', what: 'membarrier' };
};

test('recommendation follows the preference order and says why the better ones were not chosen', () => {
  let r = clone();
  assert.is(rec(r).strategy, PRIV);
  r = clone();
  unavailable(r, PRIV);
  r.results.strategies['membarrier-global-expedited'] = {
    ...structuredClone(recorded.results.strategies[PRIV]),
    id: 'membarrier-global-expedited',
    strategy: 'membarrier-global-expedited',
  };
  r.results.controls['delay-matched:membarrier-global-expedited'] = structuredClone(
    recorded.results.controls[`delay-matched:${PRIV}`],
  );
  const g = rec(r);
  assert.is(g.strategy, 'membarrier-global-expedited');
  assert.match(
    withCode(g.reasons, 'preferred-not-chosen')?.text ?? '',
    /membarrier-private-expedited .*unavailable/,
    said(g.reasons),
  );
  r = clone();
  unavailable(r, PRIV);
  assert.is(rec(r).strategy, 'signals');
  unavailable(r, 'signals');
  assert.is(rec(r).strategy, 'symmetric-fence');
  unavailable(r, 'symmetric-fence');
  const none = rec(r);
  assert.is(none.strategy, null);
  assert.is(none.reasons[0]?.code, 'none-verified');
  assert.match(none.runtimes.find((x) => x.runtime === 'liburcu')!.advice, /urcu-mb/);
});

test('mprotect: offered only on opt-in, never with a risk, always with the caveat', () => {
  let r = clone();
  assert.not.ok(rec(r).acceptable.some((a) => a.strategy === 'mprotect'));
  assert.ok(codesOf(rec(r).reasons).includes('page-table-opt-in'));
  const ok = rec(r, true).acceptable.find((a) => a.strategy === 'mprotect');
  assert.match(ok!.condition, /undocumented kernel behaviour: re-run after every kernel, hypervisor or host change/);
  r = clone();
  r.system.hypervisor.hyperv = { recommendations: 4, remoteTlbFlushByHypercall: true, exProcessorMasks: false };
  assert.not.ok(rec(r, true).acceptable.some((a) => a.strategy === 'mprotect'));
  assert.match(withCode(rec(r, true).reasons, 'page-table-risky')?.text ?? '', /^mprotect .*Hyper-V/);
  assert.match(
    rec(clone()).acceptable.find((a) => a.strategy === 'membarrier-global')!.condition,
    /rare writers only.*ms/,
  );
});

test.run();
