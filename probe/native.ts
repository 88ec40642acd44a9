// The only door to the C++ addon. Everything else imports the typed `NativeAddon` from here and
// must cope with it being absent: `inspect` reports what Node alone can read and says why the
// rest is missing. MEMBARRIER_PROBE_ADDON names another .node file (tests use it to prove that a
// missing or broken addon degrades cleanly, and to load the sanitizer build or a prebuild).
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import type { RegistrationOrderAttempt } from './records/run.js';
import type { Code } from './codes.js';
import type { ContentionResult, NativeEngine } from './native-engine.js';

export type {
  ContentionOptions,
  ContentionResult,
  NativeEngine,
  NativeLatency,
  PhaseOptions,
  PhaseResult,
} from './native-engine.js';

/** Must equal kAbiVersion in native/addon.cc. */
export const NATIVE_ABI_VERSION = 5;

export type NativeSys = { ok: true; value: number } | { ok: false; errno: number };

export interface CpuidRegs {
  eax: number;
  ebx: number;
  ecx: number;
  edx: number;
}

export interface ChildEnd {
  end: 'exited' | 'signaled' | 'timeout' | 'fork-failed' | 'protocol-error';
  exitCode: number;
  signal: number;
  forkErrno: number;
}

export interface MembarrierChildResult extends ChildEnd {
  query?: NativeSys;
  getRegistrations?: NativeSys;
  registrations: { cmd: number; result: NativeSys }[];
}

/**
 * One timed MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED; errno 0 when it failed for a reason the note gives (code: the
 * note's).
 */
export type RegistrationSample = ({ ok: true; ns: number } | { ok: false; errno: number }) & {
  note?: string;
  code?: Code;
};

export interface RegistrationCostResult {
  /** In a forked single-threaded child (the kernel's fast path). */
  fresh: RegistrationSample;
  /** In this multi-threaded process, when not yet registered (an RCU grace period). */
  threaded: RegistrationSample;
}

export interface EffectKindResult {
  calls: number;
  onCpuCalls: number;
  interrupted: number;
  p50Ns: number;
}

/** sampleFieldInChild(): each stage is absent when the child died or ran out of time before it. */
export interface FieldSampleResult extends ChildEnd {
  /** The first REGISTER_PRIVATE_EXPEDITED with a second thread alive in the child. */
  threaded?: RegistrationSample & { threads: number };
  /** PRIVATE_EXPEDITED against getpid: calls during which the reader on the other CPU was interrupted. */
  effect?: {
    errno: number;
    what: string;
    membarrier: EffectKindResult;
    nullSyscall: EffectKindResult;
    gapThresholdNs: number;
  };
  contention: {
    writers: number;
    status: ContentionResult['status'];
    errno: number;
    p50Ns: number;
    p99Ns: number;
    maxNs: number;
    calls: number;
    descheduledCalls: number;
  }[];
  /** 0, or the errno of a signals barrier that waited on its own caller. */
  signalsSelfTest?: number;
}

/**
 * sampleRegistrationOrder(): one fresh child's attempt (records/run.ts RegistrationOrderAttempt, plus its gap
 * threshold).
 */
export type RegistrationOrderResult = ChildEnd & Omit<RegistrationOrderAttempt, 'end'> & { gapThresholdNs: number };

export interface NativeAddon {
  engine: NativeEngine;
  /** 0 when a signals barrier issued by a registered reader thread skips itself (no deadlock). */
  signalsSelfTest(): number;
  abiVersion: number;
  arch: 'x86_64' | 'aarch64' | 'other';
  /** Order of the child's membarrier calls (command numbers). */
  membarrierChildSequence: number[];
  /** null off x86, or for a basic/extended leaf beyond the CPU's range. */
  cpuid(leaf: number, subleaf: number): CpuidRegs | null;
  getAffinity(): NativeSys & { cpus: number[] };
  probeMembarrierInChild(timeoutMs: number): MembarrierChildResult;
  /** Times the first REGISTER_PRIVATE_EXPEDITED in a fresh child, then in this process (which it registers). */
  measureRegistrationCost(timeoutMs: number): RegistrationCostResult;
  /** The fresh-child half only: leaves this process unregistered. */
  measureFreshRegistration(timeoutMs: number): RegistrationSample;
  /** One forked child: threaded registration, effect, contention and signals samples (writerCpu/readerCpu -1: none). */
  sampleFieldInChild(
    writerCpu: number,
    readerCpu: number,
    calls: number,
    contentionBudgetMs: number,
    timeoutMs: number,
  ): FieldSampleResult;
  /**
   * GLOBAL_EXPEDITED in fresh children, registered before, after, or before a replaced reader (absent from older
   * addons).
   */
  sampleRegistrationOrder?(
    writerCpu: number,
    readerCpu: number,
    calls: number,
    minRounds: number,
    maxRounds: number,
    budgetMs: number,
    timeoutMs: number,
  ): RegistrationOrderResult[];
  probeMemlock(): { soft: number | null; hard: number | null; rlimitErrno: number; lockOnePage: NativeSys };
}

export type NativeLoad =
  { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string; path: string | null };

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

let cached: NativeLoad | undefined;

export function loadNative(): NativeLoad {
  if (cached) return cached;
  const override = process.env.MEMBARRIER_PROBE_ADDON;
  cached = override ? tryLoad(override) : loadBuilt();
  return cached;
}

function check(addon: NativeAddon, path: string | null): NativeLoad {
  if (addon.abiVersion !== NATIVE_ABI_VERSION) {
    return {
      ok: false,
      reason: `native addon is stale (ABI ${addon.abiVersion}, expected ${NATIVE_ABI_VERSION}): rebuild it`,
      path,
    };
  }
  return { ok: true, addon, path: path ?? 'prebuilt' };
}

const firstLine = (err: unknown) => (err as Error).message.split('\n')[0];

// node-gyp-build picks a local build (build/Release) first, then the prebuilt binary for this
// platform and arch shipped in prebuilds/; it throws when neither fits.
function loadBuilt(): NativeLoad {
  if (process.platform !== 'linux')
    return {
      ok: false,
      reason:
        `the native part is unavailable on this platform (${process.platform}-${process.arch}): it supports ` +
        `Linux only`,
      path: null,
    };
  const require = createRequire(import.meta.url);
  let path: string | null = null;
  try {
    const gypBuild = require('node-gyp-build') as { (dir: string): NativeAddon; resolve(dir: string): string };
    path = gypBuild.resolve(packageRoot);
    return check(require(path) as NativeAddon, path);
  } catch (err) {
    if (!path) {
      return {
        ok: false,
        reason:
          `the native part is unavailable on this platform (${process.platform}-${process.arch}): no prebuilt ` +
          `binary fits and none was built (npm run build:native builds one)`,
        path: null,
      };
    }
    return { ok: false, reason: `native addon failed to load: ${firstLine(err)}`, path };
  }
}

function tryLoad(path: string): NativeLoad {
  if (!existsSync(path))
    return { ok: false, reason: `native addon not found at ${path} (MEMBARRIER_PROBE_ADDON)`, path };
  try {
    return check(createRequire(import.meta.url)(path) as NativeAddon, path);
  } catch (err) {
    return { ok: false, reason: `native addon failed to load: ${firstLine(err)}`, path };
  }
}
