// The field sample: one forked child (native/inspect/field_child.cc) measures in ~60 ms what a run
// measures at length: the threaded registration cost, whether PRIVATE_EXPEDITED reaches the other
// CPU at all, 1/2/4 concurrent callers and the signals self-test. In a child, because a seccomp
// filter may kill whoever calls membarrier and because registering would change this process.
import type { EffectKindFacts, FieldFacts, RegistrationSampleEvidence, Unknowns } from '../records.js';
import type { EffectKindResult, FieldSampleResult, NativeLoad, RegistrationSample } from '../native.js';

/** Calls of each kind in the effect sample: 20 us apart, about 8 ms in all. */
export const FIELD_EFFECT_CALLS = 200;
/** Per writer count; about 200 calls of a 15 us barrier. */
export const FIELD_CONTENTION_MS = 3;
const FIELD_TIMEOUT_MS = 3000;
const FRESH_TIMEOUT_MS = 2000;

// The addon sets a note's code with it (native/inspect/registration_cost.cc, field_child.cc).
const noteOf = (s: RegistrationSample) => (s.note ? { code: s.code ?? 'registration-failed', text: s.note } : null);
export const sampleEvidence = (s: RegistrationSample): RegistrationSampleEvidence => {
  const note = noteOf(s);
  return s.ok ? { ok: true, ns: s.ns, errno: null, note } : { ok: false, ns: null, errno: s.errno, note };
};

const kind = (k: EffectKindResult): EffectKindFacts => ({
  calls: k.calls,
  onCpuCalls: k.onCpuCalls,
  interruptedShare: k.onCpuCalls > 0 ? k.interrupted / k.onCpuCalls : null,
  p50Ns: k.onCpuCalls > 0 ? k.p50Ns : null,
});

/** Pure: the native result as the report's record. */
export function fieldFacts(
  r: FieldSampleResult,
  fresh: RegistrationSample | null,
  cpus: FieldFacts['cpus'],
  unknown: Unknowns = {},
): FieldFacts {
  if (r.end === 'signaled')
    unknown.child = `the sampling child was killed by signal ${r.signal}: later stages are missing`;
  else if (r.end !== 'exited') unknown.child = `the sampling child ended with ${r.end}: later stages are missing`;
  if (!cpus) unknown.effect = unknown.contention = 'needs two CPUs this process may run on';
  const e = r.effect;
  return {
    child: { end: r.end, signal: r.end === 'signaled' ? r.signal : null },
    cpus,
    registration: {
      fresh: fresh ? sampleEvidence(fresh) : null,
      threaded: r.threaded ? { ...sampleEvidence(r.threaded), threads: r.threaded.threads } : null,
    },
    effect: e
      ? {
          membarrier: kind(e.membarrier),
          nullSyscall: kind(e.nullSyscall),
          gapThresholdNs: e.gapThresholdNs,
          error: e.errno ? { what: e.what, errno: e.errno } : null,
        }
      : null,
    contention: r.contention
      .filter((c) => c.status === 'ok' && c.calls > 0)
      .map((c) => ({
        writers: c.writers,
        p50Ns: c.p50Ns,
        p99Ns: c.p99Ns,
        maxNs: c.maxNs,
        calls: c.calls,
        descheduledCalls: c.descheduledCalls,
      })),
    signalsSelfTest:
      r.signalsSelfTest === undefined
        ? null
        : { ok: r.signalsSelfTest === 0, errno: r.signalsSelfTest === 0 ? null : r.signalsSelfTest },
    unknown,
  };
}

/** The two CPUs of the sample: the first two this process may run on that are online. */
export function sampleCpus(allowed: number[] | null, online: number[] | null): FieldFacts['cpus'] {
  const usable = (allowed ?? []).filter((c) => !online || online.includes(c));
  return usable.length >= 2 ? { writer: usable[0]!, reader: usable[1]! } : null;
}

export function readField(native: NativeLoad, allowed: number[] | null, online: number[] | null): FieldFacts | null {
  if (!native.ok) return null;
  const cpus = sampleCpus(allowed, online);
  const a = native.addon;
  const r = a.sampleFieldInChild(
    cpus?.writer ?? -1,
    cpus?.reader ?? -1,
    FIELD_EFFECT_CALLS,
    FIELD_CONTENTION_MS,
    FIELD_TIMEOUT_MS,
  );
  const unknown: Unknowns = {};
  let fresh: RegistrationSample | null = null;
  // Only the fresh child of measureRegistrationCost: its threaded half would register this process.
  if (r.threaded) fresh = a.measureFreshRegistration(FRESH_TIMEOUT_MS);
  else unknown.registration = 'the sampling child did not reach REGISTER_PRIVATE_EXPEDITED';
  return fieldFacts(r, fresh, cpus, unknown);
}
