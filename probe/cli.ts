#!/usr/bin/env node
// The command line: parse (yargs), hand over to a command handler (cli-commands.ts), and map
// every failure to a documented exit code with a one-line message. main() is exported so tests
// can drive it; it runs by itself only when this file is the program.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { EXIT, UserError } from './exit-codes.js';
import {
  checkCommand, compareCommand, inspectCommand, reproCommand, runCommand, showCommand, type Io,
} from './cli-commands.js';
import { DEFAULT_DURATION_MS } from './plan/index.js';
import { FORMATS } from './render/formats.js';
import { TOOL } from './version.js';

// yargs words its own errors for developers; users get what to do instead.
function userMessage(msg: string): string {
  const unknown = /^Unknown arguments?: (.*)$/.exec(msg);
  if (unknown) return `unknown command or flag: ${unknown[1]}`;
  if (/^Not enough non-option arguments/.test(msg)) return 'missing argument';
  return msg.replace(/\s+/g, ' ').trim();
}

function engineFlags<T>(y: Argv<T>) {
  return y
    .option('readers', { type: 'string', describe: "reader threads, or all (every usable CPU but the writer's); default 8, one in each topology class first" })
    .option('cpus', { type: 'string', describe: "CPUs to use, e.g. 0-3 (the first is the writer's)" })
    .option('seed', { type: 'number', describe: 'random seed for trial jitter' });
}

function reportFlags<T>(y: Argv<T>) {
  return engineFlags(y)
    .option('json', { type: 'boolean', describe: 'same as --format json' })
    .option('format', { type: 'string', choices: FORMATS as unknown as string[], describe: 'output format' })
    .option('duration', { type: 'number', describe: 'whole run in seconds, every phase included (late phases are skipped)', default: DEFAULT_DURATION_MS / 1000 })
    .option('strategies', { type: 'string', describe: 'comma-separated strategy ids (default: all)' })
    .option('out', { type: 'string', describe: 'folder for the saved reports', default: 'reports' })
    .option('save', { type: 'boolean', default: true, describe: 'save <host>-<time>.json and .md in --out (--no-save: do not)' })
    .option('quiet', { type: 'boolean', describe: 'no progress; print only the recommended strategy' })
    .option('allow-mprotect', { type: 'boolean', describe: 'offer mprotect/madvise when verified and no risk applies' })
    .option('redact', { type: 'boolean', describe: 'drop the hostname, container ids and local paths (for public tickets)' });
}

function parser(argv: string[], io: Io, done: (code: number) => void): Argv {
  return yargs(argv)
    .scriptName(TOOL.name)
    .usage('$0 [command] [options]')
    .epilogue('Tells whether the process-wide memory barrier you rely on really orders every CPU here.\n' +
      'Exit codes: 0 done (check: met); 1 internal error, check not met or compare worse; 2 bad input;\n' +
      '3 no evidence possible here (check: inconclusive; compare: a verdict varies on an unchanged environment); 130 interrupted.')
    .option('color', { type: 'boolean', describe: 'colour text output (default: on a terminal; honours NO_COLOR, FORCE_COLOR)' })
    .option('debug', { type: 'boolean', describe: 'show stack traces for errors' })
    .command(['run', '$0'], 'run every strategy and control, judge them and recommend one (the default)', reportFlags,
      async (a) => done(await runCommand(a, io)))
    .command('check', 'the fast gate: exit 0 only if every --require is verified',
      (y) => engineFlags(y)
        .option('require', { type: 'string', array: true, describe: 'strategy that must be verified (repeatable)' })
        .option('json', { type: 'boolean', describe: 'print the result as JSON' })
        .option('quiet', { type: 'boolean', describe: 'print nothing; the exit code says it' }),
      async (a) => done(await checkCommand(a, io)))
    .command('inspect', 'report the facts that decide which barrier strategy can work here',
      (y) => y.option('json', { type: 'boolean', describe: 'print the report as JSON' }),
      async (a) => done(await inspectCommand(a, io)))
    .command('show <report>', 'render a saved report again',
      (y) => y.positional('report', { type: 'string', demandOption: true })
        .option('format', { type: 'string', choices: FORMATS as unknown as string[] })
        .option('json', { type: 'boolean', describe: 'same as --format json' })
        .option('redact', { type: 'boolean', describe: 'drop the hostname, container ids and local paths' }),
      async (a) => done(await showCommand(a as never, io)))
    .command('compare <before> <after>', 'what changed; exit 1 if a verdict got worse, 3 if one is flaky',
      (y) => y.positional('before', { type: 'string', demandOption: true }).positional('after', { type: 'string', demandOption: true })
        .option('json', { type: 'boolean', describe: 'print the comparison as JSON' }),
      async (a) => done(await compareCommand(a as never, io)))
    .command('repro <strategy>', 'write a standalone C reproducer of what the probe found (--report: a kernel bug report)',
      (y) => y.positional('strategy', { type: 'string', demandOption: true })
        .option('out', { type: 'string', default: '.', describe: 'folder for the C file (and the report)' })
        .option('attempts', { type: 'number', describe: 'attempts the reproducer makes (its -n; default 20)' })
        .option('report', { type: 'boolean', describe: 'also build and run it here and write a bug report in Markdown' })
        .option('from', { type: 'string', describe: 'with --report: the saved report to quote (default: a short probe run)' }),
      async (a) => done(await reproCommand(a as never, io)))
    .strict()
    .version(TOOL.version)
    .help()
    .alias('h', 'help')
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UserError(userMessage(msg ?? 'invalid command line'));
    })
    .wrap(Math.min(110, process.stdout.columns || 110))
    .parserConfiguration({ 'boolean-negation': true });
}

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function main(argv: string[], io: Omit<Io, 'argv'> = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const debug = argv.includes('--debug');
  let code: number = EXIT.OK;
  try {
    await parser(argv, { ...io, argv }, (c) => { code = c; }).parseAsync();
    return code;
  } catch (err) {
    if (err instanceof UserError) {
      const hint = err.exitCode === EXIT.USAGE ? ` Run '${TOOL.name} --help' for usage.` : '';
      io.stderr.write(`${TOOL.name}: ${err.message}.${hint}\n`);
      if (debug) io.stderr.write(`${err.stack}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    io.stderr.write(`${TOOL.name}: internal error: ${e?.message ?? String(err)} (please report this; --debug shows where)\n`);
    if (debug) io.stderr.write(`${e?.stack}\n`);
    return EXIT.INTERNAL;
  }
}

function isMain(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMain()) {
  // exitCode, not exit(): let a large report finish writing to a pipe first.
  process.exitCode = await main(process.argv.slice(2));
}
