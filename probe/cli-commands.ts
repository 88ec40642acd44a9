// The command handlers: each turns parsed flags into library calls and output, and returns its
// exit code. Failures that are the user's to fix are thrown as UserError (exit 2 unless stated).
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { check } from './check.js';
import { compareReports } from './compare.js';
import { EXIT, UserError } from './exit-codes.js';
import { runOptions, type RawRunArgs } from './cli-options.js';
import { buildReport, inspectReport } from './report.js';
import { redactReport } from './redact.js';
import { loadReport, reportBaseName, writeAtomic } from './report-file.js';
import { render, FORMATS, type Format } from './render/index.js';
import { renderInspectText } from './render/inspect-text.js';
import { renderJson } from './render/json.js';
import { renderMarkdown } from './render/markdown.js';
import { progressBar } from './render/progress.js';
import { colorLevel, makeStyle } from './render/style.js';
import { runProbe } from './run/index.js';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  argv: string[];
}

export interface CommonArgs { color?: boolean; json?: boolean; format?: string; quiet?: boolean }

const style = (a: CommonArgs, io: Io) => makeStyle(colorLevel(a.color, io.env, Boolean(io.stdout.isTTY)));

function formatOf(a: CommonArgs): Format {
  const f = a.json ? 'json' : a.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(f)) throw new UserError(`--format ${f} is not a format; use one of ${FORMATS.join(', ')}`);
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
      throw new UserError(`--out ${dir} cannot be created (${(e as NodeJS.ErrnoException).code}); give a writable folder`);
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
  const report = await inspectReport();
  io.stdout.write(a.json ? renderJson(report) : renderInspectText(report, style(a, io)));
  return EXIT.OK;
}

export interface RunArgs extends CommonArgs, RawRunArgs { out?: string; save?: boolean; allowMprotect?: boolean; redact?: boolean }

export async function runCommand(a: RunArgs, io: Io): Promise<number> {
  const opts = runOptions(a);
  const format = formatOf(a);
  const out = a.save === false ? null : prepareOutDir(a.out ?? 'reports');
  const { signal, dispose } = interruptible(io);
  const bar = a.quiet ? undefined : progressBar(io.stderr, io.env);
  try {
    const run = await runProbe({ ...opts, signal, onProgress: bar });
    bar?.clear();
    const built = buildReport(run, io.argv, { allowMprotect: a.allowMprotect });
    const report = a.redact ? redactReport(built) : built;
    if (a.quiet) io.stdout.write(`${report.recommendation.strategy ?? 'none verified'}\n`);
    else io.stdout.write(render(report, format, style(a, io)));
    if (out && !run.plan.blocked) {
      const base = join(out, reportBaseName(report));
      writeAtomic(`${base}.json`, renderJson(report));
      writeAtomic(`${base}.md`, renderMarkdown(report));
      if (!a.quiet) io.stderr.write(`saved ${base}.json and ${base}.md\n`);
    }
    if (run.plan.blocked) throw new UserError(run.plan.blocked, EXIT.NO_EVIDENCE);
    if (run.results.cancelled) throw new UserError('interrupted: the report holds the phases that finished', EXIT.INTERRUPTED);
    return EXIT.OK;
  } finally {
    // A run that failed part-way leaves no bar above its error message either.
    bar?.clear();
    dispose();
  }
}

export interface CheckArgs extends CommonArgs, RawRunArgs { require?: string[] }

export async function checkCommand(a: CheckArgs, io: Io): Promise<number> {
  const reqs = (a.require ?? []).flatMap((r) => String(r).split(',')).map((r) => r.trim()).filter(Boolean);
  if (!reqs.length) throw new UserError('check needs at least one --require <strategy>, e.g. --require membarrier-private-expedited');
  const { duration: _ignored, ...rest } = a;
  const opts = runOptions(rest);
  const { signal, dispose } = interruptible(io);
  try {
    const res = await check(reqs, { ...opts, signal }, io.argv);
    if (a.json) {
      io.stdout.write(renderJson({ met: res.met, exitCode: res.exitCode, requirements: res.requirements, system: { host: res.report.system.platform.hostname, kernel: res.report.system.kernel.release } }));
    } else if (!a.quiet) {
      const s = style(a, io);
      for (const r of res.requirements) {
        const tag = r.verdict === 'verified' ? s.good('met') : r.verdict === 'inconclusive' ? s.warn('inconclusive') : s.bad('not met');
        io.stdout.write(`${r.strategy}: ${tag} (${r.verdict}): ${r.reason}\n`);
      }
    }
    if (res.report.plan.blocked) io.stderr.write(`${res.report.plan.blocked}\n`);
    return res.exitCode;
  } finally {
    dispose();
  }
}

export async function showCommand(a: CommonArgs & { report: string; redact?: boolean }, io: Io): Promise<number> {
  const r = loadReport(a.report);
  io.stdout.write(render(a.redact ? redactReport(r) : r, formatOf(a), style(a, io)));
  return EXIT.OK;
}

export async function compareCommand(a: CommonArgs & { before: string; after: string }, io: Io): Promise<number> {
  const c = compareReports(loadReport(a.before), loadReport(a.after));
  if (a.json) {
    io.stdout.write(renderJson(c));
  } else {
    const s = style(a, io);
    io.stdout.write(c.environment.length ? `${s.head('Environment changes')}\n` : 'environment: no change\n');
    for (const e of c.environment) io.stdout.write(`  ${e.field}: ${e.before} -> ${e.after}\n`);
    io.stdout.write(`${s.head('Verdicts')}\n`);
    for (const v of c.verdicts) {
      const tag = v.change === 'worse' ? s.bad('worse') : v.change === 'better' ? s.good('better') : s.dim('same');
      io.stdout.write(`  ${v.strategy.padEnd(40)}${v.before} -> ${v.after}  ${tag}\n`);
    }
  }
  return c.worse ? EXIT.NOT_MET : EXIT.OK;
}
