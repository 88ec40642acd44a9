// `npm run bench -- --guest` (or `node dist/bench/guest.js`): how wall time and peak RSS grow
// with the readers, where this 2-CPU machine cannot go: one 8-vCPU x86 guest (scripts/guest/,
// Linux 6.12 under TCG) runs `run --readers 1`, `3` and `7` (6 s each), and the cost of a reader
// is the peak RSS difference per added reader. Figures only, no assertion; a command that crashed
// or hung is printed as such.
import { runGuest, type GuestSpec } from '../scripts/guest/suite.js';

export async function benchGuest(): Promise<void> {
  const spec: GuestSpec = {
    name: 'bench-x86-6.12-8cpu', arch: 'x86', kernel: 'x86-6.12', vcpus: 8,
    commands: [1, 3, 7].map((r) => ({
      id: `readers-${r}`, kind: 'run' as const, readers: r, timeoutMs: 120_000,
      args: ['run', '--readers', String(r), '--duration', '6', '--json', '--no-save'],
    })),
  };
  const g = await runGuest(spec, { log: (l) => console.log(`  ${l}`) });
  if (g.emulatorFailure) {
    console.log(`guest bench: ${g.emulatorFailure}`);
    return;
  }
  console.log(`\nguest: 8 vCPUs (${g.readyInfo?.release}), boot ${((g.bootMs ?? 0) / 1000).toFixed(1)} s`);
  console.log(`${'readers'.padEnd(9)}${'exit'.padStart(6)}${'wall s'.padStart(8)}${'peak RSS MB'.padStart(13)}${'report'.padStart(8)}`);
  const ok: { readers: number; kb: number }[] = [];
  for (const c of g.commands) {
    const ended = c.signal !== null ? `sig ${c.signal}` : c.timedOut ? 'hung' : String(c.exit);
    console.log(`${String(c.readers).padEnd(9)}${ended.padStart(6)}${(c.wallMs / 1000).toFixed(1).padStart(8)}${(c.peakRssKb / 1024).toFixed(1).padStart(13)}${(c.complete ? 'yes' : 'no').padStart(8)}`);
    if (c.exit === 0 && c.complete && c.readers !== undefined) ok.push({ readers: c.readers, kb: c.peakRssKb });
  }
  for (const id of g.notRun) console.log(`${id}: no record (the guest died or was killed first)`);
  if (ok.length >= 2) {
    const a = ok[0], b = ok[ok.length - 1];
    console.log(`peak RSS per added reader (${a.readers} -> ${b.readers}): ${(((b.kb - a.kb) * 1024) / (b.readers - a.readers)).toFixed(0)} bytes`);
  } else {
    console.log('peak RSS per added reader: n/a (fewer than two runs ended with a complete report)');
  }
}

// Run directly: node dist/bench/guest.js
if (process.argv[1]?.endsWith('/bench/guest.js')) await benchGuest();
