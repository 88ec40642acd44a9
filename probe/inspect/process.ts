// What this process is allowed to do: lock memory (the mprotect trick wants a locked page),
// which seccomp filters it runs under, and whether something traces it.
import type { ProcessFacts, Unknowns } from '../records.js';
import type { NativeLoad } from '../native.js';
import { errnoMeaning, errnoName } from '../errno.js';
import { readText } from './read.js';
import { CAP_IPC_LOCK, hasCapability, parseStatus, SECCOMP_MODES } from './status.js';

const int = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);

export async function readProcess(native: NativeLoad): Promise<ProcessFacts> {
  const unknown: Unknowns = {};
  const st = await readText('/proc/self/status');
  const status = st.ok ? parseStatus(st.text) : {};
  if (!st.ok) unknown.status = st.reason;
  const mode = int(status.Seccomp);
  // Seccomp_filters appeared in Linux 5.9; older kernels show the mode only.
  const filters = int(status.Seccomp_filters);
  if (st.ok && mode === null) unknown.seccomp = 'no Seccomp line in /proc/self/status (kernel without CONFIG_SECCOMP?)';
  if (st.ok && filters === null) unknown.seccompFilters = 'no Seccomp_filters line (kernel older than 5.9)';
  const capEff = status.CapEff;
  if (st.ok && capEff === undefined) unknown.capIpcLock = 'no CapEff line in /proc/self/status';

  let memlock: ProcessFacts['memlock'] = { soft: null, hard: null, onePageLocked: null, error: null };
  if (native.ok) {
    const m = native.addon.probeMemlock();
    memlock = {
      soft: m.rlimitErrno ? null : (m.soft ?? 'unlimited'),
      hard: m.rlimitErrno ? null : (m.hard ?? 'unlimited'),
      onePageLocked: m.lockOnePage.ok,
      error: m.lockOnePage.ok ? null : `${errnoName(m.lockOnePage.errno)}: ${errnoMeaning(m.lockOnePage.errno)}`,
    };
    if (m.rlimitErrno) unknown.memlockLimit = `getrlimit failed: ${errnoName(m.rlimitErrno)}`;
  } else {
    unknown.memlock = `needs the native addon: ${native.reason}`;
  }
  return {
    memlock,
    seccomp: { mode, modeName: mode === null ? null : (SECCOMP_MODES[mode] ?? `mode ${mode}`), filters },
    capIpcLock: capEff === undefined ? null : hasCapability(capEff, CAP_IPC_LOCK),
    tracerPid: int(status.TracerPid),
    unknown,
  };
}
