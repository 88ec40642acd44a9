// The field checklist (analyse/checks.ts): every row always present, in the order, each
// with a one-line finding and a source; each trap turns its row from ok to the right status.
// Base facts: test/helpers/check-facts.ts. The checklist in a run and in every format: checks-run.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Code, FieldCheck, MachineFacts } from '../../probe/records.js';
import { checksOf } from '../../probe/analyse/checks.js';
import { facts, get, recorded, status } from '../helpers/check-facts.js';

const IDS = [
  'fatal-denial',
  'silent-success',
  'registration-cost',
  'contention',
  'cpu-quota',
  'single-cpu',
  'cpu-hotplug',
  'user-mode-emulation',
  'tracer',
  'emulated-kernel',
  'android',
  'known-defects',
  'mlock',
  'signals-self-test',
];

test(
  'every row, in order, with a title, a one-line finding and a source; all ok or note on the plain guest ' +
    'but its kernel',
  () => {
    const rows = checksOf(facts());
    assert.equal(
      rows.map((r) => r.id),
      IDS,
    );
    for (const r of rows) {
      assert.ok(r.title && r.source && r.text, r.id);
      assert.not.match(r.text, /\n/, r.id);
      // Linux 6.18 is in the range of the GLOBAL_EXPEDITED stale-runqueue defect: a warning row.
      if (r.id === 'known-defects')
        assert.match(`${r.status} ${r.text}`, /^warning 1 of \d+ apply .*global-expedited-stale-runqueue-state/);
      else assert.ok(['ok', 'note'].includes(r.status), `${r.id}: ${r.status} ${r.text}`);
    }
    assert.match(get(rows, 'registration-cost').text, /239 ns single-threaded, 11\.0 ms in a child with 2 threads/);
    assert.is(get(rows, 'silent-success').code, 'effect-reaches');
    assert.match(
      get(rows, 'silent-success').text,
      /100\.00% of 199 PRIVATE_EXPEDITED calls .* against 0\.5% for getpid/,
    );
    assert.match(get(rows, 'contention').text, /1 \/ 2 \/ 4 concurrent callers: p50 14\.4 us \/ 14\.4 us \/ 14\.4 us/);
  },
);

test('a report saved before the field sample and traps: rows say what was not checked, never ok by default', () => {
  const rows = checksOf(recorded.system);
  assert.equal(
    rows.map((r) => r.id),
    IDS,
  );
  for (const id of ['silent-success', 'contention', 'signals-self-test', 'cpu-quota', 'tracer'])
    assert.is(get(rows, id).status, 'unknown', id);
});

test('fatal denial: a killed child is a problem naming who dies; EPERM is a warning', () => {
  const killed = status((f) => {
    f.membarrier.child = { end: 'signaled', signal: 31, killedAt: 'QUERY' };
  }, 'fatal-denial');
  assert.is(killed.status, 'problem');
  assert.is(killed.code, 'seccomp-membarrier');
  assert.match(killed.text, /at QUERY: .*\.NET/);
  const eperm = status((f) => {
    f.membarrier.error = { errno: 1, code: 'EPERM', meaning: 'blocked by seccomp' };
  }, 'fatal-denial');
  assert.is(eperm.status, 'warning');
  assert.is(eperm.code, 'query-fails');
  assert.match(eperm.text, /EPERM/);
});

test('success that does nothing: a call that interrupts no more than getpid is a problem', () => {
  const r = status((f) => {
    f.field!.effect!.membarrier = { calls: 200, onCpuCalls: 200, interruptedShare: 0.005, p50Ns: 127 };
  }, 'silent-success');
  assert.is(r.status, 'problem');
  assert.is(r.code, 'hollow-call');
  assert.match(r.source, /mystikos#313/);
});

test(
  'environment traps turn their rows: quota, one CPU, emulation, rr, gVisor, old Android, RISC-V defect, ' +
    'mlock, signals',
  () => {
    const cases: [string, (f: MachineFacts) => void, FieldCheck['status'], Code, RegExp?][] = [
      [
        'cpu-quota',
        (f) => {
          f.traps!.cpuQuota = { quotaUs: 20000, periodUs: 100000, cpus: 0.2, cgroup: '/x', version: 2 };
        },
        'warning',
        'cpu-quota',
        /20\.0 ms of CPU per 100\.0 ms/,
      ],
      [
        'single-cpu',
        (f) => {
          f.cpus.online = 1;
        },
        'note',
        'single-cpu',
      ],
      [
        'user-mode-emulation',
        (f) => {
          Object.assign(f.traps!.emulation, { userModeEmulation: true, evidence: ['process arch arm64, CPU x86'] });
        },
        'problem',
        'user-mode-emulation',
        /process arch arm64, CPU x86/,
      ],
      [
        'tracer',
        (f) => {
          f.traps!.tracer = { pid: 42, comm: 'rr', rr: true };
        },
        'problem',
        'tracer-attached',
      ],
      [
        'tracer',
        (f) => {
          f.traps!.tracer = { pid: 42, comm: 'strace', rr: false };
        },
        'note',
        'tracer-attached',
        /strace, PID 42/,
      ],
      [
        'emulated-kernel',
        (f) => {
          f.sandbox.gvisor = true;
        },
        'problem',
        'emulated-kernel',
        /gVisor/,
      ],
      [
        'android',
        (f) => {
          f.traps!.android = { sdk: 28, evidence: [] };
        },
        'warning',
        'android-old-api',
        /API level 28/,
      ],
      [
        'android',
        (f) => {
          f.traps!.android = { sdk: 34, evidence: [] };
        },
        'ok',
        'android-recent',
        /API level 34/,
      ],
      [
        'known-defects',
        (f) => {
          f.kernel.release = '6.8.0';
          f.platform.machine = 'riscv64';
        },
        'problem',
        'known-defects-apply',
        /riscv-switch-mm-barrier/,
      ],
      [
        'mlock',
        (f) => {
          f.process.memlock = { soft: 0, hard: 0, onePageLocked: false, error: 'EPERM' };
          f.process.capIpcLock = false;
        },
        'warning',
        'mlock-refused',
        /CAP_IPC_LOCK is missing/,
      ],
      [
        'signals-self-test',
        (f) => {
          f.field!.signalsSelfTest = { ok: false, errno: 110 };
        },
        'problem',
        'signals-self-test-failed',
        /errno 110/,
      ],
      [
        'cpu-hotplug',
        (f) => {
          f.cpus.offline = [2, 3];
        },
        'note',
        'cpus-offline',
        /CPUs 2-3 are offline/,
      ],
    ];
    for (const [id, fn, want, code, figures] of cases) {
      const r = status(fn, id);
      assert.is(r.status, want, `${id}: ${r.text}`);
      assert.is(r.code, code, `${id}: ${r.text}`);
      // The facts behind the finding are named in its sentence.
      if (figures) assert.match(r.text, figures, id);
    }
    assert.match(
      status((f) => {
        f.kernel.release = '6.8.0';
        f.platform.machine = 'riscv64';
      }, 'known-defects').source,
      /openjdk\/jdk#17889/,
    );
  },
);

test("an inherited registration is told by the addon's code, not by the wording of its note", () => {
  const inherited = status((f) => {
    f.field!.registration.threaded!.note = { code: 'registration-inherited', text: 'a no-op' };
  }, 'registration-cost');
  assert.equal([inherited.status, inherited.code], ['unknown', 'registration-inherited']);
  // A note that mentions "inherited" but carries another code is a real figure.
  const worded = status((f) => {
    f.field!.registration.threaded!.note = { code: 'registration-threaded', text: 'not inherited' };
  }, 'registration-cost');
  assert.is(worded.code, 'registration-slow');
});

test.run();
