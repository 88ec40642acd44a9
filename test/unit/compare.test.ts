// compare: a verdict that varies on an unchanged environment is flaky, not a regression; one that
// changes with the environment is better or worse. Real reports (the recorded 6.18 runs) and labelled
// edits of them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../../probe/records.js';
import { compareReports } from '../../probe/compare.js';
import { localFixture } from './fixtures.js';
import { migrateReport } from '../../probe/migrate.js';

const order: Report = migrateReport(
  JSON.parse(localFixture('reports', 'kvm-6.18-global-expedited-order.json')),
) as Report;
const full: Report = migrateReport(JSON.parse(localFixture('reports', 'kvm-intel-xeon-2vcpu-default.json'))) as Report;
const GEXP = 'membarrier-global-expedited',
  PRIV = 'membarrier-private-expedited';
const edit = (r: Report, f: (x: Report) => void) => {
  const c = structuredClone(r);
  f(c);
  return c;
};
const setVerdict =
  (id: string, verdict: Report['analysis']['verdicts'][string]['verdict'], reason?: string) => (x: Report) => {
    x.analysis.verdicts[id]!.verdict = verdict;
    if (reason) x.analysis.verdicts[id]!.reasons = [{ code: 'too-few-calls', text: reason }];
  };

test('a report against itself: same, no environment change', () => {
  const c = compareReports(order, order);
  assert.equal([c.status, c.worse, c.environment], ['same', false, []]);
});

test('registration-order sensitive, unchanged environment (edited: verified before): flaky, not worse', () => {
  const c = compareReports(edit(order, setVerdict(GEXP, 'verified')), order);
  const v = c.verdicts.find((x) => x.strategy === GEXP)!;
  assert.equal([v.before, v.after, v.change, c.status, c.worse], ['verified', 'refuted', 'flaky', 'flaky', false]);
  assert.match(v.flakyReason!, /^varies on an unchanged environment \(flaky\): its reach depends on the order/);
});

test('a run with too little evidence (edited: inconclusive after): flaky, and it says which run and why', () => {
  const c = compareReports(full, edit(full, setVerdict(PRIV, 'inconclusive', 'too few on-CPU calls')));
  const v = c.verdicts.find((x) => x.strategy === PRIV)!;
  assert.is(v.change, 'flaky');
  assert.match(v.flakyReason!, /the after run had too little evidence \(inconclusive: too few on-CPU calls\)/);
});

test('a strong refutation on an unchanged environment (edited) is still worse', () => {
  const c = compareReports(full, edit(full, setVerdict(PRIV, 'refuted')));
  assert.equal([c.verdicts.find((x) => x.strategy === PRIV)!.change, c.status, c.worse], ['worse', 'worse', true]);
});

test(
  'a changed environment (edited: kernel release) makes a registration-order flip worse, with the field ' + 'named',
  () => {
    const after = edit(order, (x) => {
      x.system.kernel.release = '6.19.0-test';
    });
    const c = compareReports(edit(order, setVerdict(GEXP, 'verified')), after);
    assert.equal(
      c.environment.map((e) => e.field),
      ['kernel release'],
    );
    assert.equal([c.verdicts.find((x) => x.strategy === GEXP)!.change, c.status], ['worse', 'worse']);
  },
);

test('boot parameters and sandbox count as environment (edited)', () => {
  const fields = (f: (x: Report) => void) => compareReports(order, edit(order, f)).environment.map((e) => e.field);
  assert.equal(
    fields((x) => {
      x.system.kernel.bootParams.nohz_full = '1';
    }),
    ['boot parameters'],
  );
  assert.equal(
    fields((x) => {
      x.system.sandbox.gvisor = true;
    }),
    ['sandbox'],
  );
});

test.run();
