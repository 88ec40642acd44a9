// Part of `npm run bench` (or `node dist/bench/readers-rss.js` alone): peak RSS at 1, 7, 63 and
// 383 readers, on this machine, where no guest of that size can run. Each count runs in a fresh
// Node process in two parts:
// - native: the phases a run is made of (the positive control with stuffing, PRIVATE_EXPEDITED,
//   mprotect, getpid, a delay-matched spin), 250 ms each, with R reader threads. With fewer CPUs
//   than readers they share CPUs (the engine pins each to the CPU it is given), so the threads, SB
//   slots, gap stores and the stuffing buffer are all really allocated and touched; only their
//   timing is not a big host's.
// Peak RSS is VmHWM (the process's own mm's high-water mark), not ru_maxrss, which Linux carries
// over fork and exec from the (large) bench process.
// - JS: the recorded 2-vCPU report with its one reader copied to R readers (test/unit/expand.ts),
//   analysed and rendered in every format, as the CLI does at the end of a run.
// Then the buffer the engine keeps between phases must be 0 after releaseBuffers().
// Figures only; the target is 150 MB for a whole run at any reader count.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../test/helpers/run-cli.js';

const CHILD = `
const R = Number(process.argv[1]);
const { readFileSync } = await import('node:fs');
const hwm = () => Number(/VmHWM:\\s*(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
const { loadNative } = await import(${JSON.stringify(join(ROOT, 'dist', 'probe', 'native.js'))});
const n = loadNative();
if (!n.ok) { console.log(JSON.stringify({ error: n.reason })); process.exit(0); }
const e = n.addon.engine;
e.selectTimebase(true);
const cpus = Number(process.argv[2]);
const others = cpus > 1 ? Array.from({ length: cpus - 1 }, (_, i) => i + 1) : [0];
const readerCpus = Array.from({ length: R }, (_, i) => others[i % others.length]);
const phases = [
  ['none', 16], ['membarrier-private-expedited', 16], ['mprotect', 16], ['null-syscall', 16], ['delay-matched', 16],
];
let calls = 0;
const t0 = performance.now();
for (const [strategy, stuffLines] of phases) {
  const r = await e.runPhase({
    strategy, writerCpu: 0, readerCpus, stuffLines, delayNs: 15000, budgetMs: 250, maxTrials: 500000,
    gapSpinNs: 2000, gapTrialNs: 8000,
  });
  calls += r.mechanism ? r.mechanism.calls : 0;
}
const nativeMs = performance.now() - t0;
const nativeKb = hwm();
const held = e.buffersHeld();
e.releaseBuffers();
const released = e.buffersHeld();
const { expandReaders, recordedReport, syntheticClasses } =
  await import(${JSON.stringify(join(ROOT, 'dist', 'test', 'unit', 'expand.js'))});
const { buildReport } = await import(${JSON.stringify(join(ROOT, 'dist', 'probe', 'report.js'))});
const { render } = await import(${JSON.stringify(join(ROOT, 'dist', 'probe', 'render', 'index.js'))});
const rec = recordedReport();
const big = expandReaders(rec, syntheticClasses(R, ['same-llc', 'other-llc', 'other-package', 'smt-sibling']));
const report = buildReport({ ...big, kind: 'run' }, []);
let bytes = 0;
for (const f of ['json', 'text', 'markdown', 'html', 'prometheus']) bytes += render(report, f).length;
console.log(JSON.stringify({ R, calls, nativeMs, nativeKb, held, released, totalKb: hwm(), renderedBytes: bytes }));
`;

export interface HostRss {
  R: number;
  nativeKb: number;
  totalKb: number;
}

export function benchReadersRss(): HostRss[] {
  const cpus = availableParallelism();
  console.log(
    `\npeak RSS by reader count on this machine (${cpus} CPUs; readers share CPUs beyond ${cpus - 1}): fresh ` +
      `process each`,
  );
  console.log(
    `${'readers'.padEnd(9)}${'calls'.padStart(8)}${'native s'.padStart(10)}${'native MB'.padStart(11)}` +
      `${'+ JS MB'.padStart(9)}${'held MiB'.padStart(10)}${'after release'.padStart(15)}` +
      `${'rendered MB'.padStart(13)}`,
  );
  const rows: HostRss[] = [];
  for (const R of [1, 7, 63, 383]) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, String(R), String(cpus)], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 300_000,
      killSignal: 'SIGKILL',
      maxBuffer: 1 << 26,
    });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    let o: any;
    try {
      o = JSON.parse(line);
    } catch {
      o = null;
    }
    if (!o || o.error) {
      console.log(
        `${String(R).padEnd(9)}failed: ${o?.error ?? r.error?.message ?? `exit ${r.status} signal ${r.signal}`}` +
          ` ${r.stderr.slice(-300)}`,
      );
      continue;
    }
    rows.push({ R, nativeKb: o.nativeKb, totalKb: o.totalKb });
    console.log(
      `${String(R).padEnd(9)}${String(o.calls).padStart(8)}${(o.nativeMs / 1000).toFixed(1).padStart(10)}` +
        `${(o.nativeKb / 1024).toFixed(1).padStart(11)}` +
        `${(o.totalKb / 1024).toFixed(1).padStart(9)}${(o.held / 2 ** 20).toFixed(0).padStart(10)}` +
        `${String(o.released).padStart(15)}${(o.renderedBytes / 1e6).toFixed(1).padStart(13)}`,
    );
  }
  const one = rows.find((x) => x.R === 1);
  for (const x of rows) {
    if (!one || x.R === 1) continue;
    console.log(
      `  ${x.R} readers: ${(((x.nativeKb - one.nativeKb) * 1024) / (x.R - 1)).toFixed(0)} native bytes and ` +
        `${(((x.totalKb - one.totalKb) * 1024) / (x.R - 1)).toFixed(0)} bytes in all per added reader, against 1 ` +
        `reader`,
    );
  }
  return rows;
}

if (process.argv[1]?.endsWith('/bench/readers-rss.js')) benchReadersRss();
