#!/usr/bin/env node
// The command line: parse (yargs), call the library, render, and map every failure to a
// documented exit code with a one-line message. main() is exported so tests can drive it; it
// runs by itself only when this file is the program.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { EXIT, UserError } from './exit-codes.js';
import { inspectReport } from './inspect/index.js';
import { DEFAULT_DURATION_MS } from './plan/index.js';
import { runProbe } from './run/index.js';
import { runOptions } from './cli-options.js';
import { renderRunText } from './render/run-text.js';
import { renderInspectText } from './render/inspect-text.js';
import { renderJson } from './render/json.js';
import { colorLevel, makeStyle } from './render/style.js';
import { TOOL } from './version.js';

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

interface GlobalArgs {
  color?: boolean;
  debug?: boolean;
}

// yargs words its own errors for developers; users get what to do instead.
function userMessage(msg: string): string {
  const unknown = /^Unknown arguments?: (.*)$/.exec(msg);
  if (unknown) return `unknown command or flag: ${unknown[1]}`;
  if (/^Not enough non-option arguments/.test(msg)) return 'no command given';
  return msg.replace(/\s+/g, ' ').trim();
}

function parser(argv: string[], io: Io): Argv<GlobalArgs> {
  return yargs(argv)
    .scriptName(TOOL.name)
    .usage('$0 <command> [options]')
    .epilogue('Tells whether the process-wide memory barrier you rely on really orders every CPU here.\nExit codes: 0 done, 1 internal error, 2 bad input, 3 no evidence possible here, 130 interrupted.')
    .option('color', { type: 'boolean', describe: 'colour text output (default: on a terminal; honours NO_COLOR, FORCE_COLOR)' })
    .option('debug', { type: 'boolean', describe: 'show stack traces for errors' })
    .command(
      'inspect',
      'report the facts that decide which barrier strategy can work here',
      (y) => y.option('json', { type: 'boolean', describe: 'print the report as JSON' }),
      async (args) => {
        const report = await inspectReport();
        if (args.json) {
          io.stdout.write(renderJson(report));
        } else {
          const style = makeStyle(colorLevel(args.color, io.env, Boolean(io.stdout.isTTY)));
          io.stdout.write(renderInspectText(report, style));
        }
      },
    )
    .command(
      'run',
      'run every strategy and control on this machine and print the raw evidence',
      (y) =>
        y
          .option('json', { type: 'boolean', describe: 'print the report as JSON' })
          .option('duration', { type: 'number', describe: 'whole run in seconds', default: DEFAULT_DURATION_MS / 1000 })
          .option('readers', { type: 'number', describe: 'reader threads (default: every usable CPU but the writer\'s)' })
          .option('cpus', { type: 'string', describe: 'CPUs to use, e.g. 0-3 (the first is the writer\'s)' })
          .option('strategies', { type: 'string', describe: 'comma-separated strategy ids (default: all)' })
          .option('seed', { type: 'number', describe: 'random seed for trial jitter' }),
      async (args) => {
        const opts = runOptions(args);
        const ac = new AbortController();
        const onSigint = () => ac.abort();
        process.once('SIGINT', onSigint);
        try {
          const report = await runProbe({
            ...opts,
            signal: ac.signal,
            onProgress: args.json ? undefined : (p) => io.stderr.write(`  [${p.index}/${p.total}] ${p.phase}\n`),
          });
          const style = makeStyle(colorLevel(args.color, io.env, Boolean(io.stdout.isTTY)));
          io.stdout.write(args.json ? renderJson(report) : renderRunText(report, style));
          if (report.plan.blocked) throw new UserError(report.plan.blocked, EXIT.NO_EVIDENCE);
          if (report.results.cancelled) throw new UserError('interrupted: the report holds the phases that finished', EXIT.INTERRUPTED);
        } finally {
          process.off('SIGINT', onSigint);
        }
      },
    )
    .demandCommand(1)
    .strict()
    .version(TOOL.version)
    .help()
    .alias('h', 'help')
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UserError(userMessage(msg ?? 'invalid command line'));
    })
    .wrap(Math.min(100, process.stdout.columns || 100))
    .parserConfiguration({ "boolean-negation": true });
}

/** Runs the CLI; resolves to the exit code. Never throws. */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    await parser(argv, io).parseAsync();
    return EXIT.OK;
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
