// The `repro` command: write the C reproducer for one strategy and print how to build and run
// it; with --report, also gather a ReproReport (facts, config, the reproducer built and run here,
// the probe's evidence from --from or a short run) and write it as Markdown. Exit 0 when written;
// bad names, folders and flags are UserErrors (exit 2) before anything is written.
import { join } from 'node:path';
import { EXIT, UserError } from '../exit-codes.js';
import type { Report, ReproEvidence } from '../records.js';
import { TOOL } from '../version.js';
import { DEFAULT_ATTEMPTS, reproFileName, reproPlan, reproSource, buildCommand } from './index.js';

export interface ReproArgs {
  strategy: string;
  out?: string;
  report?: boolean;
  from?: string;
  attempts?: number;
}

/** The short probe run behind a report without --from: long enough for a few thousand calls. */
export const SHORT_PROBE_MS = 8_000;

export interface ReproIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  argv: string[];
  prepareOutDir: (dir: string) => string;
}

function write(path: string, text: string, writeAtomic: (p: string, t: string) => void): void {
  try {
    writeAtomic(path, text);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new UserError(`cannot write ${path} (${why}); give a writable --out folder`);
  }
}

type Found = { report: Report | null; evidence: string | ReproEvidence };

async function evidenceFor(id: string, a: ReproArgs, io: ReproIo): Promise<Found> {
  const { evidenceFrom } = await import('./report.js');
  if (a.from !== undefined) {
    const report = (await import('../report-file.js')).loadReport(a.from);
    return { report, evidence: evidenceFrom(report, id, `saved report ${a.from}`) };
  }
  const [{ runProbe }, { buildReport }, { CATALOGUE }] = await Promise.all([
    import('../run/index.js'),
    import('../report.js'),
    import('../catalogue.js'),
  ]);
  const isControl = CATALOGUE.find((d) => d.id === id)?.control === true;
  io.stderr.write(
    `running a short probe (${SHORT_PROBE_MS / 1000} s) for ${id}` + '; --from REPORT.json uses a saved one\n',
  );
  try {
    // Controls run in every probe: asking for no strategy runs just them.
    const run = await runProbe({ strategies: isControl ? [] : [id], durationMs: SHORT_PROBE_MS });
    if (run.plan.blocked) return { report: null, evidence: `the short probe could not run: ${run.plan.blocked}` };
    const report = buildReport(run, io.argv);
    return { report, evidence: evidenceFrom(report, id, `a short probe run (${SHORT_PROBE_MS / 1000} s)`) };
  } catch (err) {
    if (err instanceof UserError) return { report: null, evidence: `the short probe could not run: ${err.message}` };
    throw err;
  }
}

export async function reproCommand(a: ReproArgs, io: ReproIo): Promise<number> {
  const plan = reproPlan(String(a.strategy));
  const attempts = a.attempts ?? DEFAULT_ATTEMPTS;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 1000) {
    throw new UserError(`--attempts takes a whole number from 1 to 1000, got ${JSON.stringify(a.attempts)}`);
  }
  if (a.from !== undefined && !a.report) {
    throw new UserError('--from goes with --report (it names the saved report whose evidence the bug report quotes)');
  }
  const dir = io.prepareOutDir(a.out ?? '.');
  const [{ writeAtomic }, { renderReproWritten }] = await Promise.all([
    import('../report-file.js'),
    import('../render/repro-text.js'),
  ]);
  const source = reproSource(plan, `${TOOL.name} ${TOOL.version}`);
  const cFile = join(dir, reproFileName(plan.strategy)),
    exe = join(dir, `repro-${plan.strategy}`);
  write(cFile, source, writeAtomic);
  const exeRun = `${exe.startsWith('/') ? '' : './'}${exe} -n ${attempts}`;
  let report: { path: string; outcome: string } | null = null;
  if (a.report) {
    const [{ gatherReproReport }, { renderReproMarkdown, reproOutcome }, { inspect }] = await Promise.all([
      import('./report.js'),
      import('../render/repro-markdown.js'),
      import('../inspect/index.js'),
    ]);
    const ev = await evidenceFor(plan.strategy, a, io);
    // The machine described is this one: a saved report's own facts may be from elsewhere.
    const facts = ev.report && a.from === undefined ? ev.report.system : await inspect(undefined, { field: false });
    const record = await gatherReproReport({ plan, source, facts, evidence: ev.evidence, attempts });
    const path = join(dir, `repro-${plan.strategy}.md`);
    write(path, renderReproMarkdown(record), writeAtomic);
    report = { path, outcome: reproOutcome(record.program.run) };
  }
  io.stdout.write(
    renderReproWritten({
      strategy: plan.strategy,
      cFile,
      buildCommand: buildCommand(cFile, exe),
      runCommand: exeRun,
      demonstration: plan.demonstration,
      report,
    }),
  );
  return EXIT.OK;
}
