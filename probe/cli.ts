#!/usr/bin/env node
// The command line: parse (yargs, or cli-fast.ts for plain inspect and check lines), hand over to
// a command handler (cli-commands.ts), and map every failure to a documented exit code with a
// one-line message. main() is exported so tests can drive it; it runs by itself only when this
// file is the program.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Argv } from 'yargs';
import { EXIT, UserError } from './exit-codes.js';
import {
  checkCommand,
  compareCommand,
  inspectCommand,
  reproCommand,
  runCommand,
  showCommand,
  type Io,
} from './cli-commands.js';
import { fastParse } from './cli-fast.js';
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
    .option('readers', {
      type: 'string',
      describe:
        "reader threads, or all (every usable CPU but the writer's); default 8, one in each topology class first",
    })
    .option('cpus', { type: 'string', describe: "CPUs to use, e.g. 0-3 (the first is the writer's)" })
    .option('seed', { type: 'number', describe: 'random seed for trial jitter' });
}

function reportFlags<T>(y: Argv<T>, defaultDurationMs: number) {
  return engineFlags(y)
    .option('json', { type: 'boolean', describe: 'same as --format json' })
    .option('format', { type: 'string', choices: FORMATS as unknown as string[], describe: 'output format' })
    .option('duration', {
      type: 'number',
      describe: 'whole run in seconds, every phase included (late phases are skipped)',
      default: defaultDurationMs / 1000,
    })
    .option('strategies', { type: 'string', describe: 'comma-separated strategy ids (default: all)' })
    .option('out', { type: 'string', describe: 'folder for the saved reports', default: 'reports' })
    .option('save', {
      type: 'boolean',
      default: true,
      describe: 'save <host>-<time>.json and .md in --out (--no-save: do not)',
    })
    .option('quiet', { type: 'boolean', describe: 'no progress; print only the recommended strategy' })
    .option('allow-mprotect', { type: 'boolean', describe: 'offer mprotect/madvise when verified and no risk applies' })
    .option('redact', {
      type: 'boolean',
      describe: 'drop the hostname, container ids and local paths (for public tickets)',
    });
}

const HANDLERS = {
  run: runCommand,
  check: checkCommand,
  inspect: inspectCommand,
  show: showCommand,
  compare: compareCommand,
  repro: reproCommand,
};
type Command = keyof typeof HANDLERS;
/** What a parser hands over: the command and its flags as yargs names them. */
export type Dispatch = (command: Command, args: Record<string, unknown>) => Promise<void>;

async function parser(argv: string[], dispatch: Dispatch): Promise<Argv> {
  // Loaded here, not at the top: the fast path (cli-fast.ts) needs neither.
  const [{ default: yargs }, { DEFAULT_DURATION_MS }] = await Promise.all([import('yargs'), import('./plan/index.js')]);
  return yargs(argv)
    .scriptName(TOOL.name)
    .usage('$0 [command] [options]')
    .epilogue(
      'Tells whether the process-wide memory barrier you rely on really orders every CPU here.\n' +
        'Exit codes: 0 done (check: met); 1 internal error, check not met or compare worse; 2 bad input;\n' +
        '3 no evidence possible here (check: inconclusive; compare: a verdict varies on an unchanged environment); ' +
        '130 interrupted.',
    )
    .option('color', {
      type: 'boolean',
      describe: 'colour text output (default: on a terminal; honours NO_COLOR, FORCE_COLOR)',
    })
    .option('debug', { type: 'boolean', describe: 'show stack traces for errors' })
    .command(
      ['run', '$0'],
      'run every strategy and control, judge them and recommend one (the default)',
      (y) => reportFlags(y, DEFAULT_DURATION_MS),
      (a) => dispatch('run', a),
    )
    .command(
      'check',
      'the fast gate: exit 0 only if every --require is verified',
      (y) =>
        engineFlags(y)
          .option('require', { type: 'string', array: true, describe: 'strategy that must be verified (repeatable)' })
          .option('json', { type: 'boolean', describe: 'print the result as JSON' })
          .option('quiet', { type: 'boolean', describe: 'print nothing; the exit code says it' }),
      (a) => dispatch('check', a),
    )
    .command(
      'inspect',
      'report the facts that decide which barrier strategy can work here',
      (y) => y.option('json', { type: 'boolean', describe: 'print the report as JSON' }),
      (a) => dispatch('inspect', a),
    )
    .command(
      'show <report>',
      'render a saved report again',
      (y) =>
        y
          .positional('report', { type: 'string', demandOption: true })
          .option('format', { type: 'string', choices: FORMATS as unknown as string[] })
          .option('json', { type: 'boolean', describe: 'same as --format json' })
          .option('redact', { type: 'boolean', describe: 'drop the hostname, container ids and local paths' }),
      (a) => dispatch('show', a),
    )
    .command(
      'compare <before> <after>',
      'what changed; exit 1 if a verdict got worse, 3 if one is flaky',
      (y) =>
        y
          .positional('before', { type: 'string', demandOption: true })
          .positional('after', { type: 'string', demandOption: true })
          .option('json', { type: 'boolean', describe: 'print the comparison as JSON' }),
      (a) => dispatch('compare', a),
    )
    .command(
      'repro <strategy>',
      'write a standalone C reproducer of what the probe found (--report: a kernel bug report)',
      (y) =>
        y
          .positional('strategy', { type: 'string', demandOption: true })
          .option('out', { type: 'string', default: '.', describe: 'folder for the C file (and the report)' })
          .option('attempts', { type: 'number', describe: 'attempts the reproducer makes (its -n; default 20)' })
          .option('report', {
            type: 'boolean',
            describe: 'also build and run it here and write a bug report in Markdown',
          })
          .option('from', {
            type: 'string',
            describe: 'with --report: the saved report to quote (default: a short probe run)',
          }),
      (a) => dispatch('repro', a),
    )
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

/** The command and flags yargs makes of `argv`, without running it (test/unit/cli-fast.test.ts). */
export async function yargsParse(argv: string[]): Promise<{ command: Command; args: Record<string, unknown> } | null> {
  let got: { command: Command; args: Record<string, unknown> } | null = null;
  await (
    await parser(argv, async (command, args) => {
      got = { command, args };
    })
  ).parseAsync();
  return got;
}

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function main(
  argv: string[],
  io: Omit<Io, 'argv'> = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const debug = argv.includes('--debug');
  let code: number = EXIT.OK;
  const run: Dispatch = async (command, args) => {
    code = await HANDLERS[command](args as never, { ...io, argv });
  };
  try {
    const fast = fastParse(argv);
    if (fast) await run(fast.command, fast.args);
    else await (await parser(argv, run)).parseAsync();
    return code;
  } catch (err) {
    if (err instanceof UserError) {
      const hint = err.exitCode === EXIT.USAGE ? ` Run '${TOOL.name} --help' for usage.` : '';
      io.stderr.write(`${TOOL.name}: ${err.message}.${hint}\n`);
      if (debug) io.stderr.write(`${err.stack}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    io.stderr.write(
      `${TOOL.name}: internal error: ${e?.message ?? String(err)} (please report this; --debug shows where)\n`,
    );
    if (debug) io.stderr.write(`${e?.stack}\n`);
    return EXIT.INTERNAL;
  }
}

function isMain(): boolean {
  try {
    return (
      process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
    );
  } catch {
    return false;
  }
}

if (isMain()) {
  // exitCode, not exit(): let a large report finish writing to a pipe first.
  process.exitCode = await main(process.argv.slice(2));
}
