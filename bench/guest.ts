// `npm run bench -- --guest` (or `node dist/bench/guest.js`): how wall time and peak RSS grow
// with the readers, where this 2-CPU machine cannot go: one 8-vCPU x86 guest (scripts/guest/,
// Linux 6.12 under TCG) runs a default run (15 s) with `--readers 1`, `3` and `7`, and the cost of a
// reader is the peak RSS difference per added reader. Figures only, no assertion; a command that
// crashed or hung is printed as such.
//
// The figures are carried to 63 and 383 readers in bench/index.ts, with the growth from 7 readers
// that bench/readers-rss.ts measures on this machine (a guest of that size does not fit here).
import { runGuest, type GuestSpec } from '../scripts/guest/suite.js';

export interface GuestRss {
  readers: number;
  kb: number;
}

export async function benchGuest(): Promise<GuestRss[]> {
  const spec: GuestSpec = {
    name: 'bench-x86-6.12-8cpu',
    arch: 'x86',
    kernel: 'x86-6.12',
    vcpus: 8,
    commands: [1, 3, 7].map((r) => ({
      id: `readers-${r}`,
      kind: 'run' as const,
      readers: r,
      timeoutMs: 120_000,
      args: ['run', '--readers', String(r), '--json', '--no-save'],
    })),
  };
  const g = await runGuest(spec, { log: (l) => console.log(`  ${l}`) });
  if (g.emulatorFailure) {
    console.log(`guest bench: ${g.emulatorFailure}`);
    return [];
  }
  console.log(`\nguest: 8 vCPUs (${g.readyInfo?.release}), boot ${((g.bootMs ?? 0) / 1000).toFixed(1)} s`);
  console.log(
    `${'readers'.padEnd(9)}${'exit'.padStart(6)}${'wall s'.padStart(8)}${'peak RSS MB'.padStart(13)}` +
      `${'report'.padStart(8)}`,
  );
  const ok: { readers: number; kb: number; calls: number; gaps: number }[] = [];
  for (const c of g.commands) {
    const ended = c.signal !== null ? `sig ${c.signal}` : c.timedOut ? 'hung' : String(c.exit);
    console.log(
      `${String(c.readers).padEnd(9)}${ended.padStart(6)}${(c.wallMs / 1000).toFixed(1).padStart(8)}` +
        `${(c.peakRssKb / 1024).toFixed(1).padStart(13)}${(c.complete ? 'yes' : 'no').padStart(8)}`,
    );
    if (c.exit === 0 && c.complete && c.readers !== undefined) {
      const phases = [
        ...Object.values(c.report.results.strategies),
        ...Object.values(c.report.results.controls),
      ] as any[];
      const calls = phases.reduce((n, e) => n + (e.latencyNs?.calls ?? 0), 0);
      const gaps = phases.reduce(
        (n, e) => n + (e.mechanism?.perReader ?? []).reduce((k: number, r: any) => k + (r.gaps ?? 0), 0),
        0,
      );
      ok.push({ readers: c.readers, kb: c.peakRssKb, calls, gaps });
    }
  }
  for (const id of g.notRun) console.log(`${id}: no record (the guest died or was killed first)`);
  if (ok.length < 2) {
    console.log('peak RSS per added reader: n/a (fewer than two runs ended with a complete report)');
    return ok;
  }
  const a = ok[0]!,
    b = ok[ok.length - 1]!;
  const perReader = ((b.kb - a.kb) * 1024) / (b.readers - a.readers);
  // A run with one reader makes many more calls than one with seven (each phase's evidence is
  // bounded by calls, not readers), so the difference can be below the run-to-run noise.
  console.log(
    `peak RSS per added reader (${a.readers} -> ${b.readers}): ${perReader.toFixed(0)} bytes` +
      `${perReader < 0 ? ' (below the run-to-run noise: the one-reader run made more calls)' : ''}`,
  );
  for (const o of ok) {
    console.log(
      `  ${o.readers} readers: ${o.calls} heavy calls, ${o.gaps} recorded gaps in all phases; ` +
        `native per call: ${WINDOW_B} B window + ${(o.readers / 8).toFixed(2)} B on-CPU bits; per gap ${GAP_B} B`,
    );
  }
  return ok;
}

const WINDOW_B = 16,
  GAP_B = 24;

// Run directly: node dist/bench/guest.js
if (process.argv[1]?.endsWith('/bench/guest.js')) await benchGuest();
