// Field-knowledge risks: environment traps, kernel defects, refused mlock and fatal denial, each
// with its source. Base facts: the recorded KVM guest report (saved before traps existed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report, TrapFacts } from '../../probe/records.js';
import { risksOf } from '../../probe/analyse/risks.js';
import { runtimeAdvice } from '../../probe/recommend/runtimes.js';
import { recorded, traps as noTraps } from '../helpers/check-facts.js';

const edit = (fn: (r: Report, t: TrapFacts) => void) => {
  const r = structuredClone(recorded);
  r.system.traps = noTraps();
  fn(r, r.system.traps);
  return r;
};
const risk = (r: Report, id: string) => risksOf(r.system, r.plan).find((x) => x.id === id);

test('a report without traps (saved before) still analyses; no trap risks on a plain guest', () => {
  // Linux 6.18 carries the GLOBAL_EXPEDITED defect (a kernel-table entry, not a trap).
  assert.equal(
    risksOf(recorded.system, recorded.plan).map((r) => r.id),
    ['kvm-pv-tlb-flush', 'global-expedited-stale-runqueue-state'],
  );
  assert.equal(
    risksOf(edit(() => {}).system, recorded.plan).map((r) => r.id),
    ['kvm-pv-tlb-flush', 'global-expedited-stale-runqueue-state'],
  );
});

test('CPU quota: a warning for expedited barriers, citing the serialisation source', () => {
  const r = risk(
    edit((_, t) => {
      t.cpuQuota = { quotaUs: 20000, periodUs: 100000, cpus: 0.2, cgroup: '/sys/fs/cgroup/x', version: 2 };
    }),
    'cpu-quota',
  );
  assert.is(r?.severity, 'warning');
  assert.ok(r?.strategies.includes('membarrier-private-expedited'));
  assert.match(r!.text, /20\.0 ms of CPU per 100\.0 ms \(0\.20 CPUs\)/);
  assert.match(r!.source!, /seastar#2143/);
});

test("single online CPU: an environment note citing the kernel's own fast path", () => {
  const r = risk(
    edit((x) => {
      x.system.cpus.online = 1;
    }),
    'single-cpu',
  );
  assert.equal([r?.severity, r?.strategies], ['note', []]);
  assert.match(r!.source!, /kernel\/sched\/membarrier\.c/);
});

test('user-mode emulation: unsafe for every strategy', () => {
  const r = risk(
    edit((_, t) => {
      t.emulation.userModeEmulation = true;
      t.emulation.evidence = ['process arch arm64 differs from the CPUs /proc/cpuinfo describes (x86)'];
    }),
    'user-mode-emulation',
  );
  assert.is(r?.severity, 'unsafe');
  for (const s of ['membarrier-private-expedited', 'mprotect', 'signals', 'symmetric-fence'])
    assert.ok(r!.strategies.includes(s), s);
});

test('tracer: strace is a note naming it; rr makes membarrier unsafe', () => {
  const s = risk(
    edit((_, t) => {
      t.tracer = { pid: 42, comm: 'strace', rr: false };
    }),
    'tracer-attached',
  );
  assert.is(s?.severity, 'note');
  assert.match(s!.text, /strace, PID 42/);
  assert.is(
    risk(
      edit((_, t) => {
        t.tracer = { pid: 7, comm: 'rr', rr: true };
      }),
      'tracer-attached',
    )?.severity,
    'unsafe',
  );
});

test('FreeBSD Linuxulator is an emulated kernel; Android below 29 is cited', () => {
  assert.match(
    risk(
      edit((_, t) => {
        t.freebsdLinuxulator = true;
      }),
      'emulated-kernel',
    )!.source!,
    /linprocfs/,
  );
  assert.is(
    risk(
      edit((_, t) => {
        t.android = { sdk: 28, evidence: [] };
      }),
      'android-old-api',
    )?.source,
    'dotnet/runtime#92686',
  );
  assert.is(
    risk(
      edit((_, t) => {
        t.android = { sdk: 34, evidence: [] };
      }),
      'android-old-api',
    ),
    undefined,
  );
});

test('kernel defects arrive as risks with their source (RISC-V 6.6)', () => {
  const r = risk(
    edit((x) => {
      x.system.kernel.release = '6.6.21';
      x.system.platform.machine = 'riscv64';
    }),
    'riscv-switch-mm-barrier',
  );
  assert.is(r?.severity, 'unsafe');
  assert.match(r!.source!, /openjdk\/jdk#17889/);
});

test('mlock refused names the cause and what it breaks', () => {
  const r = risk(
    edit((x) => {
      const p = x.system.process;
      p.memlock = { soft: 8192, hard: 8192, onePageLocked: false, error: 'EPERM: not permitted' };
      p.capIpcLock = false;
    }),
    'mlock-refused',
  );
  assert.match(r!.text, /CAP_IPC_LOCK is missing and RLIMIT_MEMLOCK is 8192 bytes/);
  assert.is(r?.source, 'dotnet/coreclr#18634');
});

test('fatal denial names the runtimes that die, with sources; runtime notes agree', () => {
  const x = edit((y) => {
    y.system.membarrier.child = { end: 'signaled', signal: 31, killedAt: 'QUERY' };
  });
  const r = risk(x, 'seccomp-membarrier');
  assert.match(r!.text, /\.NET .*SIGSYS/);
  assert.match(r!.source!, /coreclr#24298/);
  const dotnet = runtimeAdvice(x.system, x.analysis).find((a) => a.runtime === '.NET');
  assert.match(dotnet!.advice, /dies at start-up/);
});

test('runtime notes: every runtime cites a source; arm64 without membarrier', () => {
  const x = edit((y) => {
    y.system.platform.machine = 'aarch64';
    y.system.platform.arch = 'arm64';
    for (const c of y.system.membarrier.commands) c.supported = false;
  });
  const adv = runtimeAdvice(x.system, x.analysis);
  for (const a of adv.filter((a) => a.runtime !== 'your own code')) assert.ok(a.source, a.runtime);
  const by = (n: string) => adv.find((a) => a.runtime.startsWith(n))!.advice;
  assert.match(by('.NET'), /orders nothing/);
  assert.match(by('Julia'), /suspends every thread/);
  assert.match(by('Seastar'), /never sleeps/);
  assert.match(by('wasmtime'), /SYNC_CORE/);
  assert.match(by('musl'), /signalling every thread/);
  assert.match(by('liburcu'), /urcu-mb/);
  assert.match(by('your own code'), /built without membarrier support falls back/);
});

test.run();
