// The progress bar on a real terminal (issue 12, part 8): tmux runs `run --duration 3 --no-save`
// in a pane; once the command has ended, the pane (scrollback included) holds the summary and no
// bar line. One reader: this suite's machines have 2 CPUs; several readers are not tested here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CLI, ROOT } from '../helpers/run-cli.js';

const ensure = spawnSync(join(ROOT, 'scripts', 'ensure-debian.sh'), ['tmux'], { encoding: 'utf8', timeout: 300_000 });
// A server of our own (-L), so that no user session is touched, and killed at the end.
const SOCKET = `mbp-progress-${process.pid}`;
const tmux = (...args: string[]) => spawnSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8', timeout: 30_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('after a run on a terminal, the summary is there and no progress bar is left', async () => {
  assert.is(ensure.status, 0, `ensure-debian.sh tmux: ${ensure.stderr}`);
  const cmd = `${process.execPath} ${CLI} run --duration 3 --no-save --readers 1; echo "EXIT=$?"; sleep 120`;
  try {
    const start = tmux('new-session', '-d', '-x', '120', '-y', '40', '-e', 'CI=', cmd);
    assert.is(start.status, 0, start.stderr);
    let pane = '';
    let drawn = false;
    // Wait on the command's end, not on a time: the run's length is the machine's business.
    for (let i = 0; i < 240 && !/EXIT=\d+/.test(pane); i++) {
      await sleep(500);
      pane = tmux('capture-pane', '-p', '-S', '-').stdout;
      drawn ||= /\[[#.]{30}\] \d+\/\d+ /.test(pane);
    }
    assert.match(pane, /EXIT=0/, `the run did not end with 0:\n${pane.slice(-2000)}`);
    assert.match(pane, /membarrier-private-expedited/, 'the summary was printed');
    // Else the test proves nothing: the bar must have been there while the run went on.
    assert.ok(drawn, 'no progress bar was seen while the run went on');
    const bars = pane.split('\n').filter((l) => /\[[#.]{30}\]/.test(l));
    assert.equal(bars, [], 'a progress bar line was left on the terminal');
  } finally {
    tmux('kill-server');
  }
});

test.run();
