// Environment traps produced for real: inspect under strace must name the tracer, and inspect in a
// cgroup with a small CPU quota must report that quota. The cgroup is created beside this
// process's own (v2 cpu.max, or v1 CFS files on a hybrid host) and removed afterwards.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cpuCgroupDir } from '../../probe/inspect/traps.js';
import { CLI, runJson, ROOT } from '../helpers/run-cli.js';

const ensure = spawnSync(join(ROOT, 'scripts', 'ensure-debian.sh'), ['strace'], { encoding: 'utf8', timeout: 300_000 });

test('inspect under strace names the tracer', () => {
  assert.is(ensure.status, 0, `ensure-debian.sh strace: ${ensure.stderr}`);
  const r = runJson(['inspect'], { wrap: ['strace', '-f', '-o', '/dev/null'] });
  assert.is(r.system.traps.tracer?.comm, 'strace');
  assert.ok(r.system.traps.tracer.pid > 0);
  assert.is(r.system.process.tracerPid, r.system.traps.tracer.pid);
});

test('inspect without a tracer reports none', () => {
  assert.is(runJson(['inspect']).system.traps.tracer, null);
});

// Prepares a child cgroup limited to 20 ms per 100 ms, or says why it cannot.
function makeLimitedCgroup(): { dir: string; version: 1 | 2 } | string {
  try {
    const where = cpuCgroupDir(readFileSync('/proc/self/cgroup', 'utf8'), readFileSync('/proc/self/mountinfo', 'utf8'));
    if (!where) return "no cpu controller mount holds this process's cgroup";
    const dir = join(where.dir, `mbp-test-${process.pid}`);
    mkdirSync(dir);
    try {
      if (where.version === 2) writeFileSync(join(dir, 'cpu.max'), '20000 100000');
      else {
        writeFileSync(join(dir, 'cpu.cfs_period_us'), '100000');
        writeFileSync(join(dir, 'cpu.cfs_quota_us'), '20000');
      }
    } catch (err) {
      rmdirSync(dir);
      throw err;
    }
    return { dir, version: where.version };
  } catch (err) {
    return (err as Error).message;
  }
}

const cg = makeLimitedCgroup();
if (typeof cg === 'string') {
  console.log(`cgroup quota test skipped: cannot create a limited cgroup here: ${cg}`);
  test.skip('inspect inside a cgroup with a small CPU quota reports it', () => {});
} else {
  test(`inspect inside a cgroup v${cg.version} with a small CPU quota reports it`, () => {
    try {
      // The shell moves itself into the cgroup, then becomes the CLI, so only that process is limited.
      const r = spawnSync(
        'sh',
        ['-c', `echo $$ > "${cg.dir}/cgroup.procs" && exec "${process.execPath}" "${CLI}" inspect --json`],
        { encoding: 'utf8', timeout: 60_000 },
      );
      assert.is(r.status, 0, r.stderr);
      const q = JSON.parse(r.stdout).system.traps.cpuQuota;
      assert.equal(
        { quotaUs: q.quotaUs, periodUs: q.periodUs, cgroup: q.cgroup, version: q.version },
        { quotaUs: 20000, periodUs: 100000, cgroup: cg.dir, version: cg.version },
      );
      assert.ok(Math.abs(q.cpus - 0.2) < 1e-9);
    } finally {
      rmdirSync(cg.dir); // the CLI has exited, so the cgroup is empty
    }
  });
}

test.run();
