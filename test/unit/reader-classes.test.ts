// Hazard: a barrier that reaches the writer's LLC but not another package (or not the SMT
// sibling) passing as verified on a big host. The recorded 2-vCPU report, and the same run's
// per-reader figures copied to many readers in several topology classes (expand.ts), with one
// class's figures changed to the failure being guarded against.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../../probe/records.js';
import { analyse } from '../../probe/analyse/index.js';
import { expandReaders, recordedReport, syntheticClasses } from './expand.js';
import { codesOf, said, withCode } from '../helpers/codes.js';

const PRIV = 'membarrier-private-expedited';
const judge = (r: Report) => analyse(r.system, r.plan, r.results);
const many = () => expandReaders(recordedReport(), syntheticClasses(9, ['other-package', 'same-llc', 'smt-sibling']));

test('recorded report (saved before the plan recorded classes): CPU 1 is classed same-llc from its topology', () => {
  const a = judge(recordedReport());
  assert.equal(
    a.byClass![PRIV].map((c) => [c.class, c.readers, c.interruptedShare]),
    [['same-llc', [1], 1]],
  );
  const none = a.byClass!.none[0];
  assert.equal([none.sbViolations, none.sbTrials], [459351, 459351 + 24049 + 7066 + 27]);
  assert.equal(a.readerPower, [
    { cpu: 1, class: 'same-llc', trials: 490493, relaxed: 459351, relaxation: 459351 / 490493 },
  ]);
  // One class: the verdict's reasons stay as they were.
  assert.is(a.verdicts[PRIV].verdict, 'verified');
  assert.not.ok(codesOf(a.verdicts[PRIV].reasons).includes('classes-short'));
});

test('nine readers in three classes, every class as recorded: verified, evidence pooled per class', () => {
  const a = judge(many());
  assert.is(a.verdicts[PRIV].verdict, 'verified');
  assert.equal(
    a.byClass![PRIV].map((c) => [c.class, c.readers]),
    [
      ['other-package', [1, 4, 7]],
      ['same-llc', [2, 5, 8]],
      ['smt-sibling', [3, 6, 9]],
    ],
  );
  assert.equal(
    a.byClass![PRIV].map((c) => c.onCpuCalls),
    [3 * 51862, 3 * 51862, 3 * 51862],
  );
});

test('reaches the LLC but not the other package: refuted, and the reason names other-package at 0%', () => {
  const r = many();
  const m = r.results.strategies[PRIV].mechanism!;
  for (const p of m.perReader)
    if (p.cpu % 3 === 1) {
      p.interruptedShare = 0;
      p.rawInterruptedShare = 0;
    }
  m.interruptedShare = 0; // no call interrupted every reader
  const a = judge(r);
  const v = a.verdicts[PRIV];
  assert.is(v.verdict, 'refuted');
  // The class and its CPUs are named in the classes-short reason; the classes that were reached are not.
  const short = withCode(v.reasons, 'classes-short')?.text ?? '';
  assert.match(short, /other-package: interrupted 0\.00% of on-CPU calls \(CPU 1,4,7\)/, said(v.reasons));
  assert.not.match(short, /same-llc/);
  // Not a hollow call: the other classes were reached, and the first reason says so.
  assert.is(v.reasons[0]?.code, 'partial-reach');
  assert.equal(
    a.byClass![PRIV].map((c) => c.interruptedShare),
    [0, 1, 1],
  );
});

test('the SMT sibling interrupted in 90% of calls: inconclusive, the reader and its class named', () => {
  const r = many();
  const m = r.results.strategies[PRIV].mechanism!;
  for (const p of m.perReader) if (p.cpu % 3 === 0) p.interruptedShare = 0.9;
  m.interruptedShare = 0.9;
  const v = judge(r).verdicts[PRIV];
  assert.is(v.verdict, 'inconclusive');
  assert.equal(codesOf(v.reasons).slice(0, 2), ['reader-short', 'classes-short']);
  // The readers, their class and share are named.
  assert.match(
    v.reasons[0]!.text,
    /CPU 3 \(smt-sibling, 90\.0%\), 6 \(smt-sibling, 90\.0%\), 9 \(smt-sibling, 90\.0%\)/,
  );
  assert.match(v.reasons[1]!.text, /: smt-sibling: interrupted 90\.0% of on-CPU calls \(CPU 3,6,9\)$/);
});

test('SB violations in one class only: refuted, with the violations per class', () => {
  const r = many();
  const e = r.results.strategies[PRIV];
  for (const p of e.sb.perReader) if (p.cpu % 3 === 1) p.histogram['00'] = 4;
  e.sb.violations = 12;
  const v = judge(r).verdicts[PRIV];
  assert.is(v.verdict, 'refuted');
  assert.is(v.reasons[1]?.code, 'violations-by-class');
  assert.match(v.reasons[1]!.text, /other-package 12 of \d+, same-llc 0 of \d+, smt-sibling 0 of \d+$/);
});

test('the positive control silent at some readers: their CPUs and classes are named in the notes', () => {
  const r = many();
  for (const p of r.results.controls.none.sb.perReader)
    if (p.cpu === 3 || p.cpu === 9) {
      p.histogram['11'] += p.histogram['00'];
      p.histogram['00'] = 0;
    }
  const a = judge(r);
  assert.equal(
    a.readerPower!.filter((p) => p.relaxation === 0).map((p) => [p.cpu, p.class]),
    [
      [3, 'smt-sibling'],
      [9, 'smt-sibling'],
    ],
  );
  assert.match(
    withCode(a.notes, 'reader-without-power')?.text ?? '',
    /CPU 3 \(smt-sibling, 490493 trials\), 9 \(smt-sibling, 490493 trials\)/,
    said(a.notes),
  );
  // Every reader relaxed: no such note.
  assert.not.ok(codesOf(judge(many()).notes).includes('reader-without-power'));
});

test.run();
