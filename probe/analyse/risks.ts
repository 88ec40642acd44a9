// Risks known without running: facts of this machine that make a strategy fail, or fail later,
// whatever this run measured. They are listed even when the run verified the strategy.
import type { ExperimentPlan, MachineFacts, Risk } from '../records.js';

const TLB_TRICKS = ['mprotect', 'madvise-dontneed'];
const MEMBARRIER = ['membarrier-private-expedited', 'membarrier-private-expedited-sync-core', 'membarrier-global-expedited', 'membarrier-global'];

function atLeast(f: MachineFacts, major: number, minor: number): boolean | null {
  const k = f.kernel;
  if (k.major === null || k.minor === null) return null;
  return k.major > major || (k.major === major && k.minor >= minor);
}

export function risksOf(f: MachineFacts, plan: ExperimentPlan): Risk[] {
  const out: Risk[] = [];
  const arch = f.platform.machine || f.platform.arch;
  if (/^(aarch64|arm64)$/.test(arch) || f.platform.arch === 'arm64') {
    out.push({ id: 'broadcast-tlbi', severity: 'unsafe', strategies: TLB_TRICKS,
      text: 'arm64 invalidates TLBs with broadcast instructions (TLBI ... IS): no IPI is sent, so no other CPU executes a barrier' });
  }
  if (f.cpus.flags.invlpgb && f.cpus.vendor === 'AuthenticAMD') {
    const newKernel = atLeast(f, 6, 15);
    const four = plan.readerCpus.length + 1 >= 4;
    out.push({ id: 'amd-invlpgb', severity: newKernel === false ? 'warning' : 'unsafe', strategies: TLB_TRICKS,
      text: `AMD INVLPGB is available${newKernel ? ' and Linux is 6.15 or later' : ''}: the kernel may give a process active on 4 or more CPUs a global ASID and flush with broadcast INVLPGB, with no IPI. ` +
        `This run used ${plan.readerCpus.length + 1} CPUs (${four ? '4 or more: the switch could have happened here' : 'fewer than 4: a bigger process could behave differently'})` });
  }
  if (f.hypervisor.hyperv?.remoteTlbFlushByHypercall) {
    out.push({ id: 'hyperv-hypercall-flush', severity: 'unsafe', strategies: TLB_TRICKS,
      text: 'Hyper-V recommends flushing remote TLBs by hypercall here: the guest sends no IPI, so other CPUs execute no barrier' });
  }
  if (f.hypervisor.xen || f.hypervisor.vendor === 'Xen') {
    out.push({ id: 'xen-hypercall-flush', severity: 'unsafe', strategies: TLB_TRICKS,
      text: 'Xen guests may flush TLBs by hypercall (PV MMU or HVM flush assists): no IPI reaches other vCPUs' });
  }
  if (f.hypervisor.kvm?.pvTlbFlush) {
    out.push({ id: 'kvm-pv-tlb-flush', severity: 'note', strategies: TLB_TRICKS,
      text: 'KVM PV TLB flush: a preempted vCPU gets no IPI; its TLB is flushed when it next runs (the VM entry orders it)' });
  }
  if ((f.kernel.nohzFull?.length ?? 0) > 0) {
    out.push({ id: 'nohz-full', severity: 'unsafe', strategies: ['membarrier-global'], text: `nohz_full CPUs (${f.kernel.nohzFull!.join(',')}): MEMBARRIER_CMD_GLOBAL is refused` });
  }
  const mb = f.membarrier;
  if (mb.error?.code === 'EPERM' || mb.child?.end === 'signaled') {
    out.push({ id: 'seccomp-membarrier', severity: 'unsafe', strategies: MEMBARRIER,
      text: mb.child?.end === 'signaled' ? 'a process calling membarrier here is killed (seccomp)' : 'seccomp denies membarrier here (EPERM)' });
  }
  if (f.process.memlock.onePageLocked === false) {
    out.push({ id: 'mlock-refused', severity: 'warning', strategies: ['mprotect'],
      text: `mlock is refused (${f.process.memlock.error}): the page may be swapped out, and a page that is not present gets no shootdown` });
  }
  if (f.sandbox.gvisor || f.sandbox.wsl === 'wsl1') {
    out.push({ id: 'emulated-kernel', severity: 'unsafe', strategies: [...MEMBARRIER, ...TLB_TRICKS],
      text: `${f.sandbox.gvisor ? 'gVisor' : 'WSL1'} emulates Linux: membarrier and page-table tricks may succeed without ordering anything on the host's CPUs` });
  }
  if (f.sandbox.wsl === 'wsl2') {
    out.push({ id: 'wsl2', severity: 'warning', strategies: TLB_TRICKS, text: 'WSL2 runs under Hyper-V, which may flush TLBs by hypercall' });
  }
  return out;
}
