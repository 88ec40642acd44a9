// check: the install-time and deploy gate. inspect, then a short run of the required strategies
// only, then the same verdict rules as a full run. Met only when every requirement is verified.
import type { Finding, Report, VerdictClass } from './records.js';
import { finding } from './codes.js';
import { EXIT } from './exit-codes.js';
import { buildReport } from './report.js';
import { runProbe, type RunOptions } from './run/index.js';

export interface CheckResult {
  met: boolean;
  /** 0 met, 1 not met (refuted or unavailable), 3 inconclusive. */
  exitCode: number;
  /** Each requirement's verdict and its first reason (logic keys on `reason.code`). */
  requirements: { strategy: string; verdict: VerdictClass; reason: Finding }[];
  report: Report;
}

export async function check(
  requirements: string[],
  opts: Omit<RunOptions, 'strategies' | 'profile'> = {},
  commandLine: string[] = [],
): Promise<CheckResult> {
  const run = await runProbe({ ...opts, strategies: requirements, profile: 'check' });
  const report = buildReport(run, commandLine);
  const reqs = requirements.map((strategy) => {
    const v = report.analysis.verdicts[strategy];
    const blocked = run.plan.blocked ? finding('run-blocked', run.plan.blocked) : null;
    const reason = v?.reasons[0] ?? blocked ?? finding('not-run', 'not run');
    return { strategy, verdict: v?.verdict ?? 'inconclusive', reason };
  });
  const notMet = reqs.some((r) => r.verdict === 'refuted' || r.verdict === 'unavailable');
  const inconclusive = reqs.some((r) => r.verdict === 'inconclusive');
  const exitCode = notMet ? EXIT.NOT_MET : inconclusive ? EXIT.NO_EVIDENCE : EXIT.OK;
  return { met: exitCode === EXIT.OK, exitCode, requirements: reqs, report };
}
