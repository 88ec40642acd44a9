// The field checklist (analyse/checks.ts): every row always present, in the order, each
// with a one-line finding and a source; each trap turns its row from ok to the right status.
// Base facts: the recorded KVM guest report (test/fixtures/reports, saved before the field sample
// and traps existed), plus a field sample shaped as this machine's inspect returns it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Code, FieldCheck, FieldFacts, MachineFacts, Report, TrapFacts } from '../../probe/records.js';
import { checksOf } from '../../probe/analyse/checks.js';
import { analyse } from '../../probe/analyse/index.js';
import { fieldFacts, sampleCpus } from '../../probe/inspect/field.js';
import { localReport } from './fixtures.js';
import { renderHtml } from '../../probe/render/html.js';
import { renderMarkdown } from '../../probe/render/markdown.js';
import { renderPrometheus } from '../../probe/render/prometheus.js';
import { render } from '../../probe/render/index.js';

const recorded: Report = localReport('reports', 'kvm-intel-xeon-2vcpu-default.json');
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

const traps = (): TrapFacts => ({
  cpuQuota: null,
  tracer: null,
  freebsdLinuxulator: false,
  android: null,
  unknown: {},
  emulation: {
    processArch: 'x64',
    addonArch: 'x86_64',
    kernelMachine: 'x86_64',
    cpuinfoFamily: 'x86',
    userModeEmulation: false,
    evidence: [],
  },
});
// As sampleFieldInChild returned it on the 2-vCPU Intel guest (200 calls of each kind).
const field = (): FieldFacts =>
  fieldFacts(
    {
      end: 'exited',
      exitCode: 0,
      signal: 0,
      forkErrno: 0,
      threaded: { ok: true, ns: 11026202, threads: 2 },
      effect: {
        errno: 0,
        what: '',
        membarrier: { calls: 200, onCpuCalls: 199, interrupted: 199, p50Ns: 15008 },
        nullSyscall: { calls: 200, onCpuCalls: 199, interrupted: 1, p50Ns: 125 },
        gapThresholdNs: 1000,
      },
      contention: [1, 2, 4].map((writers) => ({
        writers,
        status: 'ok' as const,
        errno: 0,
        p50Ns: 14400,
        p99Ns: 17600,
        maxNs: 19900,
        calls: 205,
        descheduledCalls: 0,
      })),
      signalsSelfTest: 0,
    },
    { ok: true, ns: 239 },
    { writer: 0, reader: 1 },
  );

function facts(fn: (f: MachineFacts) => void = () => {}): MachineFacts {
  const f = structuredClone(recorded.system);
  f.traps = traps();
  f.field = field();
  fn(f);
  return f;
}
const get = (rows: FieldCheck[], id: string) => rows.find((r) => r.id === id)!;
const status = (fn: (f: MachineFacts) => void, id: string) => get(checksOf(facts(fn)), id);

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

test('CPU hotplug during a run: the row is a problem and every verdict inconclusive', () => {
  const results = { ...structuredClone(recorded.results), onlineCpus: { before: '0,1', after: '0' } };
  const a = analyse(recorded.system, recorded.plan, results);
  assert.is(get(a.checks!, 'cpu-hotplug').status, 'problem');
  for (const v of Object.values(a.verdicts)) {
    assert.is(v.verdict, 'inconclusive', v.strategy);
    assert.is(v.reasons[0]?.code, 'cpu-set-changed');
    assert.match(v.reasons[0]!.text, /\(0,1 → 0\)/);
  }
  const same = analyse(recorded.system, recorded.plan, { ...results, onlineCpus: { before: '0,1', after: '0,1' } });
  assert.is(
    same.verdicts['membarrier-private-expedited']!.verdict,
    recorded.analysis.verdicts['membarrier-private-expedited']!.verdict,
  );
});

test('contention in a run: the writer counts the CPUs did not allow are named with the spare count', () => {
  const results = structuredClone(recorded.results);
  results.contention = {
    'membarrier-private-expedited': [
      { writers: 1, latencyNs: { p50: 14000, p99: 18000, max: 30000, calls: 900 }, descheduledCalls: 0 },
    ],
  };
  results.phases = [2, 4].map((w) => ({
    key: `contention:membarrier-private-expedited:${w}`,
    kind: 'contention' as const,
    status: 'skipped' as const,
    budgetMs: 0,
    startMs: 0,
    elapsedMs: 0,
    skip: {
      code: 'no-cpus' as const,
      reason: `contention with ${w} writers not measured: needs ${w} CPUs besides the readers' (1 spare)`,
    },
  }));
  const r = get(analyse(facts(), recorded.plan, results).checks!, 'contention');
  assert.is(r.status, 'note');
  const notMeasured = (w: number) =>
    String.raw`contention with ${w} writers not measured: needs ${w} CPUs besides the readers' \(1 spare\)`;
  const calls = String.raw`^PRIVATE_EXPEDITED with 1 caller: p50 14\.0 us, p99 18\.0 us; .*; `;
  assert.match(r.text, new RegExp(`${calls}${notMeasured(2)}; ${notMeasured(4)}$`));
  assert.not.match(r.text, /share a CPU/);
});

test('field sample conversion: a killed child leaves later stages null and says why; CPUs need two usable', () => {
  const f = fieldFacts({ end: 'signaled', exitCode: 0, signal: 31, forkErrno: 0, contention: [] }, null, {
    writer: 0,
    reader: 1,
  });
  assert.equal(
    [f.child, f.registration.threaded, f.effect, f.signalsSelfTest],
    [{ end: 'signaled', signal: 31 }, null, null, null],
  );
  assert.match(f.unknown.child!, /killed by signal 31/);
  assert.equal(sampleCpus([0, 1, 2], [1, 2]), { writer: 1, reader: 2 });
  assert.is(sampleCpus([3], [0, 1, 2, 3]), null);
  assert.is(sampleCpus(null, [0, 1]), null);
});

test('every format shows the checklist: text, Markdown and HTML rows with their sources, Prometheus series', () => {
  const rep: Report = { ...recorded, system: facts(), analysis: analyse(facts(), recorded.plan, recorded.results) };
  const rows = rep.analysis.checks!;
  const md = renderMarkdown(rep);
  assert.match(md, /\*\*Field checks\*\*/);
  for (const c of rows) assert.ok(md.includes(`| ${c.title} |`) && md.includes(c.source), c.id);
  const html = renderHtml(rep);
  assert.match(html, /<section id="checks">/);
  assert.is((html.match(/<section id="checks">[\s\S]*?<\/section>/)![0].match(/<tr><td>/g) ?? []).length, rows.length);
  const text = render(rep, 'text');
  assert.match(text, /Field checks\n {2}ok +Fatal denial: /);
  const prom = renderPrometheus(rep);
  for (const c of rows)
    assert.ok(prom.includes(`membarrier_probe_field_check{check="${c.id}",status="${c.status}"} 1`), c.id);
});

test.run();
