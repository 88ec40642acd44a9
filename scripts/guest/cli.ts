// npm run guest [-- --guest NAME,...] [--verbose]: runs the multi-CPU suite in each guest, one at
// a time, prints a table per guest and command, and writes everything to
// .cache/guest/results/latest.json (git-ignored).
//
// npm run guest -- --vcpus N [--arch x86|arm64] [--kernel KEY] -- ARGS...: one probe command in a
// guest with N vCPUs; prints {exit, signal, wallMs, peakRssKb} and the report's top-level keys.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE, type Arch } from './host.js';
import { GUESTS, runGuest, runInGuest, type GuestResult } from './suite.js';

function fail(msg: string): never {
  process.stderr.write(`guest: ${msg}\n`);
  process.exit(2);
}

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const own = sep < 0 ? argv : argv.slice(0, sep);
const probeArgs = sep < 0 ? [] : argv.slice(sep + 1);
const opt: Record<string, string | true> = {};
for (let i = 0; i < own.length; i++) {
  const a = own[i];
  if (a === '--verbose') opt.verbose = true;
  else if (['--guest', '--vcpus', '--arch', '--kernel'].includes(a)) {
    if (i + 1 >= own.length) fail(`${a} needs a value`);
    opt[a.slice(2)] = own[++i];
  } else if (a === '--help') {
    process.stdout.write(
      `usage: guest [--guest ${GUESTS.map((g) => g.name).join(',')}] [--verbose]\n       guest --vcpus N [--arch ` +
        `x86|arm64] [--kernel x86-6.12|x86-6.1|arm64-6.12] -- PROBE-ARGS...\n`,
    );
    process.exit(0);
  } else fail(`unknown option ${a} (try --help)`);
}
const echo = opt.verbose ? (t: string) => void process.stderr.write(t) : undefined;

const mb = (kb: number | null | undefined) => (kb ? (kb / 1024).toFixed(0) : '-');
const sec = (ms: number | null | undefined) => (ms === null || ms === undefined ? '-' : (ms / 1000).toFixed(1));

function table(results: GuestResult[]): string {
  const lines: string[] = [];
  const rows: string[][] = [['guest', 'command', 'exit', 'wall s', 'peak RSS MB', 'complete', 'bar', 'notes']];
  for (const g of results) {
    if (g.emulatorFailure) {
      rows.push([g.name, '(boot)', '-', '-', '-', '-', '-', 'EMULATOR FAILURE before init was ready, twice']);
      continue;
    }
    rows.push([
      g.name,
      '(boot)',
      '-',
      sec(g.bootMs),
      '-',
      '-',
      '-',
      `${g.attempts.length} attempt(s), ${g.readyInfo?.nproc} CPUs, ${g.readyInfo?.release}` +
        `${g.done ? '' : `, SUITE NOT DONE: ${g.ended}`}`,
    ]);
    for (const c of g.commands) {
      const notes = [
        c.signal !== null ? `killed by signal ${c.signal}` : '',
        c.timedOut ? 'TIMED OUT' : '',
        c.reportError ?? '',
        c.missing.length && c.report ? `missing ${c.missing.join(', ')}` : '',
        c.report?.results?.cancelled ? 'interrupted' : '',
      ]
        .filter(Boolean)
        .join('; ');
      rows.push([
        g.name,
        c.id,
        c.exit === null ? '-' : String(c.exit),
        sec(c.wallMs),
        mb(c.peakRssKb),
        c.complete ? 'yes' : 'NO',
        c.kind === 'run' ? (c.progressBar ? 'yes' : 'no') : '',
        notes,
      ]);
    }
    for (const id of g.notRun)
      rows.push([g.name, id, '-', '-', '-', 'NO', '', 'no record: the guest died or was killed first']);
  }
  for (const g of results) {
    for (const c of g.commands)
      if (c.crashTrace.length) lines.push(`\n${g.name} ${c.id} crash trace:\n  ${c.crashTrace.join('\n  ')}`);
  }
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return (
    rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]))).join('  ')).join('\n') + lines.join('\n')
  );
}

async function main() {
  if (opt.vcpus !== undefined) {
    const vcpus = Number(opt.vcpus);
    if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > 64) fail(`--vcpus must be an integer 1..64, got ${opt.vcpus}`);
    if (!probeArgs.length) fail('give the probe command after --, e.g. -- run --readers 3 --json --no-save');
    const arch = (opt.arch ?? 'x86') as Arch;
    if (arch !== 'x86' && arch !== 'arm64') fail(`--arch must be x86 or arm64, got ${arch}`);
    const kernels = arch === 'x86' ? ['x86-6.12', 'x86-6.1'] : ['arm64-6.12'];
    if (typeof opt.kernel === 'string' && !kernels.includes(opt.kernel))
      fail(`--kernel for ${arch} is one of ${kernels.join(', ')}, got ${opt.kernel}`);
    const r = await runInGuest(probeArgs, vcpus, {
      arch,
      kernel: typeof opt.kernel === 'string' ? opt.kernel : undefined,
      echo,
    });
    const reportKeys = r.report ? Object.keys(r.report) : null;
    const line = {
      exit: r.exit,
      signal: r.signal,
      wallMs: r.wallMs,
      peakRssKb: r.peakRssKb,
      bootMs: r.result.bootMs,
      reportKeys,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return;
  }
  const names = typeof opt.guest === 'string' ? opt.guest.split(',') : GUESTS.map((g) => g.name);
  for (const n of names)
    if (!GUESTS.some((g) => g.name === n)) fail(`unknown guest ${n} (have ${GUESTS.map((g) => g.name).join(', ')})`);
  const results: GuestResult[] = [];
  for (const g of GUESTS.filter((x) => names.includes(x.name))) results.push(await runGuest(g, { echo }));
  const file = join(CACHE, 'results', 'latest.json');
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), results }, null, 1)}\n`);
  process.stdout.write(`${table(results)}\n\nfull results: ${file}\n`);
}

main().catch((e) => {
  process.stderr.write(`guest: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
