// cli-fast.ts must hand a command exactly what yargs would, on every line it accepts, and leave
// every other line to yargs (whose messages and exit codes the CLI tests pin).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FAST_FLAGS, fastParse } from '../../probe/cli-fast.js';
import { yargsParse } from '../../probe/cli.js';

const ACCEPTED: string[][] = [
  ['inspect'],
  ['inspect', '--json'],
  ['inspect', '--json', '--color'],
  ['inspect', '--no-color'],
  ['inspect', '--debug', '--json'],
  ['check', '--require', 'membarrier-private-expedited'],
  ['check', '--require', 'membarrier-private-expedited', '--quiet'],
  ['check', '--require=membarrier-private-expedited', '--json'],
  ['check', '--require', 'a,b', '--require', 'c'],
  ['check', '--require', 'membarrier-private-expedited', '--readers', '3', '--cpus', '0-3'],
  ['check', '--readers=all', '--require', 'x', '--no-color', '--debug'],
  ['check', '--cpus', '0,1', '--require', 'x', '--quiet', '--json'],
  ['check'],
];

const LEFT_TO_YARGS: string[][] = [
  [],
  ['run'],
  ['show', 'r.json'],
  ['--help'],
  ['inspect', '--help'],
  ['inspect', '-h'],
  ['inspect', '--version'],
  ['inspect', 'extra'],
  ['inspect', '--frobnicate'],
  ['inspect', '--json', '--json'],
  ['inspect', '--json=false'],
  ['inspect', '--no-json'],
  ['inspect', '--color', '--no-color'],
  ['inspect', '--', '--json'],
  ['check', '--require'],
  ['check', '--require', '--quiet'],
  ['check', '--require', 'a', 'b'],
  ['check', '--require='],
  ['check', '--readers', '1', '--readers', '2'],
  ['check', '--seed', '5', '--require', 'x'],
  ['check', '--cpus', '-1'],
  ['check', '--duration', '3', '--require', 'x'],
  ['check', '--strategies', 'x'],
  ['check', '--allow-mprotect'],
];

test('on every line it accepts, the fast parse equals yargs for each flag the command takes', async () => {
  for (const argv of ACCEPTED) {
    const fast = fastParse(argv);
    assert.ok(fast, `accepted: ${argv.join(' ')}`);
    const slow = await yargsParse(argv);
    assert.ok(slow, `yargs parses: ${argv.join(' ')}`);
    assert.is(fast!.command, slow!.command, argv.join(' '));
    for (const name of [...Object.keys(FAST_FLAGS[fast!.command]), 'color', 'debug']) {
      assert.equal(fast!.args[name], slow!.args[name], `${argv.join(' ')}: --${name}`);
    }
    // Nothing the command could read is set by one parser only.
    for (const name of ['seed', 'duration', 'strategies', 'format', 'out', 'save', 'allowMprotect', 'redact']) {
      assert.is(fast!.args[name], undefined, `${argv.join(' ')}: --${name}`);
      assert.is(slow!.args[name], undefined, `${argv.join(' ')}: yargs --${name}`);
    }
  }
});

test('every other line is left to yargs', () => {
  for (const argv of LEFT_TO_YARGS) assert.is(fastParse(argv), null, argv.join(' '));
});

test.run();
