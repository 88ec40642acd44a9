// CPU hotplug during a run, for real: a CPU the run uses is taken offline (sysfs, as root) while the
// phases run, and brought back afterwards whatever happens. The run must survive (its reader is
// migrated off the dead CPU), compare the online set before and after, and call every verdict
// inconclusive, with the checklist row saying why. Skipped, with the reason printed, where the
// CPU cannot be taken offline (a read-only /sys, not root, one CPU).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { parseCpuList } from '../../probe/inspect/cpulist.js';
import { CLI } from '../helpers/run-cli.js';
import { testUnless } from '../helpers/skip.js';

const online = parseCpuList(readFileSync('/sys/devices/system/cpu/online', 'utf8'));
const victim = online.filter((c) => c !== 0).pop();
const control = victim === undefined ? null : `/sys/devices/system/cpu/cpu${victim}/online`;

function why(): string | null {
  if (control === null) return 'fewer than two online CPUs';
  try {
    accessSync(control, constants.W_OK);
  } catch (e) {
    return `${control} is not writable (${(e as NodeJS.ErrnoException).code})`;
  }
  return null;
}

function runWhileOffline(): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(
      process.execPath,
      [CLI, 'run', '--json', '--no-save', '--duration', '6', '--strategies', 'membarrier-private-expedited,signals'],
      { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000, killSignal: 'SIGKILL' },
    );
    let stdout = '',
      stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    // Two seconds in, the phases are running on every planned CPU.
    const t = setTimeout(() => {
      try {
        writeFileSync(control!, '0');
      } catch (e) {
        reject(e);
      }
    }, 2000);
    c.on('error', reject);
    c.on('close', (status) => {
      clearTimeout(t);
      resolve({ status, stdout, stderr });
    });
  });
}

testUnless(why(), 'a CPU taken offline mid-run makes every verdict inconclusive, and the probe survives', async () => {
  let r;
  try {
    r = await runWhileOffline();
  } finally {
    writeFileSync(control!, '1');
  }
  assert.is(readFileSync(control!, 'utf8').trim(), '1', 'the CPU is back');
  assert.ok(r.status === 0 || r.status === 3, `exit ${r.status}: ${r.stderr}`);
  const rep = JSON.parse(r.stdout);
  const before = online.join(','),
    after = online.filter((c) => c !== victim).join(',');
  assert.equal(rep.results.onlineCpus, { before, after });
  for (const v of Object.values(rep.analysis.verdicts) as {
    strategy: string;
    verdict: string;
    reasons: { code: string }[];
  }[]) {
    assert.is(v.verdict, 'inconclusive', v.strategy);
    assert.is(v.reasons[0]?.code, 'cpu-set-changed');
  }
  const row = rep.analysis.checks.find((c: { id: string }) => c.id === 'cpu-hotplug');
  assert.is(row.status, 'problem');
  assert.is(rep.recommendation.strategy, null);
});

test.run();
