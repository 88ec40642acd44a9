// The registration-order test's reading and what it does to GLOBAL_EXPEDITED's verdict, on a real run's
// evidence (test/fixtures/reports/kvm-6.18-global-expedited-order.json, Linux 6.18.44) and on edited
// copies of it: the edits are labelled, and each stands for a machine where that count came out so.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../../probe/records.js';
import { analyse } from '../../probe/analyse/index.js';
import { DEFECT_ID, orderVerdict, readOrder, SHOWN_MISSED_CALLS } from '../../probe/analyse/registration-order.js';
import { localFixture } from './fixtures.js';
import { migrateReport } from '../../probe/migrate.js';

const ID = 'membarrier-global-expedited';
// Saved before reason codes (schema 1): loaded as loadReport would, migrated.
const recorded: Report = migrateReport(
  JSON.parse(localFixture('reports', 'kvm-6.18-global-expedited-order.json')),
) as Report;
const edit = (f: (r: Report) => void) => {
  const r = structuredClone(recorded);
  f(r);
  return r;
};
const verdictOf = (r: Report) => analyse(r.system, r.plan, r.results).verdicts[ID]!;

test('recorded: the failing orders missed calls the working order reached, so a kernel defect is shown', () => {
  const o = readOrder(recorded.results.registrationOrder!);
  assert.ok(o.shown && o.workingReaches);
  assert.equal(o.failing, ['register-before-reader', 'reader-replaced-after-register']);
  const working = o.patterns.find((p) => p.pattern === 'register-after-reader')!;
  assert.equal([working.measured, working.missed, working.reached, working.onCpuCalls], [2, 0, 766, 766]);
});

test('recorded: refuted, naming the failing order, the kernel defect, its cause and what to do', () => {
  const v = verdictOf(recorded);
  assert.is(v.verdict, 'refuted');
  assert.equal(
    v.reasons.slice(0, 4).map((x) => x.code),
    ['order-defect-shown', 'order-cause', 'order-advice', 'order-phase-verdict'],
  );
  assert.match(
    v.reasons[0]!.text,
    /^a kernel defect, not a call that does nothing: .*registering before the reader.*missed the reader in 1 of 2/,
  );
  assert.match(
    v.reasons[0]!.text,
    /registering once the reader was running on its CPU reached it in 2 of 2 fresh processes \(766 of 766/,
  );
  assert.match(v.reasons[1]!.text, new RegExp(`cause: .*per-runqueue cache.*${DEFECT_ID}`));
  assert.match(
    v.reasons[2]!.text,
    /^what to do: within one process use membarrier-private-expedited .*; across processes no registration order/,
  );
  assert.match(
    v.reasons.map((x) => x.text).join(' '),
    /this run's own phase \(registered once its readers ran\): verified, /,
  );
});

test('recorded: the analysis notes hold the counts by pattern once', () => {
  const notes = analyse(recorded.system, recorded.plan, recorded.results).notes.filter(
    (n) => n.code === 'order-counts',
  );
  assert.is(notes.length, 1);
  assert.match(
    notes[0]!.text,
    /writer CPU 0, reader CPU 1, 400 calls each\): registering before .*\(395 of 793 on-CPU calls/,
  );
});

test(
  'emulated CPUs (edited: QEMU TCG): the counts time the emulator, so never refuted on them, the defect ' +
    'still named',
  () => {
    const v = verdictOf(
      edit((r) => {
        r.system.hypervisor.vendor = 'QEMU TCG';
      }),
    );
    assert.is(v.verdict, 'inconclusive');
    assert.match(
      v.reasons[0]!.text,
      new RegExp(
        `^emulated CPUs.*\\(QEMU TCG\\): the registration-order test's gap test times the emulator.*${DEFECT_ID}`,
      ),
    );
  },
);

test("gVisor: the same counts name gVisor's membarrier, not the kernel (edited: sandbox.gvisor)", () => {
  assert.match(
    verdictOf(
      edit((r) => {
        r.system.sandbox.gvisor = true;
      }),
    ).reasons[0]!.text,
    /^a defect of gVisor's membarrier/,
  );
});

test(
  'not triggered on a kernel in the range (edited: every call reached): inconclusive, never verified, ' + 'cause named',
  () => {
    const v = verdictOf(
      edit((r) => {
        for (const a of r.results.registrationOrder!.attempts) a.reached = a.onCpuCalls;
      }),
    );
    assert.is(v.verdict, 'inconclusive');
    assert.match(
      v.reasons[0]!.text,
      new RegExp(`did not trigger the known defect ${DEFECT_ID} this time .*reader's CPU idle`),
    );
  },
);

test('the working order with too few on-CPU calls (edited: a busy reader CPU): too little evidence, said so', () => {
  const v = verdictOf(
    edit((r) => {
      for (const a of r.results.registrationOrder!.attempts)
        if (a.pattern === 'register-after-reader') a.onCpuCalls = a.reached = 20;
    }),
  );
  assert.is(v.verdict, 'inconclusive');
  assert.match(v.reasons[0]!.text, /too little evidence: the reader was on its CPU during \d+ of 2400 calls/);
});

test(
  'no attempt measured (edited: every child killed at its deadline): too little evidence, said so ' +
    'without guessing why',
  () => {
    const v = verdictOf(
      edit((r) => {
        for (const a of r.results.registrationOrder!.attempts)
          Object.assign(a, { end: 'timeout', reported: false, calls: 0, onCpuCalls: 0, reached: 0 });
      }),
    );
    assert.is(v.verdict, 'inconclusive');
    assert.match(
      v.reasons[0]!.text,
      /too little evidence: no attempt was measured \(6 child processes, ended: timeout\)/,
    );
  },
);

test('no order reaches the reader (edited): not this defect, not verified', () => {
  const v = verdictOf(
    edit((r) => {
      for (const a of r.results.registrationOrder!.attempts) a.reached = 0;
    }),
  );
  assert.is(v.verdict, 'inconclusive');
  assert.match(
    v.reasons[0]!.text,
    /missed the reader even when the process registered after it ran.*not the registration-order defect/,
  );
});

test(
  "a kernel outside the range where every order held (edited: 4.19, all reached): the phase's verdict " +
    'stands, counts added',
  () => {
    const r = edit((x) => {
      x.system.kernel.release = '4.19.0-27-amd64';
      for (const a of x.results.registrationOrder!.attempts) a.reached = a.onCpuCalls;
    });
    const v = verdictOf(r);
    assert.is(v.verdict, 'verified');
    assert.match(v.reasons.at(-1)!.text, /^every registration order reached the reader: /);
  },
);

test('a miss of fewer than SHOWN_MISSED_CALLS calls is noise, not the defect (edited)', () => {
  const o = readOrder(
    edit((r) => {
      for (const a of r.results.registrationOrder!.attempts)
        a.reached = a.onCpuCalls - (a.pattern === 'register-after-reader' ? 0 : SHOWN_MISSED_CALLS - 1);
    }).results.registrationOrder!,
  );
  assert.equal([o.shown, o.failing], [false, []]);
});

test("no test evidence (an older report, or one CPU): the verdict is the phase's own", () => {
  const v = verdictOf(recorded);
  const phaseOnly = orderVerdict(v, null, recorded.system);
  assert.is(phaseOnly, v);
  assert.is(
    verdictOf(
      edit((r) => {
        delete r.results.registrationOrder;
      }),
    ).verdict,
    'verified',
  );
});

test.run();
