// A one-line progress bar on stderr, redrawn in place. Only on a terminal and never under CI:
// piped output and CI logs get no carriage returns. The total is the plan's phase count; the bar
// clamps anyway (a negative repeat count threw once: issue 11) and erases what a longer earlier
// line left behind. When the run ends the bar erases itself (issue 12): it says how far a run has
// got, which means nothing once the summary is there, so the terminal keeps no bar line.
import type { Progress } from '../run/index.js';

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** The progress callback, and clear() for a run that ends before its last phase (an error). */
export type ProgressBar = ((p: Progress) => void) & { clear(): void };

const WIDTH = 30;
/** Erase from the cursor to the end of the line (ECMA-48 EL): no residue of a longer earlier line. */
const ERASE = '\x1b[K';

export function progressLine(p: Progress, columns: number): string {
  const total = Math.max(1, p.total);
  const index = Math.min(Math.max(0, p.index), total);
  const done = Math.round((WIDTH * index) / total);
  const line =
    `[${'#'.repeat(done)}${'.'.repeat(WIDTH - done)}] ${index}/${total} ${p.phase}` +
    ` ${(Math.max(0, p.elapsedMs) / 1000).toFixed(1)} s`;
  // One column short of the width: writing the last column makes some terminals wrap.
  return line.slice(0, Math.max(1, columns - 1));
}

export function progressBar(stream: ProgressStream, env: NodeJS.ProcessEnv): ProgressBar | undefined {
  if (!stream.isTTY || env.CI) return undefined;
  let drawn = false;
  let ended = false;
  // The cursor stays on the bar's line, at column 0 once cleared: what is printed next takes the line.
  const clear = () => {
    if (drawn && !ended) stream.write(`\r${ERASE}`);
    ended = true;
  };
  const bar = (p: Progress) => {
    if (ended) return;
    if (p.index >= p.total) return clear();
    // A terminal that reports no size (0 columns, as under script(1)) gets the usual 80.
    stream.write(`\r${progressLine(p, stream.columns || 80)}${ERASE}`);
    drawn = true;
  };
  return Object.assign(bar, { clear });
}
