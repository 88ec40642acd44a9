// The hostile inputs test/integration/sanitizers.test.ts hands straight to the sanitized addon (its
// part (d)), and the child script that evaluates each one. Apart from the test file, which builds the
// addon once and runs these: a second test file would rebuild it (build-sanitized.mjs is never
// incremental), so the list of inputs, not the tests, is what moved.
import type { PhaseOptions } from '../../probe/native-engine.js';

// Each case is a JS expression evaluated in a fresh child (so a crash is pinned to one input) with
// `engine`, `addon`, `W` (a usable writer CPU), `R` (a usable reader CPU) and `SHORT` (a short
// budget, merged into anything that may really run). The correct behaviour: a JS exception or a
// settled promise, no sanitizer report, no hang, exit 0, and afterwards the engine still accepts a
// sane phase (an input must not leave it busy or broken).
export const CHILD = `
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const addon = createRequire(import.meta.url)(process.env.MEMBARRIER_PROBE_ADDON);
const maps = readFileSync('/proc/self/maps', 'utf8');
if (!/libasan\\.so/.test(maps) || !/libubsan\\.so/.test(maps)) {
  console.log('sanitizer runtimes not mapped');
  process.exit(5);
}
const engine = addon.engine;
const cpus = addon.getAffinity().cpus;
const W = cpus[0], R = cpus.length > 1 ? cpus[1] : cpus[0];
const SHORT = { budgetMs: 30, hardMs: 1500, maxTrials: 2000 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms, 'pending'));
// A promise that outlives its budget is cancelled (Ctrl-C's path); one that survives cancel is a hang.
async function settle(v, what) {
  if (!v || typeof v.then !== 'function') return 'returned ' + typeof v;
  const tag = (p) => p.then(
    (x) => 'resolved ' + (x && x.status !== undefined ? x.status : typeof x),
    (e) => 'rejected ' + (e && e.name),
  );
  let out = await Promise.race([tag(v), sleep(4000)]);
  if (out !== 'pending') return out;
  engine.cancel();
  out = await Promise.race([tag(v), sleep(6000)]);
  if (out === 'pending') { console.log(what + ': still running 6 s after cancel()'); process.exit(3); }
  return out + ' (after cancel)';
}
const expr = process.argv[2];
let outcome;
try {
  const v = new Function('engine', 'addon', 'W', 'R', 'SHORT', 'return (' + expr + ');')(engine, addon, W, R, SHORT);
  outcome = await settle(v, 'input');
} catch (e) {
  outcome = 'threw ' + (e && e.name) + ': ' + (e && e.message);
}
console.log('outcome: ' + outcome);
// The engine must still work: a phase left running by a refused call holds it for at most its
// watchdog (hardMs defaults to 2 * budget + 1 s), so "already running" is retried for a while.
const sane = { strategy: 'none', writerCpu: W, readerCpus: [R], ...SHORT };
for (let i = 0; ; ++i) {
  try {
    const res = await settle(engine.runPhase(sane), 'sane phase after the input');
    console.log('sane phase: ' + res);
    if (!/^resolved (ok|pin-failed)/.test(res)) process.exit(6);
    break;
  } catch (e) {
    if (i >= 50 || !/already running/.test(String(e && e.message))) {
      console.log('sane phase refused: ' + (e && e.message));
      process.exit(4);
    }
    await sleep(200);
  }
}
process.exit(0);
`;

const phase = (fields: string) =>
  `engine.runPhase({ strategy: 'none', writerCpu: W, readerCpus: [R], ...SHORT, ${fields} })`;
/**
 * The number fields of the engine's phase options (native.ts PhaseOptions); native-fuzz.test.ts draws from them too.
 */
export const PHASE_NUMBER_FIELDS: (keyof PhaseOptions)[] = [
  'stuffLines',
  'offsetNs',
  'jitterNs',
  'leadNs',
  'writerDelayNs',
  'delayNs',
  'maxTrials',
  'budgetMs',
  'hardMs',
  'gapSpinNs',
  'gapTrialNs',
  'marginNs',
  'seed',
];

export const HOSTILE: string[] = [
  // The brief's own example: no short budget, exactly as a careless caller would write it.
  `engine.runPhase({ strategy: 'none', writerCpu: 0, readerCpus: [1], budgetMs: 1e300, maxTrials: NaN })`,
  // Not an options object at all.
  `engine.runPhase()`,
  `engine.runPhase(null)`,
  `engine.runPhase(42)`,
  `engine.runPhase('none')`,
  `engine.runPhase([])`,
  `engine.runPhase({})`,
  // The strategy.
  `engine.runPhase({ strategy: 'no-such-strategy', writerCpu: W, readerCpus: [R] })`,
  `engine.runPhase({ strategy: Symbol('none'), writerCpu: W, readerCpus: [R] })`,
  `engine.runPhase({ strategy: { toString() { throw new Error('boom'); } }, writerCpu: W, readerCpus: [R] })`,
  `engine.runPhase({ get strategy() { throw new Error('boom'); }, writerCpu: W, readerCpus: [R] })`,
  `engine.runPhase(new Proxy({}, { get() { throw new Error('boom'); } }))`,
  // CPUs.
  phase(`writerCpu: 1e300`),
  phase(`writerCpu: -1`),
  phase(`writerCpu: NaN`),
  phase(`writerCpu: -Infinity`),
  phase(`writerCpu: 2 ** 31`),
  phase(`writerCpu: Symbol('cpu')`),
  `engine.runPhase({ strategy: 'none', readerCpus: [R], ...SHORT })`,
  `engine.runPhase({ strategy: 'none', writerCpu: W, ...SHORT })`,
  phase(`readerCpus: []`),
  phase(`readerCpus: 'abc'`),
  phase(`readerCpus: [Symbol('cpu')]`),
  phase(`readerCpus: ['1']`),
  phase(`readerCpus: [{}]`),
  phase(`readerCpus: [1e300]`),
  phase(`readerCpus: [NaN]`),
  phase(`readerCpus: [-1]`),
  phase(`readerCpus: [99999]`),
  phase(`readerCpus: [W]`),
  phase(`readerCpus: [R, R, R]`),
  phase(`readerCpus: Object.defineProperty([R, R], 1, { get() { throw new Error('boom'); } })`),
  phase(`readerCpus: new Array(1024).fill(R)`),
  phase(`readerCpus: new Array(1025).fill(R)`),
  phase(`readerCpus: new Array(1e6).fill(R)`),
  phase(`readerCpus: new Array(2 ** 32 - 1)`),
  // Every number field with values that fit no integer, and negative ones.
  ...PHASE_NUMBER_FIELDS.flatMap((k) => ['1e300', '-1e300', 'NaN', 'Infinity', '-1'].map((v) => phase(`${k}: ${v}`))),
  phase(`stuffLines: 2 ** 31 - 1, maxTrials: 1`),
  phase(`maxTrials: 0`),
  phase(`budgetMs: 0`),
  phase(`hardMs: 0`),
  phase(`gapSpinNs: 0, gapTrialNs: 0`),
  phase(`seed: 2 ** 64`),
  phase(`evidence: 'yes'`),
  phase(`evidence: Symbol('e')`),
  `(() => { let n = 0; return ${phase(`get evidence() { return n++ ? 1 : true; }`)}; })()`,
  // A second experiment while one runs must be refused, and the first must finish.
  `(() => { const p = ${phase('')}; try { engine.runPhase({ strategy: 'none', writerCpu: W, readerCpus: [R], ` +
    `...SHORT }); } catch {} return p; })()`,
  // The other entry points.
  `engine.measureSkew(NaN, 1e300)`,
  `engine.measureSkew(-1, 99999)`,
  `engine.measureSkew(W, W)`,
  `engine.measureSkew(Symbol('a'), 0)`,
  `engine.readerCost(R, NaN)`,
  `engine.readerCost(R, 1e300)`,
  `engine.readerCost(-1, 10)`,
  `engine.readerCost(99999, 10)`,
  `engine.readerCost(1e300, 10)`,
  `engine.readerCost(R, 0.5)`,
  `engine.selectTimebase(Symbol('c'))`,
  `engine.selectTimebase({ valueOf() { throw new Error('boom'); } })`,
  `addon.cpuid(NaN, -1)`,
  `addon.cpuid(2 ** 32 + 5, 1e300)`,
  `addon.cpuid(0x40000000, 0)`,
  `addon.cpuid(0x80000000, 0)`,
  `addon.cpuid(Symbol('l'), 0)`,
  `addon.probeMembarrierInChild(NaN)`,
  `addon.probeMembarrierInChild(1e300)`,
  `addon.probeMembarrierInChild(-1)`,
  `addon.probeMembarrierInChild(1)`,
];
