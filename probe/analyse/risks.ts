// Risks known without running: facts of this machine that make a strategy fail, or fail later,
// whatever this run measured. They are listed even when the run verified the strategy.
import type { ExperimentPlan, MachineFacts, Risk, StrategyDescriptor } from '../records.js';
import { CATALOGUE, isExpedited, isMembarrier, isPageTable, strategiesWhere } from '../catalogue.js';
import { defectsFor, hasInvlpgb } from './defects.js';

const fmtLimit = (n: number | 'unlimited' | null) =>
  n === null ? 'unknown' : n === 'unlimited' ? 'unlimited' : `${n} bytes`;

function atLeast(f: MachineFacts, major: number, minor: number): boolean | null {
  const k = f.kernel;
  if (k.major === null || k.minor === null) return null;
  return k.major > major || (k.major === major && k.minor >= minor);
}

/** Only the plan's CPUs and strategies matter, so inspect (which has no plan) passes its own. */
export type RiskPlan = Pick<ExperimentPlan, 'readerCpus' | 'strategies'>;

/** Each risk names the strategies it applies to by their capabilities in `catalogue` (the run's, else the copy). */
export function risksOf(f: MachineFacts, plan: RiskPlan, catalogue: readonly StrategyDescriptor[] = CATALOGUE): Risk[] {
  const out: Risk[] = [];
  // Broken wherever a TLB flush needs no IPI.
  const TLB_TRICKS = strategiesWhere(catalogue, isPageTable);
  const MEMBARRIER = strategiesWhere(catalogue, isMembarrier);
  const arch = f.platform.machine || f.platform.arch;
  if (/^(aarch64|arm64)$/.test(arch) || f.platform.arch === 'arm64') {
    out.push({
      id: 'broadcast-tlbi',
      severity: 'unsafe',
      strategies: TLB_TRICKS,
      text:
        'arm64 invalidates TLBs with broadcast instructions (TLBI ... IS): no IPI is sent, so no other CPU ' +
        'executes a barrier',
    });
  }
  out.push(...tlbRisks(f, plan, TLB_TRICKS));
  if (f.hypervisor.hyperv?.remoteTlbFlushByHypercall) {
    out.push({
      id: 'hyperv-hypercall-flush',
      severity: 'unsafe',
      strategies: TLB_TRICKS,
      text:
        'Hyper-V recommends flushing remote TLBs by hypercall here: the guest sends no IPI, so other CPUs ' +
        'execute no barrier',
    });
  }
  if (f.hypervisor.xen || f.hypervisor.vendor === 'Xen') {
    out.push({
      id: 'xen-hypercall-flush',
      severity: 'unsafe',
      strategies: TLB_TRICKS,
      text: 'Xen guests may flush TLBs by hypercall (PV MMU or HVM flush assists): no IPI reaches other vCPUs',
    });
  }
  if (f.hypervisor.kvm?.pvTlbFlush) {
    out.push({
      id: 'kvm-pv-tlb-flush',
      severity: 'note',
      strategies: TLB_TRICKS,
      text:
        'KVM PV TLB flush: a preempted vCPU gets no IPI; its TLB is flushed when it next runs (the VM entry ' +
        'orders it)',
    });
  }
  const mb = f.membarrier;
  if (mb.error?.code === 'EPERM' || mb.child?.end === 'signaled') {
    const killed = mb.child?.end === 'signaled';
    out.push({
      id: 'seccomp-membarrier',
      severity: 'unsafe',
      strategies: MEMBARRIER,
      text: killed
        ? 'a process calling membarrier here is killed (seccomp)' +
          `${mb.child?.killedAt ? ` at ${mb.child.killedAt}` : ''}: ` +
          'runtimes that probe membarrier at start-up die rather than fall back: .NET (CoreCLR and NativeAOT died ' +
          'with SIGSYS this way on Android and Linux-on-DeX), ' +
          "HotSpot with -XX:+UseSystemMemoryBarrier, Julia, folly, liburcu's urcu-memb, Seastar, wasmtime, musl's " +
          'dynamic linker and QEMU user mode; ' +
          'only runtimes that skip membarrier by their own rule (.NET on Android below API level 29) survive'
        : 'seccomp denies membarrier here (EPERM): runtimes see an error and fall back (see the runtime notes)',
      ...(killed ? { source: 'dotnet/coreclr#24298, dotnet/runtime#92196' } : {}),
    });
  }
  if (f.process.memlock.onePageLocked === false) {
    const p = f.process;
    const cause = [
      p.capIpcLock === false
        ? 'CAP_IPC_LOCK is missing'
        : p.capIpcLock === null
          ? 'CAP_IPC_LOCK unknown'
          : 'CAP_IPC_LOCK is held',
      `RLIMIT_MEMLOCK is ${fmtLimit(p.memlock.soft)} (hard ${fmtLimit(p.memlock.hard)})`,
    ].join(' and ');
    out.push({
      id: 'mlock-refused',
      severity: 'warning',
      strategies: strategiesWhere(catalogue, (d) => d.caps.mlockedPage),
      text:
        `mlock is refused (${p.memlock.error}; ${cause}): the page may be swapped out, and a page that is not ` +
        `present gets no shootdown. ` +
        'Runtimes whose mprotect fallback locks a page refuse to start here when membarrier is unavailable (CoreCLR ' +
        'failed to initialise; folly throws)',
      source: 'dotnet/coreclr#18634',
    });
  }
  const freebsd = f.traps?.freebsdLinuxulator === true;
  if (f.sandbox.gvisor || f.sandbox.wsl === 'wsl1' || freebsd) {
    out.push({
      id: 'emulated-kernel',
      severity: 'unsafe',
      strategies: [...MEMBARRIER, ...TLB_TRICKS],
      text:
        `${
          f.sandbox.gvisor
            ? 'gVisor'
            : f.sandbox.wsl === 'wsl1'
              ? 'WSL1'
              : "FreeBSD's Linux emulation " + '(linprocfs /proc/version)'
        }` +
        ` emulates Linux: membarrier and page-table tricks may succeed without ordering anything on the host's ` +
        `CPUs`,
      ...(freebsd ? { source: 'freebsd/freebsd-src sys/compat/linprocfs/linprocfs.c' } : {}),
    });
  }
  if (f.sandbox.wsl === 'wsl2') {
    out.push({
      id: 'wsl2',
      severity: 'warning',
      strategies: TLB_TRICKS,
      text: 'WSL2 runs under Hyper-V, which may flush TLBs by hypercall',
    });
  }
  out.push(...trapRisks(f, plan, catalogue));
  // Table entries: one risk each; an id already produced above keeps its richer text and gains the source.
  for (const d of defectsFor(f, undefined, catalogue)) {
    const have = out.find((r) => r.id === d.id);
    if (have) have.source ??= d.source;
    else {
      const cpus = d.requires === 'nohz_full' ? ` (nohz_full CPUs: ${f.kernel.nohzFull!.join(',')})` : '';
      out.push({
        id: d.id,
        severity: d.severity,
        strategies: d.strategies,
        text: `Linux ${f.kernel.release}: ${d.text}${cpus}`,
        source: d.source,
      });
    }
  }
  return out;
}

/** Environment traps (probe/inspect/traps.ts); reports saved before traps existed have none. */
function trapRisks(f: MachineFacts, plan: RiskPlan, catalogue: readonly StrategyDescriptor[]): Risk[] {
  const out: Risk[] = [];
  const MEMBARRIER = strategiesWhere(catalogue, isMembarrier);
  const t = f.traps;
  if (f.cpus.online === 1) {
    out.push({
      id: 'single-cpu',
      severity: 'note',
      strategies: [],
      text:
        'one CPU is online: membarrier returns at once without waiting for anything, so a barrier-based grace ' +
        'period does not wait for preempted readers',
      source: 'Linux kernel/sched/membarrier.c (returns at once when one CPU is online)',
    });
  }
  if (!t) return out;
  if (t.emulation.userModeEmulation) {
    // Every strategy: the emulator's ordering, not the CPU's, decides them all.
    const all = [...new Set([...strategiesWhere(catalogue, () => true), ...plan.strategies])];
    out.push({
      id: 'user-mode-emulation',
      severity: 'unsafe',
      strategies: all,
      text:
        `this process runs under user-mode emulation (${t.emulation.evidence.join('; ')}): the emulator ` +
        `translates memory ordering its own way, so no result here says anything about the real CPU`,
      source: 'QEMU linux-user (forwards membarrier to the host kernel)',
    });
  }
  if (t.cpuQuota) {
    const q = t.cpuQuota;
    // Writers that wait for other CPUs to answer (IPIs, signal handlers) stall with a throttled caller.
    out.push({
      id: 'cpu-quota',
      severity: 'warning',
      strategies: strategiesWhere(catalogue, (d) => isExpedited(d) || d.caps.family === 'signals'),
      text:
        `the cgroup ${q.cgroup} limits this process to ${(q.quotaUs / 1000).toFixed(1)} ms of CPU ` +
        `per ${(q.periodUs / 1000).toFixed(1)} ms (${q.cpus.toFixed(2)} CPUs): ` +
        'a throttled writer stalls until the next period, and since Linux serialises expedited membarrier calls ' +
        'with a mutex, a throttled caller can delay every other caller; ' +
        'barrier latency and lock-up watchdogs must allow a whole period',
      source: 'scylladb/seastar#2143 (Linux commit 944d5fe50f3f serialises membarrier calls)',
    });
  }
  if (t.tracer) {
    const name = t.tracer.comm ?? `PID ${t.tracer.pid}`;
    out.push({
      id: 'tracer-attached',
      severity: t.tracer.rr ? 'unsafe' : 'note',
      strategies: t.tracer.rr ? MEMBARRIER : [],
      text: t.tracer.rr
        ? 'rr is recording this process: rr runs one thread at a time (it emulates membarrier since rr 4.3.0), ' +
          'so no other thread is running when the barrier is issued and barrier results here mean nothing'
        : `a tracer is attached (${name}, PID ${t.tracer.pid}): every system call stops in the tracer, ` +
          'so measured barrier latencies are inflated; under rr, threads run one at a time',
      source: 'rr-debugger/rr#1724 ("Implement sys_membarrier()", fixed by 958f2cc5a429, rr 4.3.0)',
    });
  }
  if (t.android && (t.android.sdk === null || t.android.sdk < 29)) {
    out.push({
      id: 'android-old-api',
      severity: 'warning',
      strategies: [],
      text:
        `Android${t.android.sdk === null ? ' (API level unknown)' : ` API level ${t.android.sdk}`}: before API ` +
        `level 29 seccomp may kill a process calling membarrier, so .NET skips it there and falls back`,
      source: 'dotnet/runtime#92686',
    });
  }
  return out;
}

/**
 * AMD INVLPGB (issue 14), from system.tlb where the report has it: the page-table tricks are unsafe
 * wherever the regime is broadcast, mixed or unknown on a host whose kernel could use INVLPGB, and
 * a warning where the kernel is known not to (a kernel upgrade turns it on).
 */
function tlbRisks(f: MachineFacts, plan: RiskPlan, TLB_TRICKS: string[]): Risk[] {
  const t = f.tlb;
  const source = 'Linux commits 4afeb0ed1753, 94a17f2dc90b, 44126343d58c';
  const used = plan.readerCpus.length + 1;
  const could =
    used >= 4
      ? '4 or more: the switch could have happened here'
      : 'fewer than 4: a bigger process could behave differently';
  const ran = `This run used ${used} CPUs (${could})`;
  if (!t) {
    // A report saved before system.tlb: only the cpuinfo flag, which newer kernels no longer print.
    if (!hasInvlpgb(f)) return [];
    const newKernel = atLeast(f, 6, 15);
    return [
      {
        id: 'amd-invlpgb',
        severity: newKernel === false ? 'warning' : 'unsafe',
        strategies: TLB_TRICKS,
        source,
        text:
          `AMD INVLPGB is available${newKernel ? ' and Linux is 6.15 or later' : ''}: the kernel may give a ` +
          'process ' +
          `active on 4 or more CPUs a global ASID and flush with broadcast INVLPGB, with no IPI. ${ran}`,
      },
    ];
  }
  const uses = t.facts.kernelUsesInvlpgb.value;
  const possible = t.facts.invlpgb.value !== false && uses !== false && t.facts.arm64BroadcastTlbi.value !== true;
  if (possible && (t.regime === 'broadcast' || t.regime === 'mixed' || t.regime === 'unknown')) {
    return [
      {
        id: 'amd-invlpgb',
        severity: 'unsafe',
        strategies: TLB_TRICKS,
        source,
        text: `TLB-flush regime ${t.regime}: ${t.reasons.join('; ')}. ${ran}`,
      },
    ];
  }
  if (t.facts.invlpgb.value === true && uses === false) {
    return [
      {
        id: 'amd-invlpgb',
        severity: 'warning',
        strategies: TLB_TRICKS,
        source,
        text:
          `this CPU has INVLPGB but the kernel does not flush with it (${t.facts.kernelUsesInvlpgb.reason}): ` +
          'a kernel or configuration change would turn on broadcast flushes with no IPI',
      },
    ];
  }
  if (t.facts.invlpgb.value === true) {
    // INVLPGB in use, but this process cannot reach a global ASID (fewer than 4 usable CPUs).
    return [
      {
        id: 'amd-invlpgb',
        severity: 'warning',
        strategies: TLB_TRICKS,
        source,
        text: `${t.reasons.join('; ')}. ${ran}`,
      },
    ];
  }
  return [];
}
