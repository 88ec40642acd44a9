// The command line's contract: one-line errors with exit 2 for bad input, help and version.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../helpers/run-cli.js';

function assertUsageError(args: string[], pattern: RegExp) {
  const r = runCli(args);
  assert.is(r.status, 2, `${args.join(' ')}: exit ${r.status}`);
  assert.is(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.match(lines[0], /--help/);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
}

test('unknown command', () =>
  assertUsageError(['frobnicate'], /^membarrier-probe: unknown command or flag: frobnicate/));
test('unknown flag', () => assertUsageError(['inspect', '--frobnicate'], /unknown command or flag: frobnicate/));
test('the default command (run) checks its flags before running', () =>
  assertUsageError(['--duration', '0'], /--duration must be a positive number/));

test('--debug adds a stack trace to a usage error', () => {
  const r = runCli(['frobnicate', '--debug']);
  assert.is(r.status, 2);
  assert.match(r.stderr, /\n\s+at /);
});

test('--help lists the commands and exit codes', () => {
  const r = runCli(['--help']);
  assert.is(r.status, 0);
  for (const c of ['run', 'check', 'inspect', 'show', 'compare'])
    assert.match(r.stdout, new RegExp(`membarrier-probe ${c}`));
  assert.match(r.stdout, /Exit codes/);
});

test('--version prints the package version', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const r = runCli(['--version']);
  assert.is(r.status, 0);
  assert.is(r.stdout.trim(), pkg.version);
});

test.run();
