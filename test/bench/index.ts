// `npm run bench`: prints figures, asserts nothing. The machine is noisy, so every figure is
// shown beside a baseline measured in the same run (Node's own start-up), as a ratio.
// Target (issue 2): the whole `inspect` command in 300 ms or less here, Node's start-up included;
// the install-time gate built on it must stay under 1.5 s.
import { spawnSync } from 'node:child_process';
import { inspect } from '../../probe/inspect/index.js';
import { CLI } from '../helpers/run-cli.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);

function stats(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
}

function timeProcess(args: string[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    const t = performance.now() - t0;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    out.push(t);
  }
  return out;
}

const fmt = (x: number) => x.toFixed(1).padStart(7);
const row = (name: string, s: ReturnType<typeof stats>, base?: number) =>
  console.log(`${name.padEnd(34)}${fmt(s.min)}${fmt(s.median)}${fmt(s.max)}${base ? `   ${(s.median / base).toFixed(2)}x node start-up` : ''}`);

console.log(`membarrier-probe bench: ${RUNS} runs each, milliseconds (min median max)`);
const node = stats(timeProcess(['-e', '0']));
row('node -e 0 (baseline)', node);
const json = stats(timeProcess([CLI, 'inspect', '--json']));
row('membarrier-probe inspect --json', json, node.median);
const text = stats(timeProcess([CLI, 'inspect']));
row('membarrier-probe inspect', text, node.median);

const inproc: number[] = [];
await inspect(); // the first call loads the addon and systeminformation
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  await inspect();
  inproc.push(performance.now() - t0);
}
row('inspect() in-process, warm', stats(inproc));
console.log(`target: whole inspect command <= 300 ms: ${json.median <= 300 ? 'met' : 'NOT met'} (median ${json.median.toFixed(0)} ms)`);
