// Bad reader and CPU choices through the real CLI: each is one line on stderr with the documented
// exit code (2: bad input, 3: this machine allows no evidence), nothing on stdout for bad input,
// and no report saved. The one-CPU case is produced for real with taskset.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, sh } from '../helpers/run-cli.js';

function refused(args: string[], code: number, pattern: RegExp, wrap?: string[]) {
  const out = mkdtempSync(join(tmpdir(), 'mbp-readers-'));
  // check saves nothing and takes no --out.
  const r = runCli(args[0] === 'check' ? args : [...args, '--out', out], { wrap });
  assert.is(r.status, code, `${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0], pattern);
  assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(readdirSync(out), [], 'nothing saved');
  return r;
}

test('--readers 0: exit 2, says what it takes', () => {
  const r = refused(
    ['--readers', '0'],
    2,
    /^membarrier-probe: --readers takes a positive whole number or "all", got "0"\. Run 'membarrier-probe --help'/,
  );
  assert.is(r.stdout, '');
});

test('--readers abc (and on check): exit 2, the bad text quoted', () => {
  refused(['--readers', 'abc'], 2, /--readers takes a positive whole number or "all", got "abc"/);
  refused(
    ['check', '--require', 'membarrier-private-expedited', '--readers', '1.5'],
    2,
    /--readers takes a positive whole number or "all", got "1\.5"/,
  );
});

test('--readers 10000: exit 2, names how many CPUs are usable', () => {
  const usable = sh('nproc', []).trim();
  const r = refused(
    ['--readers', '10000', '--duration', '1'],
    2,
    new RegExp(`--readers 10000 needs 10001 CPUs but only ${usable} are usable`),
  );
  assert.is(r.stdout, '');
});

test('--cpus 1,1 (a CPU named twice): exit 2 before anything runs', () => {
  const r = refused(['--cpus', '1,1'], 2, /--cpus names CPU 1 more than once; name each CPU once/);
  assert.is(r.stdout, '');
  refused(['--cpus', '0-2,1'], 2, /--cpus names CPU 1 more than once/);
});

test('--readers all on one usable CPU (taskset -c 0): exit 3, no reader can be placed', () => {
  const r = refused(
    ['--readers', 'all', '--duration', '1', '--json'],
    3,
    /^membarrier-probe: cannot place a reader on another CPU: only CPU 0 is usable here\.$/,
    ['taskset', '-c', '0'],
  );
  const report = JSON.parse(r.stdout);
  assert.equal(report.plan.readerCpus, []);
  assert.equal(report.plan.topologyClasses, []);
});

test.run();
