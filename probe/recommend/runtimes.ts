// What the common runtimes will do on THIS machine by their own rules, each rule cited to where the
// runtime writes it down. The rule decides what the runtime picks; the verdicts say whether that
// pick is sound here. Every rule assumes the binary was built with membarrier support: a binary
// built without it (old headers, a build flag) falls back even on a capable kernel.
import type { Analysis, MachineFacts, RuntimeAdvice, VerdictClass } from '../records.js';

const has = (f: MachineFacts, cmd: string) => f.membarrier.commands.find((c) => c.name === cmd)?.supported === true;
const registered = (f: MachineFacts, cmd: string) =>
  f.membarrier.registrations.find((r) => r.command === cmd)?.outcome?.ok === true;

const BUILD_CAVEAT = 'a binary built without membarrier support falls back even on a capable kernel';

export function runtimeAdvice(f: MachineFacts, a: Analysis): RuntimeAdvice[] {
  const verdict = (id: string): VerdictClass | 'not run' => a.verdicts[id]?.verdict ?? 'not run';
  const killed = f.membarrier.child?.end === 'signaled';
  const privOk = has(f, 'PRIVATE_EXPEDITED') && registered(f, 'REGISTER_PRIVATE_EXPEDITED');
  const syncOk = has(f, 'PRIVATE_EXPEDITED_SYNC_CORE') && registered(f, 'REGISTER_PRIVATE_EXPEDITED_SYNC_CORE');
  const globalOk = has(f, 'GLOBAL');
  const arm = /^(aarch64|arm)/.test(f.platform.machine) || /^arm/.test(f.platform.arch);
  const android = f.traps?.android ?? null;
  const priv = verdict('membarrier-private-expedited');
  const mprot = verdict('mprotect');
  const mlockOk = f.process.memlock.onePageLocked !== false;
  const here = (what: string, v: string) => `${what} (here: ${v})`;
  const privPick = here('membarrier PRIVATE_EXPEDITED', priv);
  const dies = killed ? 'dies at start-up: membarrier kills the calling process here' : null;

  const dotnetSkips = android !== null && (android.sdk === null || android.sdk < 29);
  const dotnet =
    dies && !dotnetSkips
      ? dies
      : privOk && !dotnetSkips
        ? `FlushProcessWriteBuffers uses ${privPick}`
        : `FlushProcessWriteBuffers falls back to the mprotect ` +
          `trick${dotnetSkips ? ' (Android below API level 29: membarrier skipped by rule)' : ''}` +
          `${mlockOk ? '' : '; its helper page needs mlock, which is refused here, so the runtime fails to start'}` +
          `${arm ? ': on arm64 that orders nothing (TLB invalidation is broadcast, no IPI)' : ` (here: ${mprot})`}`;

  const julia =
    dies ??
    (privOk
      ? `jl_membarrier uses ${privPick}`
      : arm
        ? 'jl_membarrier skips mprotect on ARM and suspends every thread in turn (sound but slow)'
        : `jl_membarrier uses ${here('the mprotect trick', mprot)}, else thread suspension`);

  return [
    {
      runtime: 'liburcu',
      advice:
        dies ??
        (privOk
          ? `urcu-memb uses sys_membarrier PRIVATE_EXPEDITED (here: ${priv}` +
            `)${priv === 'verified' ? '' : '; prefer urcu-mb until it is verified'}`
          : 'urcu-memb finds no usable membarrier and falls back to urcu-mb behaviour (full fences on the read ' +
            'side): correct, slower readers'),
      source: 'urcu/userspace-rcu (src/urcu.c; include/urcu/static/urcu-memb.h: readers fall back to smp_mb)',
    },
    {
      runtime: 'HotSpot (JDK 21+)',
      advice: killed
        ? '-XX:+UseSystemMemoryBarrier is opt-in; with it the VM is killed here at start-up; leave it off'
        : privOk
          ? `-XX:+UseSystemMemoryBarrier is opt-in; it would use ${privPick}` +
            `${priv === 'verified' ? '' : ': leave it off until verified'}`
          : '-XX:+UseSystemMemoryBarrier is opt-in; registration fails here, and the VM stops at start-up when it ' +
            'is set: leave it off',
      source: 'openjdk/jdk#10123, openjdk/jdk#12753 (src/hotspot/os/linux/systemMemoryBarrier_linux.cpp)',
    },
    {
      runtime: 'folly',
      advice:
        dies ??
        (globalOk || privOk
          ? `asymmetric_thread_fence_heavy uses membarrier (here: ${priv})`
          : `asymmetric_thread_fence_heavy falls back to the mprotect trick on every Linux ` +
            `arch${arm ? ', which orders nothing on arm64' : ` (here: ${mprot})`}` +
            `${mlockOk ? '' : '; its page is mlock()ed, which is refused here, so it throws'}`),
      source: 'facebook/folly (folly/synchronization/AsymmetricThreadFence.cpp)',
    },
    {
      runtime: '.NET',
      advice: dotnet,
      source:
        'dotnet/runtime (src/native/minipal/memorybarrierprocesswide.c; dotnet/runtime#92686; dotnet/coreclr#24298)',
    },
    { runtime: 'Julia', advice: julia, source: 'JuliaLang/julia (src/signals-unix.c, jl_membarrier)' },
    {
      runtime: 'Seastar (ScyllaDB, Redpanda)',
      advice:
        dies ??
        (privOk
          ? `the reactor's idle barrier uses ${privPick}`
          : arm
            ? 'no PRIVATE_EXPEDITED on aarch64: the reactor never sleeps when idle (it polls, burning its CPUs)'
            : `the reactor's idle barrier uses madvise(MADV_DONTNEED) on a page ` +
              `(here: ${verdict('madvise-dontneed')})`),
      source: 'scylladb/seastar (src/core/systemwide_memory_barrier.cc)',
    },
    {
      runtime: 'wasmtime',
      advice:
        dies ??
        (syncOk
          ? 'JIT code publication uses membarrier PRIVATE_EXPEDITED_SYNC_CORE, available here'
          : arm
            ? 'needs PRIVATE_EXPEDITED_SYNC_CORE on aarch64 to publish JIT code; it is not usable here, so loading ' +
              'modules fails'
            : 'SYNC_CORE is not usable here; x86 does not need it for JIT code'),
      source: 'bytecodealliance/wasmtime (crates/jit-icache-coherence; bytecodealliance/wasmtime#4972)',
    },
    {
      runtime: 'musl',
      advice:
        dies ??
        (privOk
          ? 'membarrier() with PRIVATE_EXPEDITED goes to the kernel'
          : 'membarrier(PRIVATE_EXPEDITED) is emulated by signalling every thread of the process and waiting for each'),
      source: 'musl (src/linux/membarrier.c)',
    },
    {
      runtime: 'QEMU user mode',
      advice:
        killed || f.membarrier.error
          ? 'refuses to start ("This QEMU binary requires the membarrier system call")'
          : 'requires membarrier from the host kernel, which answers here',
      source: 'docker/for-linux#899',
    },
    {
      runtime: 'your own code',
      advice:
        (priv === 'verified'
          ? 'register with MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED before the first thread starts; readers: store, ' +
            'compiler barrier, load; writer: store, membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0), load; on ' +
            'any error fall back to a full fence on both sides'
          : 'use a full fence on both sides (std::atomic_thread_fence(std::memory_order_seq_cst)) until a heavy ' +
            'barrier is verified here') + `; note that ${BUILD_CAVEAT}`,
    },
  ];
}
