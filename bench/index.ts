// `npm run bench`: prints figures, asserts nothing. The machine is noisy, so each figure stands
// beside a reference measured in the same run, as a ratio:
// - the whole `inspect --json` command against Node's own start-up, `node -e 0` (target: 3x or less);
// - the `check` gate, whole process, against the same (target: 7x or less; and 1.5 s or less, every run);
//   BENCH_BEFORE=<another checkout's dist/probe/cli.js> times that one too, in the same run;
// - a default `run` at one reader: wall time (target: under 20 s) and peak RSS (target: 80 MB or less);
// - the positive control's witness rate (median of several runs) against the rate a mature
//   litmus harness reaches on this CPU, times 1.5 (Intel Xeon: 300,000/s; AMD EPYC: 1,650,000/s);
// - each strategy's SB trial rate against the raw call rate of a plain C loop (bench/reference.c)
//   (target: at least 80%), and its median latency against that loop's (target: within 15%).
//   The rate compared is the loop's rate while its reader was on its CPU (see reference.c); the
//   loop's overall rate, which counts no-IPI calls made while its reader was descheduled, is shown too.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from '../probe/inspect/index.js';
import { FIELD_CONTENTION_MS, FIELD_EFFECT_CALLS } from '../probe/inspect/field.js';
import { loadNative } from '../probe/native.js';
import type { RunReport } from '../probe/records.js';
import { requireEngine } from '../probe/run/engine.js';
import { witnessesPerSec } from '../probe/run/calibrate.js';
import { CLI, ROOT } from '../test/helpers/run-cli.js';
import { figure, median, stats, timeProcess } from './measure.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const WITNESS_TARGET: Record<string, number> = { GenuineIntel: 300_000, AuthenticAMD: 1_650_000 };
const HEAVY = [
  'membarrier-private-expedited',
  'membarrier-private-expedited-sync-core',
  'membarrier-global-expedited',
  'mprotect',
  'madvise-dontneed',
  'signals',
];
const C_CALLS: Record<string, number> = { mprotect: 15000, 'madvise-dontneed': 15000 };

console.log(`membarrier-probe bench: milliseconds (min median max) over ${RUNS} runs unless said`);
const node = stats(timeProcess(['-e', '0'], RUNS));
figure('node -e 0 (baseline)', node);
const json = stats(timeProcess([CLI, 'inspect', '--json'], RUNS));
figure('membarrier-probe inspect --json', json, node.median);
const inproc: number[] = [];
await inspect();
for (let i = 0; i < RUNS; i++) {
  const t0 = performance.now();
  await inspect();
  inproc.push(performance.now() - t0);
}
figure('inspect() in-process, warm', stats(inproc));
// The field sample alone (one forked child): its share of inspect, and what it found, run by run.
const n = loadNative();
if (n.ok) {
  const times: number[] = [];
  const found: string[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = n.addon.sampleFieldInChild(0, 1, FIELD_EFFECT_CALLS, FIELD_CONTENTION_MS, 3000);
    times.push(performance.now() - t0);
    const e = r.effect;
    const share = (k: { interrupted: number; onCpuCalls: number } | undefined) =>
      k?.onCpuCalls ? (k.interrupted / k.onCpuCalls).toFixed(3) : 'n/a';
    found.push(
      `threaded REGISTER ${r.threaded?.ok ? `${(r.threaded.ns / 1e6).toFixed(1)} ms` : 'failed'}; ` +
        `PRIVATE_EXPEDITED interrupted ${share(e?.membarrier)} of ${e?.membarrier.onCpuCalls ?? 0} on-CPU calls ` +
        `(getpid ${share(e?.nullSyscall)}); 1/2/4 callers ` +
        `p50 ${r.contention.map((c) => (c.calls ? `${(c.p50Ns / 1000).toFixed(1)} us` : '-')).join(' / ')}`,
    );
  }
  figure('field sample child (5 runs)', stats(times), node.median);
  for (const f of found) console.log(`  ${f}`);
}
const GATE_ARGS = ['check', '--require', 'membarrier-private-expedited', '--quiet'];
const gate = stats(timeProcess([CLI, ...GATE_ARGS], 7));
figure('check --require m-p-e (7 runs)', gate, node.median);
const ratio = (name: string, s: ReturnType<typeof stats>, target: number) => {
  const r = s.median / node.median;
  console.log(
    `ratio: ${name} / node -e 0 = ${r.toFixed(2)}x (target <= ${target}x: ${r <= target ? 'met' : 'NOT met'}; ` +
      `medians ${s.median.toFixed(0)} / ${node.median.toFixed(0)} ms)`,
  );
};
ratio('inspect --json', json, 3);
ratio('check --require membarrier-private-expedited', gate, 7);
console.log(
  `target: check <= 1500 ms with Node start-up: ${gate.max <= 1500 ? 'met' : 'NOT met'} (max ${gate.max.toFixed(0)} ` +
    `ms)`,
);
// Another checkout (the commit before a change) timed in the same run, so its ratios compare.
const before = process.env.BENCH_BEFORE;
if (before) {
  const bJson = stats(timeProcess([before, 'inspect', '--json'], RUNS));
  const bGate = stats(timeProcess([before, ...GATE_ARGS], 7));
  ratio(`before: inspect --json (${before})`, bJson, 3);
  ratio('before: check --require membarrier-private-expedited', bGate, 7);
}
console.log('');

// A default run in a child of its own, so that its peak RSS is its own: VmHWM, the new mm's
// high-water mark. Not ru_maxrss: Linux carries it over fork and exec, so a child of this (large)
// bench process would report the bench's own RSS as its floor.
const child = spawnSync(
  process.execPath,
  [
    '--input-type=module',
    '-e',
    `
  import { runProbe } from ${JSON.stringify(join(ROOT, 'dist', 'probe', 'index.js'))};
  import { readFileSync } from 'node:fs';
  const r = await runProbe({ readers: 1 });
  const rssKb = Number(/VmHWM:\\s*(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
  process.stdout.write(JSON.stringify({ rssKb, report: r }));`,
  ],
  { encoding: 'utf8', maxBuffer: 1 << 28 },
);
if (child.status !== 0) throw new Error(`default run failed: ${child.stderr}`);
const { rssKb, report } = JSON.parse(child.stdout) as { rssKb: number; report: RunReport };
const res = report.results;
const shareOf = (id: string) => res.strategies[id]?.mechanism?.interruptedShare?.toFixed(4);
const cpu = `${report.system.cpus.vendor} ${report.system.cpus.modelName}`;
console.log(
  `default run at one reader on ${cpu}: ${(res.elapsedMs / 1000).toFixed(1)} s (target < 20 ` +
    `s: ${res.elapsedMs < 20000 ? 'met' : 'NOT met'}), ` +
    `peak RSS ${(rssKb / 1024).toFixed(0)} MB (target <= 80 MB: ${rssKb / 1024 <= 80 ? 'met' : 'NOT met'})`,
);

for (const id of ['null-syscall', 'mprotect-untouched']) {
  const share = res.controls[id]?.mechanism?.interruptedShare ?? null;
  console.log(
    `${id} interrupted share: ${share === null ? 'n/a' : share.toFixed(4)} (target <= ` +
      `0.05: ${share !== null && share <= 0.05 ? 'met' : 'NOT met'}); ` +
      `membarrier-private-expedited ${shareOf('membarrier-private-expedited')}, mprotect ${shareOf('mprotect')}`,
  );
}

// Witness rate of the positive control with the run's own calibration, several runs.
const engine = requireEngine();
const cal = res.calibration!;
engine.selectTimebase(cal.timebase.source === 'cycles');
const wps: number[] = [];
for (let i = 0; i < 5; i++) {
  const r = await engine.runPhase({
    strategy: 'none',
    writerCpu: res.cpus.writer,
    readerCpus: res.cpus.readers,
    stuffLines: cal.stuffLines,
    offsetNs: cal.offsetNs,
    jitterNs: cal.jitterNs,
    leadNs: cal.leadNs,
    budgetMs: 1000,
    maxTrials: 2e6,
    gapSpinNs: cal.gapThresholdNs.spin,
    gapTrialNs: cal.gapThresholdNs.trial,
  });
  wps.push(witnessesPerSec(r));
}
const target = WITNESS_TARGET[report.system.cpus.vendor ?? ''];
console.log(
  `positive control: ${median(wps).toFixed(0)} r0=r1=0 witnesses/s (median of 5; min ${Math.min(...wps).toFixed(0)}` +
    `) on ${cpu}; ` +
    (target ? `target ${target}/s: ${median(wps) >= target ? 'met' : 'NOT met'}` : 'no reference figure for this CPU'),
);

// Each heavy strategy against a plain C loop calling it, measured now.
const dir = mkdtempSync(join(tmpdir(), 'mbp-bench-'));
const ref = join(dir, 'reference');
const cc = spawnSync('cc', ['-O2', '-o', ref, join(ROOT, 'bench', 'reference.c'), '-lpthread'], { encoding: 'utf8' });
if (cc.status !== 0) throw new Error(`building bench/reference.c: ${cc.stderr}`);
console.log(
  `\n${'strategy'.padEnd(40)}${'p50 ns'.padStart(9)}${'C p50'.padStart(9)}${'diff'.padStart(8)}` +
    `${'trials/s'.padStart(10)}${'C calls/s'.padStart(11)}${'ratio'.padStart(7)}${'C all/s'.padStart(10)}`,
);
for (const id of HEAVY) {
  const e = res.strategies[id];
  if (!e || e.status !== 'ok' || !e.latencyNs) {
    console.log(`${id.padEnd(40)}not run (${e?.status ?? 'absent'})`);
    continue;
  }
  const out = spawnSync(ref, [id, String(res.cpus.writer), String(res.cpus.readers[0]), String(C_CALLS[id] ?? 30000)], {
    encoding: 'utf8',
  });
  if (out.status !== 0) {
    console.log(`${id.padEnd(40)}reference failed: ${out.stderr.trim()}`);
    continue;
  }
  const [cP50, cAll, cRate] = out.stdout.trim().split(' ').map(Number);
  const diff = (e.latencyNs.p50 - cP50) / cP50;
  const ratio = e.rates.trialsPerSec / cRate;
  console.log(
    `${id.padEnd(40)}${e.latencyNs.p50.toFixed(0).padStart(9)}${String(cP50).padStart(9)}` +
      `${`${(diff * 100).toFixed(1)}%`.padStart(8)}` +
      `${e.rates.trialsPerSec.toFixed(0).padStart(10)}${cRate.toFixed(0).padStart(11)}` +
      `${ratio.toFixed(2).padStart(7)}${cAll.toFixed(0).padStart(10)}` +
      `  ${Math.abs(diff) <= 0.15 ? 'latency ok' : 'LATENCY OFF'}, ${ratio >= 0.8 ? 'rate ok' : 'RATE LOW'}`,
  );
}

// Peak RSS and wall at 1, 3 and 7 readers in an 8-vCPU guest (bench/guest.ts, about 90 s;
// `npm run bench -- --no-guest` leaves it out).
const guest = process.argv.includes('--no-guest') ? [] : await (await import('./guest.js')).benchGuest();
// Peak RSS at 1, 7, 63 and 383 readers on this machine (bench/readers-rss.ts), about 20 s.
const host = (await import('./readers-rss.js')).benchReadersRss();
// The model for big hosts: the guest's highest peak of a whole default run (1, 3 or 7 readers)
// plus what going from 7 readers to R costs here (threads, SB slots, per-reader records, the
// report's rendering), measured with that many real reader threads; recorded gaps, bounded at
// 2^20 of 24 B per phase, are added as the worst case (they are a few thousand in these runs).
const at7 = host.find((x) => x.R === 7);
if (guest.length && at7) {
  const top = Math.max(...guest.map((g) => g.kb));
  for (const r of host.filter((x) => x.R > 7)) {
    const kb = top + (r.totalKb - at7.totalKb);
    const worst = kb + (24 * 2 ** 20) / 1024;
    console.log(
      `model: ${r.R} readers: ${(kb / 1024).toFixed(0)} MB (guest peak ${(top / 1024).toFixed(0)} MB ` +
        `+ ${((r.totalKb - at7.totalKb) / 1024).toFixed(0)} MB ` +
        `measured here from 7 to ${r.R} readers), ${(worst / 1024).toFixed(0)} MB with every gap slot written ` +
        `(target 150 MB: ${worst / 1024 <= 150 ? 'met' : 'NOT met'})`,
    );
  }
}
