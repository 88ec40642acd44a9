// Small measuring helpers for the bench: whole-process timings and a figure line with a ratio.
import { spawnSync } from 'node:child_process';

export function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
}

export function median(xs: number[]): number {
  return stats(xs).median;
}

export function timeProcess(args: string[], runs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    const t = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`); // a failed gate is no timing
    out.push(t);
  }
  return out;
}

const fmt = (x: number) => x.toFixed(1).padStart(7);
export function figure(name: string, s: ReturnType<typeof stats>, base?: number) {
  console.log(
    `${name.padEnd(34)}${fmt(s.min)}${fmt(s.median)}${fmt(s.max)}` +
      `${base ? `   ${(s.median / base).toFixed(2)}x node start-up` : ''}`,
  );
}
