// The command handlers: each turns parsed flags into library calls, hands the result to a renderer
// (probe/render/), writes it, and returns its exit code. Failures that are the user's to fix are
// thrown as UserError (exit 2 unless stated).
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXIT, UserError } from './exit-codes.js';
import { runOptions, type RawRunArgs } from './cli-options.js';
import { FORMATS, type Format } from './render/formats.js';
import type { Style } from './render/style.js';
import type { ReproArgs } from './repro/command.js';

// Each command loads only the modules it uses (dynamic imports): `inspect` and the install-time
// `check` start in a fraction of the time that loading every renderer and the comparer would take.
const report = () => import('./report.js');
const renderers = () => import('./render/index.js');
const renderAll = async () => {
  const [index, json, markdown] = await Promise.all([
    renderers(),
    import('./render/json.js'),
    import('./render/markdown.js'),
  ]);
  return { render: index.render, renderJson: json.renderJson, renderMarkdown: markdown.renderMarkdown };
};

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  argv: string[];
}

export interface CommonArgs {
  color?: boolean;
  json?: boolean;
  format?: string;
  quiet?: boolean;
}

async function style(a: CommonArgs, io: Io): Promise<Style> {
  const { colorLevel, makeStyle } = await import('./render/style.js');
  return makeStyle(colorLevel(a.color, io.env, Boolean(io.stdout.isTTY)));
}

function formatOf(a: CommonArgs): Format {
  const f = a.json ? 'json' : (a.format ?? 'text');
  if (!(FORMATS as readonly string[]).includes(f))
    throw new UserError(`--format ${f} is not a format; use one of ${FORMATS.join(', ')}`);
  return f as Format;
}

// One level at a time: Node's recursive mkdir never returns for a path under /proc (seen on Node 20).
function makeDirs(dir: string): void {
  if (existsSync(dir)) return;
  const parent = dirname(dir);
  if (parent !== dir) makeDirs(parent);
  mkdirSync(dir);
}

/** Checks --out before anything runs, so a bad folder costs nothing. */
function prepareOutDir(dir: string): string {
  try {
    if (!statSync(dir).isDirectory()) throw new UserError(`--out ${dir} is a file; give a folder`);
  } catch (err) {
    if (err instanceof UserError) throw err;
    try {
      makeDirs(dir);
    } catch (e) {
      throw new UserError(
        `--out ${dir} cannot be created (${(e as NodeJS.ErrnoException).code}); give a writable folder`,
      );
    }
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UserError(`--out ${dir} is not writable; give a writable folder`);
  }
  return dir;
}

/** First SIGINT: stop the run, keep what finished. Second: leave at once. */
function interruptible(io: Io): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const onSigint = () => {
    if (ac.signal.aborted) process.exit(EXIT.INTERRUPTED);
    io.stderr.write('\ninterrupted: finishing the current phase (Ctrl-C again to quit at once)\n');
    ac.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: ac.signal, dispose: () => process.off('SIGINT', onSigint) };
}

export async function inspectCommand(a: CommonArgs, io: Io): Promise<number> {
  const r = await (await import('./inspect-report.js')).inspectReport();
  if (a.json) io.stdout.write((await import('./render/json.js')).renderJson(r));
  else io.stdout.write((await import('./render/inspect-text.js')).renderInspectText(r, await style(a, io)));
  return EXIT.OK;
}

export interface RunArgs extends CommonArgs, RawRunArgs {
  out?: string;
  save?: boolean;
  allowMprotect?: boolean;
  redact?: boolean;
}

export async function runCommand(a: RunArgs, io: Io): Promise<number> {
  const opts = runOptions(a);
  const format = formatOf(a);
  const out = a.save === false ? null : prepareOutDir(a.out ?? 'reports');
  const [
    { runProbe },
    { buildReport },
    { redactReport },
    { render, renderJson, renderMarkdown },
    { reportBaseName, writeAtomic },
    { progressBar },
  ] = await Promise.all([
    import('./run/index.js'),
    report(),
    import('./redact.js'),
    renderAll(),
    import('./report-file.js'),
    import('./render/progress.js'),
  ]);
  const { signal, dispose } = interruptible(io);
  const bar = a.quiet ? undefined : progressBar(io.stderr, io.env);
  try {
    const run = await runProbe({ ...opts, signal, onProgress: bar });
    bar?.clear();
    const built = buildReport(run, io.argv, { allowMprotect: a.allowMprotect });
    const report = a.redact ? redactReport(built) : built;
    if (a.quiet) io.stdout.write(`${report.recommendation.strategy ?? 'none verified'}\n`);
    else io.stdout.write(render(report, format, await style(a, io)));
    if (out && !run.plan.blocked) {
      const base = join(out, reportBaseName(report));
      writeAtomic(`${base}.json`, renderJson(report));
      writeAtomic(`${base}.md`, renderMarkdown(report));
      if (!a.quiet) io.stderr.write(`saved ${base}.json and ${base}.md\n`);
    }
    if (run.plan.blocked) throw new UserError(run.plan.blocked, EXIT.NO_EVIDENCE);
    if (run.results.cancelled)
      throw new UserError('interrupted: the report holds the phases that finished', EXIT.INTERRUPTED);
    return EXIT.OK;
  } finally {
    // A run that failed part-way leaves no bar above its error message either.
    bar?.clear();
    dispose();
  }
}

export interface CheckArgs extends CommonArgs, RawRunArgs {
  require?: string[];
}

export async function checkCommand(a: CheckArgs, io: Io): Promise<number> {
  const reqs = (a.require ?? [])
    .flatMap((r) => String(r).split(','))
    .map((r) => r.trim())
    .filter(Boolean);
  if (!reqs.length)
    throw new UserError('check needs at least one --require <strategy>, e.g. --require membarrier-private-expedited');
  const { duration: _ignored, ...rest } = a;
  const opts = runOptions(rest);
  const { signal, dispose } = interruptible(io);
  try {
    const res = await (await import('./check.js')).check(reqs, { ...opts, signal }, io.argv);
    const { renderCheckJson, renderCheckText } = await import('./render/check-text.js');
    if (a.json) io.stdout.write(renderCheckJson(res));
    else if (!a.quiet) io.stdout.write(renderCheckText(res, await style(a, io)));
    if (res.report.plan.blocked) io.stderr.write(`${res.report.plan.blocked}\n`);
    return res.exitCode;
  } finally {
    dispose();
  }
}

export async function showCommand(a: CommonArgs & { report: string; redact?: boolean }, io: Io): Promise<number> {
  const [{ loadReport }, { redactReport }, { render }] = await Promise.all([
    import('./report-file.js'),
    import('./redact.js'),
    renderers(),
  ]);
  const r = loadReport(a.report);
  const format = formatOf(a);
  io.stdout.write(render(a.redact ? redactReport(r) : r, format, await style(a, io)));
  return EXIT.OK;
}

export async function compareCommand(a: CommonArgs & { before: string; after: string }, io: Io): Promise<number> {
  const [{ compareReports }, { loadReport }] = await Promise.all([import('./compare.js'), import('./report-file.js')]);
  const c = compareReports(loadReport(a.before), loadReport(a.after));
  if (a.json) io.stdout.write((await import('./render/json.js')).renderJson(c));
  else io.stdout.write((await import('./render/compare-text.js')).renderCompareText(c, await style(a, io)));
  // A verdict that varies on an unchanged environment is no regression, and no stable verdict either.
  return c.worse ? EXIT.NOT_MET : c.status === 'flaky' ? EXIT.NO_EVIDENCE : EXIT.OK;
}

export async function reproCommand(a: ReproArgs, io: Io): Promise<number> {
  return (await import('./repro/command.js')).reproCommand(a, { ...io, prepareOutDir });
}
