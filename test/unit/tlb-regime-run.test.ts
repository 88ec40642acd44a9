// What system.tlb changes downstream: the plan's budgeted warm-up (plan/phases.ts), the risk that keeps
// mprotect and madvise from being offered (analyse/risks.ts, recommend), and the verdict rule that reads
// the flush evidence (analyse/verdicts.ts). Base facts and evidence are the recorded report's (this
// project's KVM Intel guest, test/fixtures/reports); each case changes the facts it names.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MachineFacts, Report, TlbFacts } from '../../probe/records.js';
import { buildPlan } from '../../probe/plan/index.js';
import { TLB_WARMUP_MS, TLB_WINDOW_MS_AT_HZ100 } from '../../probe/plan/phases.js';
import { CATALOGUE } from '../../probe/catalogue.js';
import { analyse } from '../../probe/analyse/index.js';
import { recommend } from '../../probe/recommend/index.js';
import { localFixture } from './fixtures.js';

const recorded: Report = JSON.parse(localFixture('reports', 'kvm-intel-xeon-2vcpu-default.json'));
const fact = <T>(value: T | null, reason?: string) => ({ value, source: 'test', ...(reason ? { reason } : {}) });

/** system.tlb as tlbFacts gives it for an INVLPGB host with the given regime (the facts it rests on). */
function tlb(regime: TlbFacts['regime'], uses: boolean | null, exercise: boolean): TlbFacts {
  const no = fact(false);
  return {
    regime,
    reasons: [`regime ${regime} (test)`],
    exercise,
    facts: {
      invlpgb: fact(true),
      invlpgbCpuinfoFlag: fact(false),
      kernelHasBroadcastFlush: fact(true),
      config: fact(uses),
      pti: no,
      pcid: fact(true),
      usableCpus: fact(8),
      rar: no,
      kernelUsesInvlpgb: fact(uses, uses === null ? 'unknown: CONFIG_BROADCAST_TLB_FLUSH' : undefined),
      arm64BroadcastTlbi: no,
      kvmPvTlbFlush: no,
      kvmPvTlbFlushUsed: no,
      hypervRemoteFlush: no,
      xen: no,
    },
  };
}

/** An 8-CPU machine (the recorded facts, with CPUs 0-7 online and usable) with the given system.tlb. */
function eight(t: TlbFacts | undefined): MachineFacts {
  const f = structuredClone(recorded.system);
  f.cpus.onlineList = [...Array(8).keys()];
  f.cpus.allowed = [...f.cpus.onlineList];
  f.cpus.online = 8;
  f.cpus.topology = [];
  f.cpus.vendor = 'AuthenticAMD';
  if (t) f.tlb = t;
  else delete f.tlb;
  return f;
}

test('the warm-up: right before the first page-table phase, 4 x 320 ms on the writer and 3 readers, costed', () => {
  assert.is(TLB_WARMUP_MS, 4 * TLB_WINDOW_MS_AT_HZ100);
  const p = buildPlan(eight(tlb('mixed', true, true)), [...CATALOGUE], { seed: 1, readers: 1 });
  const keys = p.phases!.map((x) => x.key);
  const w = p.phases!.find((x) => x.kind === 'tlb-warm-up')!;
  assert.ok(w, 'a warm-up phase');
  assert.is(keys.indexOf('tlb-warm-up') + 1, keys.indexOf('mprotect'), 'just before mprotect');
  assert.is(w.strategy, 'mprotect');
  assert.is(w.budgetMs, TLB_WARMUP_MS);
  assert.ok(w.costMs > TLB_WARMUP_MS);
  assert.is(w.readerCpus!.length, 3, 'one reader asked for, but the warm-up keeps 4 CPUs busy');
  assert.ok(!w.readerCpus!.includes(p.writerCpu));
  assert.ok(p.phaseBudget!.plannedMs <= p.durationMs, `planned ${p.phaseBudget!.plannedMs} of ${p.durationMs}`);
});

test('no warm-up where system.tlb does not ask for one, where no page-table strategy runs, or in older facts', () => {
  const none = (f: MachineFacts, strategies?: string[]) =>
    !buildPlan(f, [...CATALOGUE], { seed: 1, strategies }).phases!.some((x) => x.kind === 'tlb-warm-up');
  assert.ok(none(eight(tlb('ipi', false, false))));
  assert.ok(none(eight(tlb('mixed', true, true)), ['membarrier-private-expedited']));
  assert.ok(none(eight(undefined)));
  assert.ok(none(recorded.system), 'this 2-CPU guest: regime ipi');
});

const withTlb = (t: TlbFacts | undefined, allowMprotect: boolean) => {
  const r = structuredClone(recorded);
  r.system.cpus.vendor = 'AuthenticAMD';
  if (t) r.system.tlb = t;
  const a = analyse(r.system, r.plan, r.results);
  return { a, rec: recommend(r.system, a, r.results, { allowMprotect }) };
};

test('mprotect and madvise are never offered where the regime is broadcast, mixed or unknown (INVLPGB host)', () => {
  for (const regime of ['broadcast', 'mixed', 'unknown'] as const) {
    const { a, rec } = withTlb(tlb(regime, regime === 'unknown' ? null : true, true), true);
    const risk = a.risks.find((k) => k.id === 'amd-invlpgb');
    assert.is(risk?.severity, 'unsafe', regime);
    assert.equal(risk?.strategies, ['mprotect', 'madvise-dontneed']);
    assert.match(risk!.source!, /4afeb0ed1753/);
    assert.not.ok(
      rec.acceptable.some((x) => x.strategy === 'mprotect' || x.strategy === 'madvise-dontneed'),
      regime,
    );
  }
  // The recorded verdicts verify mprotect: with the regime ipi and no INVLPGB it is offered on opt-in.
  assert.ok(withTlb(undefined, true).rec.acceptable.some((x) => x.strategy === 'mprotect'));
});

test('INVLPGB present but unused by the kernel: a warning, still not offered', () => {
  const { a, rec } = withTlb(tlb('ipi', false, false), true);
  assert.is(a.risks.find((k) => k.id === 'amd-invlpgb')?.severity, 'warning');
  assert.not.ok(rec.acceptable.some((x) => x.strategy === 'mprotect'));
});

const verdictWithFlush = (kind: 'broadcast' | 'mixed' | 'ipi', share: number) => {
  const r = structuredClone(recorded);
  const m = r.results.strategies.mprotect!.mechanism!;
  m.flush = { kind, reason: `${kind} (test)`, row: 'TLB', tlbIpisPerCall: kind === 'ipi' ? 2 : 0, windows: [] };
  m.interruptedShare = share;
  for (const p of m.perReader) p.interruptedShare = share;
  return analyse(r.system, r.plan, r.results).verdicts.mprotect!;
};

test('two signals: no shootdown IPIs and readers not interrupted refute; disagreeing signals stay open', () => {
  // Near the null control's share the gap test refutes on its own; above it but short of 99%, the flush
  // evidence decides.
  assert.is(verdictWithFlush('broadcast', 0.01).verdict, 'refuted');
  const refuted = verdictWithFlush('broadcast', 0.8);
  assert.is(refuted.verdict, 'refuted');
  assert.is(refuted.reasons[0]!.code, 'tlb-flush-without-ipi');
  assert.match(refuted.reasons[0]!.text, /without IPIs \(broadcast/);
  assert.is(verdictWithFlush('mixed', 0.8).verdict, 'refuted');
  assert.is(verdictWithFlush('ipi', 0.8).verdict, 'inconclusive', 'IPIs sent but a reader short of 99%: as before');
  const odd = verdictWithFlush('broadcast', 1);
  assert.is(odd.verdict, 'inconclusive');
  assert.is(odd.reasons[0]!.code, 'tlb-flush-signals-disagree');
  assert.is(verdictWithFlush('ipi', 1).verdict, 'verified');
});

test.run();
