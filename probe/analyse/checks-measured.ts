// The field-check rows that rest on measurements: fatal denial (the membarrier child), success that
// does nothing, registration cost and contention (the run's evidence when there is one, else the
// field sample's).
import type { FieldCheck, MachineFacts, Risk } from '../records.js';
import { isNearNull, nullHasPower, pct, us } from './verdicts.js';
import { EMULATED_CPUS, emulatedCpus } from './emulation.js';
import { catalogueOf, isMembarrier, strategiesWhere } from '../catalogue.js';
import type { Finding } from '../codes.js';
import { type CheckRun, fromRisk, row } from './checks-rows.js';

export function fatalDenial(f: MachineFacts, risks: Risk[]): FieldCheck {
  const mb = f.membarrier;
  const seccomp = risks.find((r) => r.id === 'seccomp-membarrier');
  if (mb.child?.end === 'signaled' && seccomp) return fromRisk('fatal-denial', seccomp);
  if (!mb.child) {
    return row(
      'fatal-denial',
      'unknown',
      'denial-unchecked',
      `not checked: ${mb.unknown.queryMask ?? 'no membarrier child ran'}`,
    );
  }
  if (mb.child.end !== 'exited') {
    return row(
      'fatal-denial',
      'unknown',
      'denial-child-ended',
      `the membarrier child ended with "${mb.child.end}" before answering everything`,
    );
  }
  if (mb.error) {
    return row(
      'fatal-denial',
      'warning',
      'query-fails',
      `membarrier QUERY fails with ${mb.error.code} (${mb.error.meaning}), in a child that survived: ` +
        'runtimes see an error and fall back (see the runtime notes); nothing is killed',
    );
  }
  const failed = mb.registrations.filter((r) => r.outcome && !r.outcome.ok);
  if (failed.length) {
    return row(
      'fatal-denial',
      'warning',
      'registration-refused',
      `a child survived every call, ` +
        `but ${failed.map((r) => `${r.command} failed (${r.outcome!.ok ? '' : r.outcome!.code})`).join(', ')}: ` +
        `runtimes needing those fall back`,
    );
  }
  return row(
    'fatal-denial',
    'ok',
    'no-denial',
    `QUERY and every REGISTER answered in a short-lived child (mask ${mb.queryMask}): a process calling membarrier ` +
      `is not killed here`,
  );
}

/** The run's verdicts when there are any; otherwise the field sample's effect measurement. */
export function silentSuccess(f: MachineFacts, c?: CheckRun): FieldCheck {
  const emu = emulatedCpus(f);
  if (c) {
    const membarrier = new Set(strategiesWhere(catalogueOf(c.run), isMembarrier));
    const hollow = Object.values(c.verdicts).filter(
      (v) =>
        membarrier.has(v.strategy) &&
        v.verdict === 'refuted' &&
        v.stats.interruptedShare !== null &&
        v.stats.nullControlShare !== null &&
        isNearNull(v.stats.interruptedShare, v.stats.nullControlShare),
    );
    // Emulated CPUs: the shares time the emulator; only SB violations (not timing) still show a hollow call.
    const failed = hollow.filter((v) => v.stats.violations > 0);
    if (emu && failed.length) {
      return row(
        'silent-success',
        'problem',
        'hollow-by-sb',
        `${failed
          .map((v) => `${v.strategy} (${v.stats.violations} SB violations in ${v.stats.trials}` + ` trials)`)
          .join(', ')}` +
          ` ` +
          `returned without ordering a reader: refuted by SB outcomes, not timing (${EMULATED_CPUS}, ${emu}, so the ` +
          `interrupted shares say nothing)`,
      );
    }
    if (hollow.length && !emu) {
      return row(
        'silent-success',
        'problem',
        'hollow-call',
        `${hollow
          .map((v) => `${v.strategy} (${pct(v.stats.interruptedShare!)} of calls interrupted ` + `a reader)`)
          .join(', ')}` +
          ` ` +
          `succeeded without reaching other CPUs, like the null syscall (${pct(hollow[0]!.stats.nullControlShare!)}` +
          `): refuted`,
      );
    }
  }
  const e = f.field?.effect;
  if (!e) {
    return row(
      'silent-success',
      'unknown',
      'effect-unsampled',
      `not ` +
        `sampled: ${
          f.field?.unknown.effect ??
          f.field?.unknown.child ??
          (f.field ? 'the sample stopped ' + 'before it' : 'no field sample ' + '(needs the native addon)')
        }`,
    );
  }
  const m = e.membarrier,
    n = e.nullSyscall;
  if (e.error) {
    return row(
      'silent-success',
      'unknown',
      'effect-stopped',
      `the sample stopped at ${e.error.what} (errno ${e.error.errno}) after ${m.calls} calls`,
    );
  }
  if (m.interruptedShare === null || n.interruptedShare === null) {
    return row('silent-success', 'unknown', 'effect-no-on-cpu', 'no call ran with the reader on its CPU');
  }
  const against =
    `the reader on the other CPU was interrupted in ${pct(m.interruptedShare)} of ${m.onCpuCalls} ` +
    `PRIVATE_EXPEDITED calls (p50 ${us(m.p50Ns!)}) against ${pct(n.interruptedShare)} for getpid`;
  // Under emulation the gap test times the emulator: a low share is no evidence of a hollow call.
  if (emu && !(m.interruptedShare >= 0.95 && !isNearNull(m.interruptedShare, n.interruptedShare))) {
    return row(
      'silent-success',
      'unknown',
      'effect-emulated',
      `${EMULATED_CPUS} (${emu}), and a reader's clock gaps time the emulator, so ${against} says nothing either way`,
    );
  }
  if (!nullHasPower(n.interruptedShare)) {
    return row(
      'silent-success',
      'unknown',
      'effect-null-noisy',
      `${against}: getpid interrupts the reader that often too (a noisy host or steal time), so the sample cannot ` +
        `tell a hollow call from a working one`,
    );
  }
  if (isNearNull(m.interruptedShare, n.interruptedShare)) {
    return row(
      'silent-success',
      'problem',
      'hollow-call',
      `${against}: the call returns 0 without reaching other CPUs here`,
    );
  }
  if (m.interruptedShare >= 0.95) {
    return row(
      'silent-success',
      'ok',
      'effect-reaches',
      `${against}: the call reaches other CPUs${c ? '' : ' (a run judges it at length)'}` +
        `${emu ? ` (${EMULATED_CPUS})` : ''}`,
    );
  }
  return row('silent-success', 'warning', 'effect-partial', `${against}: it reaches other CPUs only part of the time`);
}

export function registration(f: MachineFacts, c?: CheckRun): FieldCheck {
  const r = c?.run.registrationCost;
  const fs = f.field?.registration;
  const fresh = r?.fresh.ok ? r.fresh : fs?.fresh;
  // A child of a registered process inherits the registration: its REGISTER times a no-op.
  const inherited = (x?: { note: Finding | null } | null) => x?.note?.code === 'registration-inherited';
  const threaded = r?.threaded.ok
    ? { ...r.threaded, where: 'in this multi-threaded process' }
    : fs?.threaded?.ok && !inherited(fs.threaded)
      ? { ...fs.threaded, where: `in a child with ${fs.threaded.threads} threads` }
      : null;
  if (!r && inherited(fs?.threaded)) {
    return row(
      'registration-cost',
      'unknown',
      'registration-inherited',
      "this process was already registered, so the sampling child's registration was a no-op",
    );
  }
  if (!threaded?.ns || !fresh?.ok || fresh.ns === null) {
    const [code, why] =
      fs?.threaded && !fs.threaded.ok
        ? (['registration-failed', `REGISTER_PRIVATE_EXPEDITED failed (errno ${fs.threaded.errno})`] as const)
        : (['registration-untimed', 'no registration was timed'] as const);
    return row('registration-cost', 'unknown', code, why);
  }
  const slow = threaded.ns > 1e6;
  const emu = emulatedCpus(f);
  return row(
    'registration-cost',
    slow || emu ? 'note' : 'ok',
    emu ? 'registration-emulated' : slow ? 'registration-slow' : 'registration-fast',
    `${emu ? `${EMULATED_CPUS} (${emu}), so these figures are the emulator's: ` : ''}first ` +
      `REGISTER_PRIVATE_EXPEDITED: ${us(fresh.ns)} single-threaded, ${us(threaded.ns)} ${threaded.where}` +
      (slow
        ? ' (the kernel waits for an RCU grace period once threads exist): register before the first thread starts'
        : ''),
  );
}

/** The run's contention of PRIVATE_EXPEDITED when it ran; else the field sample's short one. */
export function contention(f: MachineFacts, c?: CheckRun): FieldCheck {
  // The row is about the PRIVATE_EXPEDITED command (the one the field sample measures too).
  const priv =
    strategiesWhere(catalogueOf(c?.run), (d) => d.caps.membarrier?.command === 'MEMBARRIER_CMD_PRIVATE_EXPEDITED')[0] ??
    '';
  const fromRun = c?.run.contention?.[priv]?.map((p) => ({
    writers: p.writers,
    p50Ns: p.latencyNs.p50,
    p99Ns: p.latencyNs.p99,
    calls: p.latencyNs.calls,
    descheduledCalls: p.descheduledCalls ?? 0,
  }));
  // Writer counts the plan could not give a CPU each (phase keys are contention:<strategy>:<writers>).
  const notMeasured = (c?.run.phases ?? [])
    .filter((p) => p.kind === 'contention' && p.key.startsWith(`contention:${priv}:`) && p.skip)
    .map((p) =>
      p.skip!.code === 'no-cpus'
        ? p.skip!.reason
        : `contention with ${p.key.split(':').pop()} writers ${p.skip!.reason}`,
    );
  const run = !!fromRun?.length;
  const pts = run ? fromRun! : f.field?.contention;
  const emu = emulatedCpus(f);
  const lead = emu ? `${EMULATED_CPUS} (${emu}), so these latencies are the emulator's; ` : '';
  if (!pts?.length) {
    const why = notMeasured.length
      ? notMeasured.join('; ')
      : `not measured: ${f.field?.unknown.contention ?? 'no call by several threads ran with the reader on its CPU'}`;
    return row('contention', 'unknown', 'contention-unmeasured', `${lead}${why}`);
  }
  const list = (k: 'p50Ns' | 'p99Ns') => pts.map((p) => us(p[k])).join(' / ');
  const one = pts.find((p) => p.writers === 1),
    most = pts[pts.length - 1]!;
  const ratio = one && one.p99Ns > 0 && most !== one ? most.p99Ns / one.p99Ns : null;
  const apart = pts.reduce((n, p) => n + p.descheduledCalls, 0);
  const caveats = [
    ...(apart ? [`${apart} calls made while the reader was switched out (no IPI needed) are left out`] : []),
    // The run gives each writer a CPU of its own; the field sample pins all its callers to one.
    ...(!run && pts.some((p) => p.writers > 1)
      ? ["the sample's callers share one CPU, so the scheduler serialises them as much as the kernel does"]
      : []),
    // Also beside the field sample: the run's own reasons for every count it did not measure.
    ...(run ? notMeasured : notMeasured.map((t) => `in the run, ${t}`)),
  ];
  const callers =
    pts.length === 1 && pts[0]!.writers === 1
      ? '1 caller'
      : `${pts.map((p) => p.writers).join(' / ')} concurrent callers`;
  const queues = ratio !== null && ratio > 3 && !emu;
  return row(
    'contention',
    queues ? 'warning' : 'note',
    queues ? 'contention-queues' : 'contention-measured',
    `${lead}PRIVATE_EXPEDITED with ${callers}: p50 ${list('p50Ns')}, p99 ${list('p99Ns')}` +
      `${run ? '' : ' (a short sample)'}` +
      `${ratio !== null ? ` (p99 x${ratio.toFixed(1)} from 1 to ${most.writers})` : ''}; the kernel serialises ` +
      `expedited calls, so concurrent callers queue` +
      (caveats.length ? `; ${caveats.join('; ')}` : ''),
  );
}
