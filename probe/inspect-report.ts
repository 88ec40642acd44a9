// inspect's report: the machine's facts, then the field checklist the analyse stage derives from
// them alone. A module of its own so that `inspect` loads neither the verdict rules nor the
// recommender that report.ts needs for a run (a few ms of the command's start).
import type { InspectReport } from './records.js';
import { SCHEMA_VERSION } from './records.js';
import { checksOf } from './analyse/checks.js';
import { inspect } from './inspect/index.js';
import type { NativeLoad } from './native.js';
import { TOOL } from './version.js';

export async function inspectReport(native?: NativeLoad): Promise<InspectReport> {
  const generatedAt = new Date().toISOString();
  const system = await inspect(native);
  return {
    schemaVersion: SCHEMA_VERSION,
    kind: 'inspect',
    tool: { ...TOOL },
    generatedAt,
    system,
    checks: checksOf(system),
  };
}
