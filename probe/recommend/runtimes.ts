// What the common runtimes will do here by their own documented rules, and what to tell them.
// Each rule below is the runtime's own fallback order on Linux; the verdicts say whether what it
// picks is sound on this machine.
import type { Analysis, MachineFacts, RuntimeAdvice, VerdictClass } from '../records.js';

const has = (f: MachineFacts, cmd: string) => f.membarrier.commands.find((c) => c.name === cmd)?.supported === true;
const registered = (f: MachineFacts, cmd: string) => f.membarrier.registrations.find((r) => r.command === cmd)?.outcome?.ok === true;

export function runtimeAdvice(f: MachineFacts, a: Analysis): RuntimeAdvice[] {
  const verdict = (id: string): VerdictClass | 'not run' => a.verdicts[id]?.verdict ?? 'not run';
  const privOk = has(f, 'PRIVATE_EXPEDITED') && registered(f, 'REGISTER_PRIVATE_EXPEDITED');
  const priv = verdict('membarrier-private-expedited');
  const mprot = verdict('mprotect');
  const picks = (what: string, v: string) => `${what} (here: ${v})`;
  const viaMembarrierOrMprotect = privOk ? picks('membarrier PRIVATE_EXPEDITED', priv) : picks('the mprotect trick', mprot);
  return [
    {
      runtime: 'liburcu',
      advice: priv === 'verified'
        ? 'use urcu-memb (sys_membarrier PRIVATE_EXPEDITED on the writer, compiler barriers on readers)'
        : `use urcu-mb (full fences on the read side): membarrier-private-expedited is ${priv} here; urcu-memb would fall back or rely on it`,
    },
    {
      runtime: 'HotSpot (JDK 21+)',
      advice: priv === 'verified'
        ? '-XX:+UseSystemMemoryBarrier is sound here (it uses membarrier PRIVATE_EXPEDITED)'
        : `leave -XX:+UseSystemMemoryBarrier off: membarrier-private-expedited is ${priv} here`,
    },
    { runtime: 'folly', advice: `asymmetric_thread_fence_heavy will use ${viaMembarrierOrMprotect}` },
    { runtime: '.NET', advice: `FlushProcessWriteBuffers will use ${viaMembarrierOrMprotect}` },
    { runtime: 'Julia', advice: `jl_membarrier will use ${viaMembarrierOrMprotect}` },
    {
      runtime: 'your own code',
      advice: priv === 'verified'
        ? 'register with MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED before the first thread starts; readers: store, compiler barrier, load; writer: store, membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0), load; on any error fall back to a full fence on both sides'
        : 'use a full fence on both sides (std::atomic_thread_fence(std::memory_order_seq_cst)) until a heavy barrier is verified here',
    },
  ];
}
