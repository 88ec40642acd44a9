// From a run's evidence to the full Report: analyse, then recommend, once, when the run ends (`run`,
// `check`, the library's buildReport). `show` and `compare` never come here: they read the verdicts
// a report was saved with, so a saved report renders as it was judged. inspect's report is composed
// here too: the machine's facts, then the field checklist the analyse stage derives from them alone.
import type { InspectReport, Report, RunReport } from './records.js';
import { SCHEMA_VERSION } from './records.js';
import { analyse } from './analyse/index.js';
import { checksOf } from './analyse/checks.js';
import { inspect } from './inspect/index.js';
import type { NativeLoad } from './native.js';
import { TOOL } from './version.js';
import { recommend, type RecommendOptions } from './recommend/index.js';

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

export async function inspectReport(native?: NativeLoad): Promise<InspectReport> {
  const generatedAt = new Date().toISOString();
  const system = await inspect(native);
  return { schemaVersion: SCHEMA_VERSION, kind: 'inspect', tool: { ...TOOL }, generatedAt, system, checks: checksOf(system) };
}
