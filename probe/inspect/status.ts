// /proc/<pid>/status: "Key:\tvalue" lines. We read seccomp mode and filter count, capabilities,
// TracerPid and Cpus_allowed_list from it.
export function parseStatus(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

export const SECCOMP_MODES: Record<number, string> = { 0: 'disabled', 1: 'strict', 2: 'filter' };

/** Whether capability number `cap` is set in a hex capability mask such as CapEff. */
export function hasCapability(hexMask: string, cap: number): boolean {
  return ((BigInt(`0x${hexMask}`) >> BigInt(cap)) & 1n) === 1n;
}

export const CAP_IPC_LOCK = 14;
