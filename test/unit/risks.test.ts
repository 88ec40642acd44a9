// Risks known without running, from machine facts. The base facts are the recorded report's (a
// real KVM Intel guest); each case changes the facts that make the risk apply.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../../probe/records.js';
import { risksOf } from '../../probe/analyse/risks.js';
import { localReport } from './fixtures.js';

const recorded: Report = localReport('reports', 'kvm-intel-xeon-2vcpu-default.json');
const risks = (edit: (r: Report) => void) => {
  const r = structuredClone(recorded);
  edit(r);
  return risksOf(r.system, r.plan);
};
const find = (rs: ReturnType<typeof risksOf>, id: string) => rs.find((r) => r.id === id);

test('the recorded KVM guest (Linux 6.18): the PV TLB flush note and the GLOBAL_EXPEDITED defect warning', () => {
  assert.equal(
    risksOf(recorded.system, recorded.plan).map((r) => [r.id, r.severity]),
    [
      ['kvm-pv-tlb-flush', 'note'],
      ['global-expedited-stale-runqueue-state', 'warning'],
    ],
  );
  assert.equal(
    risksOf(recorded.system, recorded.plan).find((r) => r.id === 'global-expedited-stale-runqueue-state')!.strategies,
    ['membarrier-global-expedited'],
  );
});

test('arm64: broadcast TLB invalidation makes mprotect and madvise unsafe', () => {
  const r = find(
    risks((x) => {
      x.system.platform.arch = 'arm64';
      x.system.platform.machine = 'aarch64';
    }),
    'broadcast-tlbi',
  );
  assert.is(r?.severity, 'unsafe');
  assert.equal(r?.strategies, ['mprotect', 'madvise-dontneed']);
});

test('AMD with INVLPGB on 6.15+: unsafe, and says whether this run had 4+ CPUs', () => {
  const amd = (major: number, minor: number, readers: number[]) =>
    find(
      risks((x) => {
        x.system.cpus.vendor = 'AuthenticAMD';
        x.system.cpus.flags.invlpgb = true;
        x.system.kernel.major = major;
        x.system.kernel.minor = minor;
        x.plan.readerCpus = readers;
      }),
      'amd-invlpgb',
    );
  assert.is(amd(6, 18, [1])?.severity, 'unsafe');
  assert.match(amd(6, 18, [1])!.text, /used 2 CPUs \(fewer than 4/);
  assert.match(amd(6, 18, [1, 2, 3])!.text, /4 or more: the switch could have happened here/);
  assert.is(amd(6, 6, [1])?.severity, 'warning');
});

test('hypercall TLB flushes (Hyper-V, Xen) make the page tricks unsafe', () => {
  assert.is(
    find(
      risks((x) => {
        x.system.hypervisor.hyperv = { recommendations: 4, remoteTlbFlushByHypercall: true, exProcessorMasks: false };
      }),
      'hyperv-hypercall-flush',
    )?.severity,
    'unsafe',
  );
  assert.is(
    find(
      risks((x) => {
        x.system.hypervisor.vendor = 'Xen';
      }),
      'xen-hypercall-flush',
    )?.severity,
    'unsafe',
  );
});

test('nohz_full refuses GLOBAL; seccomp, mlock and emulated kernels are named', () => {
  assert.equal(
    find(
      risks((x) => {
        x.system.kernel.nohzFull = [1];
      }),
      'nohz-full',
    )?.strategies,
    ['membarrier-global'],
  );
  assert.match(
    find(
      risks((x) => {
        x.system.membarrier.error = { errno: 1, code: 'EPERM', meaning: '' };
      }),
      'seccomp-membarrier',
    )!.text,
    /EPERM/,
  );
  assert.match(
    find(
      risks((x) => {
        x.system.membarrier.child = { end: 'signaled', signal: 31, killedAt: 'QUERY' };
      }),
      'seccomp-membarrier',
    )!.text,
    /killed/,
  );
  assert.is(
    find(
      risks((x) => {
        x.system.process.memlock.onePageLocked = false;
        x.system.process.memlock.error = 'EPERM: not permitted';
      }),
      'mlock-refused',
    )?.severity,
    'warning',
  );
  assert.is(
    find(
      risks((x) => {
        x.system.sandbox.gvisor = true;
      }),
      'emulated-kernel',
    )?.severity,
    'unsafe',
  );
});

test.run();
