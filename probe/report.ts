// From a run's evidence to the full Report: analyse, then recommend, once, when the run ends (`run`,
// `check`, the library's buildReport). `show` and `compare` never come here: they read the verdicts
// a report was saved with, so a saved report renders as it was judged. inspect's report is composed
// in inspect-report.ts (re-exported here for existing callers).
import type { Report, RunReport } from './records.js';
import { analyse } from './analyse/index.js';
import { recommend, type RecommendOptions } from './recommend/index.js';

export { inspectReport } from './inspect-report.js';

export function buildReport(run: RunReport, commandLine: string[], opts: RecommendOptions = {}): Report {
  const analysis = analyse(run.system, run.plan, run.results);
  return {
    schemaVersion: run.schemaVersion,
    kind: 'report',
    tool: run.tool,
    generatedAt: run.generatedAt,
    commandLine,
    system: run.system,
    plan: run.plan,
    results: run.results,
    analysis,
    recommendation: recommend(run.system, analysis, run.results, opts),
  };
}
