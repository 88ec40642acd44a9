// A one-line progress bar on stderr, redrawn in place. Only on a terminal and never under CI:
// piped output and CI logs get no carriage returns.
import type { Progress } from '../run/index.js';

export function progressBar(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv): ((p: Progress) => void) | undefined {
  if (!stream.isTTY || env.CI) return undefined;
  return (p) => {
    const width = 30;
    const done = Math.round((width * p.index) / p.total);
    const line = `[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${p.index}/${p.total} ${p.phase} ${(p.elapsedMs / 1000).toFixed(1)} s`;
    stream.write(`\r${line.slice(0, (stream.columns ?? 80) - 1).padEnd(Math.min(78, (stream.columns ?? 80) - 1))}${p.index === p.total ? '\n' : ''}`);
  };
}
