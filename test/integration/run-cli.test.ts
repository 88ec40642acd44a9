// The run command's input checks and its behaviour where no experiment can be placed, produced
// for real with taskset.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../helpers/run-cli.js';

function usage(args: string[], pattern: RegExp) {
  const r = runCli(args);
  assert.is(r.status, 2, `${args.join(' ')} → ${r.status}: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0], pattern);
}

test('bad durations, counts, CPUs and strategies are refused with exit 2', () => {
  usage(['run', '--duration', '0'], /--duration must be a positive number/);
  usage(['run', '--duration', '-3'], /--duration must be a positive number/);
  usage(['run', '--duration', 'abc'], /--duration must be a positive number/);
  usage(['run', '--readers', '1.5'], /--readers takes a positive whole number or "all"/);
  usage(['run', '--readers', '4096'], /--readers 4096 needs 4097 CPUs/);
  usage(['run', '--cpus', 'x-y'], /--cpus takes a CPU list/);
  usage(['run', '--cpus', '0,4000'], /CPU 4000 is offline or outside/);
  usage(
    ['run', '--strategies', 'membarrier-private-expedited,frob'],
    /unknown strategy frob; known strategies: membarrier-private-expedited/,
  );
  usage(['run', '--strategies', 'none'], /unknown strategy none/);
});

test('one usable CPU: the run says it cannot place a reader and exits 3 at once', () => {
  const t0 = Date.now();
  const r = runCli(['run', '--json', '--no-save'], { wrap: ['taskset', '-c', '0'] });
  assert.is(r.status, 3, r.stderr);
  const rep = JSON.parse(r.stdout);
  assert.match(rep.plan.blocked, /cannot place a reader on another CPU/);
  assert.is(rep.results.notes[0].code, 'run-blocked');
  assert.match(r.stderr, /cannot place a reader on another CPU/);
  assert.ok(Date.now() - t0 < 5000);
});

test.run();
