// Reports saved with schemaVersion 1 (membarrier-probe 0.1.0) carry their reasons and notes as bare
// sentences. loadReport upgrades them here to version 2, so a report saved last month still shows,
// compares and re-judges: each sentence gains the code of the rule that wrote it. The patterns
// below are the sentences version 1 wrote; this is the only place that reads prose, and only for
// reports that have nothing better. A sentence no pattern matches keeps its text under `legacy`.
import { finding, type Code, type Finding } from './codes.js';
import { SCHEMA_VERSION } from './records.js';

const LEGACY: [RegExp, Code][] = [
  [/^\d+ SB violations in \d+ trials/, 'sb-violations'],
  [/^\d+ violations in \d+ trials \(95% upper bound/, 'sb-power'],
  [/^violations by reader class:/, 'violations-by-class'],
  [/near the null syscall's [\d.]+%: a spin reaches no other CPU/, 'spin-reaches-none'],
  [/near the null syscall's [\d.]+%: the call reaches some classes/, 'partial-reach'],
  [/^emulated CPUs: .*refutes nothing/, 'emulated-near-null'],
  [/^emulated CPUs: .*no verdict is refuted/, 'emulated-cpus'],
  [/^it interrupted every reader in only .* near the null syscall's/, 'hollow-call'],
  [/^reader classes short of/, 'classes-short'],
  [/^the positive control never relaxed at reader CPU/, 'reader-without-power'],
  [/^the positive control never relaxed/, 'positive-control-silent'],
  [/^a control is not a barrier/, 'control-not-barrier'],
  [/^no SB violation, and SB had the power/, 'sb-had-power'],
  [/^no SB violation, but SB has no power/, 'sb-no-power'],
  [/^no call ran with every reader on its CPU/, 'no-on-cpu-call'],
  [/^getpid orders nothing/, 'null-control-orders-nothing'],
  [/^reader CPU .* was interrupted in under 99%/, 'reader-short'],
  [/on-CPU calls of \d+ were too few .*measured again/, 'calls-remeasured'],
  [/on-CPU calls are too few to bound the miss rate/, 'too-few-calls'],
  [/is not clearly above the null syscall's/, 'not-above-null'],
  [/is not clearly above the delay-matched control's/, 'not-above-delay-matched'],
  [/^no delay-matched control ran/, 'no-delay-matched'],
  [/^every reader was interrupted in .* for the null syscall/, 'all-readers-interrupted'],
  [/^readers could not be pinned/, 'pin-failed'],
  [/^the phase timed out/, 'phase-timeout'],
  [/^the run was interrupted: the report holds/, 'run-interrupted'],
  [/^the run was interrupted/, 'phase-cancelled'],
  [/^the phase failed/, 'phase-failed'],
  [/^the online CPU set changed/, 'cpu-set-changed'],
  [/^not run: the run was interrupted before/, 'not-reached'],
  [/^not run$/, 'not-run'],
  [/^calibration tried/, 'calibration-short'],
  [/^calibration did not finish/, 'calibration-failed'],
  [/spun .* per call, the engine's limit/, 'delay-capped'],
  [/^contention .* writers: every one of/, 'contention-all-descheduled'],
  [/^contention .* with \d+ writers:/, 'contention-failed'],
  [/^the run was running late/, 'running-late'],
  [/^\/proc\/interrupts was not readable/, 'irq-unreadable'],
  [/^\S+ is verified here:/, 'pick-verified'],
  [/^\S+ was not chosen:/, 'preferred-not-chosen'],
  [/^no strategy is verified here/, 'none-verified'],
  [/passed here but is not acceptable/, 'page-table-risky'],
  [/passed here; it is offered only with --allow-mprotect/, 'page-table-opt-in'],
  // recommend/index.ts's WHY sentences, one per preferred strategy.
  [
    /^(the kernel interrupts exactly|documented, and reaches|portable, but costs|always correct, but)/,
    'pick-rationale',
  ],
  [/^mlock refused/, 'mlock-refused'],
  [/^GET_REGISTRATIONS in this process/, 'registrations-read-back'],
  [/^a reader was switched out more often/, 'gap-store-full'],
  [/^a writer reached the call cap/, 'call-cap-reached'],
  [/inherited a registration/, 'registration-inherited'],
  [/^first registration of this process/, 'registration-threaded'],
  [/^already registered/, 'already-registered'],
  [/^(fork failed|the child |MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED failed)/, 'registration-failed'],
  [/^\S+ failed: E[A-Z0-9]+ \(/, 'strategy-unavailable'],
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A version 1 sentence as a Finding; `exact` maps sentences known from structured fields (plan.blocked, a skip). */
export function legacyFinding(text: string, exact: Map<string, Code> = new Map()): Finding {
  const known = exact.get(text);
  if (known) return finding(known, text);
  return finding(LEGACY.find(([re]) => re.test(text))?.[1] ?? 'legacy', text);
}

// A value already in version 2's shape is left alone, so migrating twice changes nothing.
function findings(v: unknown, exact?: Map<string, Code>): unknown {
  return Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? legacyFinding(x, exact) : x)) : v;
}

function registrationNote(s: unknown): void {
  if (isObj(s) && typeof s.note === 'string') s.note = legacyFinding(s.note);
}

function evidence(e: unknown): void {
  if (!isObj(e)) return;
  e.notes = findings(e.notes);
  const m = e.mechanism;
  // Version 1 said so only in the sentence; version 2 records the fact.
  if (isObj(m) && typeof m.irqReadable !== 'boolean') m.irqReadable = !/not readable/.test(String(m.irqSource ?? ''));
}

/**
 * Upgrades a parsed version 1 report to the current shape in place and returns it; anything else is
 * returned untouched (loadReport's schema check then judges it).
 */
export function migrateReport(data: unknown): unknown {
  if (!isObj(data) || data.schemaVersion !== 1) return data;
  const plan = isObj(data.plan) ? data.plan : {};
  const results = isObj(data.results) ? data.results : {};
  const exact = new Map<string, Code>();
  if (typeof plan.blocked === 'string') exact.set(plan.blocked, 'run-blocked');
  const budget = plan.phaseBudget;
  if (isObj(budget) && typeof budget.overBudget === 'string') exact.set(budget.overBudget, 'over-budget');
  for (const p of Array.isArray(results.phases) ? results.phases : []) {
    if (!isObj(p) || !isObj(p.skip) || typeof p.skip.reason !== 'string') continue;
    exact.set(p.skip.reason, `skipped-${p.skip.code}` as Code);
  }
  results.notes = findings(results.notes, exact);
  for (const group of [results.strategies, results.controls]) if (isObj(group)) Object.values(group).forEach(evidence);
  if (isObj(results.contention)) {
    for (const pts of Object.values(results.contention)) {
      for (const p of Array.isArray(pts) ? pts : []) if (isObj(p)) p.notes = findings(p.notes);
    }
  }
  const rc = results.registrationCost;
  if (isObj(rc)) [rc.fresh, rc.threaded].forEach(registrationNote);
  const sys = isObj(data.system) ? data.system : {};
  const reg = isObj(sys.field) && isObj(sys.field.registration) ? sys.field.registration : null;
  if (reg) [reg.fresh, reg.threaded].forEach(registrationNote);
  const a = data.analysis;
  if (isObj(a)) {
    for (const v of isObj(a.verdicts) ? Object.values(a.verdicts) : []) {
      if (isObj(v)) v.reasons = findings(v.reasons, exact);
    }
    a.notes = findings(a.notes, exact);
    // A check row that reused a risk has the risk's text: its code is the risk's id.
    const byText = new Map((Array.isArray(a.risks) ? a.risks : []).filter(isObj).map((r) => [r.text, r.id as Code]));
    for (const c of Array.isArray(a.checks) ? a.checks : []) {
      if (isObj(c) && typeof c.code !== 'string') c.code = byText.get(c.text) ?? 'legacy';
    }
  }
  if (isObj(data.recommendation)) data.recommendation.reasons = findings(data.recommendation.reasons, exact);
  data.schemaVersion = SCHEMA_VERSION;
  return data;
}
