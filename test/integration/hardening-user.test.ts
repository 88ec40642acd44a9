// The hardening matrix, part 1b: a private mount namespace hiding /proc/interrupts, and another
// user id (rows 1-4 in hardening-env.test.ts, the helpers in test/helpers/hardening.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadReport } from '../../probe/report-file.js';
import type { Finding } from '../../probe/codes.js';
import { CLI, ROOT } from '../helpers/run-cli.js';
import { cli, json, row, twoCpus, within, works } from '../helpers/hardening.js';

// ---- row 5: /proc/interrupts hidden in a private mount namespace ----
const HIDE = ['unshare', '-m', 'sh', '-c', 'mount --bind /dev/null /proc/interrupts && exec "$0" "$@"'];
row(
  '5. /proc/interrupts hidden (unshare -m, bind /dev/null): gap test alone, membarrier still interrupts every reader',
  twoCpus ?? works('unshare', ['-m', 'true']) ?? works(HIDE[0], [...HIDE.slice(1), 'true']),
  () => {
    const r = cli(['run', '--json', '--no-save', '--duration', '3', '--strategies', 'membarrier-private-expedited'], {
      wrap: HIDE,
      timeoutMs: 30_000,
    });
    within(r, 7000, 'run');
    assert.is(r.status, 0, r.stderr);
    const rep = json(r);
    assert.is(rep.system.interrupts.readable, false, 'the probe saw /proc/interrupts hidden');
    const e = rep.results.strategies['membarrier-private-expedited'];
    assert.is(e.status, 'ok');
    assert.is(e.mechanism.irqPerCall, null);
    assert.is(e.mechanism.irqReadable, false);
    assert.ok(
      rep.analysis.notes.some((n: Finding) => n.code === 'irq-unreadable'),
      JSON.stringify(rep.analysis.notes),
    );
    assert.ok(e.mechanism.interruptedShare >= 0.99, `interruptedShare ${e.mechanism.interruptedShare}`);
    for (const c of Object.values(rep.results.controls) as any[])
      assert.is(c.mechanism?.irqPerCall ?? null, null, c.id);

    const ins = cli(['inspect', '--json'], { wrap: HIDE, timeoutMs: 15_000 });
    within(ins, 5000, 'inspect');
    assert.is(ins.status, 0, ins.stderr);
    const i = json(ins).system.interrupts;
    assert.is(i.readable, false);
    assert.ok(typeof i.error === 'string' && i.error.length > 0, 'says why');
    assert.equal(i.rows, []);
  },
);

// ---- row 8: an unprivileged user ----
const UID = 65534;
const AS_USER = ['setpriv', `--reuid=${UID}`, `--regid=${UID}`, '--clear-groups'];
function userWhy(): string | null {
  if (twoCpus) return twoCpus;
  if (process.getuid?.() !== 0) return 'not root: cannot switch to another uid';
  const need = [
    CLI,
    join(ROOT, 'build', 'Release', 'membarrier_probe.node'),
    join(ROOT, 'node_modules', 'yargs', 'package.json'),
    process.execPath,
  ];
  const r = spawnSync(
    AS_USER[0],
    [...AS_USER.slice(1), 'sh', '-c', 'for f in "$@"; do test -r "$f" || { echo "$f"; exit 1; }; done', 'sh', ...need],
    { encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL' },
  );
  if (r.error) return `setpriv: ${r.error.message}`;
  if (r.status !== 0) return `uid ${UID} cannot read ${r.stdout.trim() || r.stderr.trim()}`;
  return works(AS_USER[0], [...AS_USER.slice(1), process.execPath, CLI, '--version']);
}
const listing = (dir: string) => readdirSync(dir).sort();
const ownedBy = (dir: string, uid: number) =>
  readdirSync(dir)
    .filter((f) => {
      try {
        return statSync(join(dir, f)).uid === uid;
      } catch {
        return false;
      }
    })
    .sort();

row(`8. as uid ${UID} (setpriv): check passes, run writes only inside its --out folder`, userWhy(), () => {
  const out = mkdtempSync(join(tmpdir(), 'mbp-uid-'));
  try {
    chownSync(out, UID, UID);
    const before = { repo: listing(ROOT), reports: listing(join(ROOT, 'reports')), tmp: ownedBy(tmpdir(), UID) };
    const chk = cli(['check', '--require', 'membarrier-private-expedited', '--json'], {
      wrap: AS_USER,
      timeoutMs: 20_000,
    });
    within(chk, 5000, 'check');
    assert.is(chk.status, 0, chk.stderr);
    assert.is(json(chk).met, true);

    // One strategy: the whole 3 s is its evidence (with every strategy, a loaded machine left PRIVATE_EXPEDITED too
    // few calls for a verdict, and this row is about where a user's run writes, not about evidence power).
    const run = cli(['run', '--duration', '3', '--strategies', 'membarrier-private-expedited', '--out', out], {
      wrap: AS_USER,
      timeoutMs: 30_000,
    });
    within(run, 8000, 'run');
    assert.is(run.status, 0, run.stderr);
    assert.match(run.stderr, new RegExp(`saved ${out}/\\S+\\.json and ${out}/\\S+\\.md`));
    const files = listing(out);
    assert.is(files.length, 2, files.join(' '));
    assert.ok(
      files.every((f) => /\.(json|md)$/.test(f) && !f.startsWith('.')),
      files.join(' '),
    );
    for (const f of files) assert.is(statSync(join(out, f)).uid, UID, `${f} is owned by the user`);
    const rep = loadReport(
      join(
        out,
        files.find((f) => f.endsWith('.json'))!,
      ),
    );
    assert.is(rep.analysis.verdicts['membarrier-private-expedited'].verdict, 'verified');
    assert.equal(listing(ROOT), before.repo, 'nothing new in the repository');
    assert.equal(listing(join(ROOT, 'reports')), before.reports, 'nothing new in reports/');
    assert.equal(
      ownedBy(tmpdir(), UID).filter((f) => join(tmpdir(), f) !== out),
      before.tmp.filter((f) => join(tmpdir(), f) !== out),
      `no other file of uid ${UID} in ${tmpdir()}`,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test.run();
