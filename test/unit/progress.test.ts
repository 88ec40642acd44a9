// The progress bar (render/progress.ts) against a fake terminal that records what is written:
// an index past the total once crashed the probe ("Invalid count value: -1", issue 11), and a
// shorter line after a longer one left residue ("16.0 s     15.0 sss-core 9.5 s"), and the bar
// stayed on screen after the run (issue 12): it now erases itself.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { progressBar, progressLine } from '../../probe/render/progress.js';

function tty(columns = 80) {
  const writes: string[] = [];
  return { writes, stream: { isTTY: true, columns, write: (s: string) => writes.push(s) } };
}
/** What a terminal shows after the writes: \r returns to column 0, ESC[K erases to the end, \n ends a line. */
function screen(writes: string[]): string[] {
  const lines: string[] = [];
  let cur = '',
    col = 0;
  const s = writes.join('');
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\r') col = 0;
    else if (c === '\n') {
      lines.push(cur);
      cur = '';
      col = 0;
    } else if (s.startsWith('\x1b[K', i)) {
      cur = cur.slice(0, col);
      i += 2;
    } else {
      cur = cur.slice(0, col) + c + cur.slice(col + 1);
      col++;
    }
  }
  return [...lines, cur];
}
const at = (index: number, total: number, phase = 'none', elapsedMs = 1000) => ({ index, total, phase, elapsedMs });

test('an index past the total is clamped, never a negative repeat', () => {
  assert.not.throws(() => progressLine(at(45, 40), 80));
  assert.match(progressLine(at(45, 40), 80), /^\[#{30}\] 40\/40 /);
  assert.match(progressLine(at(-1, 40), 80), /^\[\.{30}\] 0\/40 /);
  assert.match(progressLine(at(0, 0), 80), /^\[\.{30}\] 0\/1 /);
});

test('a long phase name is cut to the terminal width, one column short', () => {
  const line = progressLine(at(3, 40, `scaling:${'membarrier-private-expedited-sync-core'.repeat(3)}:255`), 60);
  assert.is(line.length, 59);
});

test('redraws leave no residue of a longer line; the last phase erases the bar; later draws are ignored', () => {
  // Wide terminal: the first line (83 columns) is longer than any fixed padding would cover.
  const { writes, stream } = tty(120);
  const bar = progressBar(stream, {})!;
  bar(at(1, 3, 'membarrier-private-expedited-sync-core', 15000));
  bar(at(2, 3, 'none', 16000));
  assert.equal(screen(writes), [progressLine(at(2, 3, 'none', 16000), 120)]);
  bar(at(3, 3, 'contention:mprotect:1', 9500));
  // The run is over: no bar line is left, the cursor is at column 0 of an empty line.
  assert.equal(screen(writes), ['']);
  assert.is(writes[writes.length - 1], '\r\x1b[K');
  bar(at(4, 3, 'late'));
  bar.clear();
  assert.is(writes.length, 3, 'nothing after the bar is erased');
});

test('clear() erases a bar that never reached its last phase, and draws nothing when none was drawn', () => {
  const { writes, stream } = tty();
  const bar = progressBar(stream, {})!;
  bar(at(1, 5));
  bar.clear();
  assert.equal(screen(writes), ['']);
  const other = tty();
  progressBar(other.stream, {})!.clear();
  assert.is(other.writes.length, 0);
});

test('a terminal that reports 0 columns (script(1)) gets 80, not an empty bar', () => {
  const { writes, stream } = tty(0);
  progressBar(stream, {})!(at(1, 2));
  assert.equal(screen(writes), [progressLine(at(1, 2), 80)]);
});

test('no bar when piped or under CI', () => {
  assert.is(progressBar({ isTTY: false, write: () => true }, {}), undefined);
  assert.is(progressBar({ write: () => true }, {}), undefined);
  assert.is(progressBar(tty().stream, { CI: 'true' }), undefined);
});

test.run();
