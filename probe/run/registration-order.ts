// The registration-order test (native/inspect/registration_order.cc): GLOBAL_EXPEDITED issued in
// fresh child processes that registered before the reader started on a CPU that idled with the
// process's mm, after it was running, or after it and then replaced the reader by a new thread.
// Registration cannot be undone, so only children can try the failing orders; the run's own phases
// register once their readers run (the engine does that for this capability).
import type { ExperimentPlan, RegistrationOrderEvidence, StrategyDescriptor } from '../records.js';
import { loadNative } from '../native.js';
import { finding, type Finding } from '../codes.js';
import { isRegistrationOrderSensitive, strategiesWhere } from '../catalogue.js';

/** Calls per attempt, 20 us apart: 8 ms with no IPI, far more than the 10 missed calls that show the defect. */
export const ORDER_CALLS = 400;
/** Rounds (one child per pattern each): at least, and at most; a busy machine seldom leaves the reader's CPU idle. */
export const ORDER_MIN_ROUNDS = 2;
export const ORDER_MAX_ROUNDS = 24;
/** One child: fork, a 1 ms helper, a reader's 1 ms calibration, an RCU grace period and 400 calls: 10-40 ms here. */
export const ORDER_CHILD_TIMEOUT_MS = 1000;

/** The strategy the test is for: the first registration-order-sensitive one the plan runs. */
export function orderSensitiveStrategy(
  plan: Pick<ExperimentPlan, 'strategies'>,
  catalogue: readonly StrategyDescriptor[],
): string | null {
  return strategiesWhere(catalogue, isRegistrationOrderSensitive).find((id) => plan.strategies.includes(id)) ?? null;
}

/** null without the addon's test (an older addon), or with fewer than two CPUs in the plan; the note says why. */
export function sampleRegistrationOrder(
  plan: ExperimentPlan,
  strategy: string,
  budgetMs: number,
): { evidence: RegistrationOrderEvidence | null; note: Finding | null } {
  const n = loadNative();
  const reader = plan.readerCpus[0];
  const none = (why: string) => ({
    evidence: null,
    note: finding('order-not-run', `the registration-order test did not run: ${why}`),
  });
  if (!n.ok || !n.addon.sampleRegistrationOrder) return none('the native addon predates it');
  if (reader === undefined || reader === plan.writerCpu) return none('it needs two CPUs');
  const rounds = n.addon.sampleRegistrationOrder(
    plan.writerCpu,
    reader,
    ORDER_CALLS,
    ORDER_MIN_ROUNDS,
    ORDER_MAX_ROUNDS,
    Math.max(1, Math.round(budgetMs)),
    ORDER_CHILD_TIMEOUT_MS,
  );
  const attempts = rounds.map(({ exitCode, signal, forkErrno, gapThresholdNs, ...a }) => a);
  return {
    evidence: {
      strategy,
      writerCpu: plan.writerCpu,
      readerCpu: reader,
      callsPerAttempt: ORDER_CALLS,
      attempts,
      runOrder: 'register-after-readers',
    },
    note: null,
  };
}
