// --duration bounds the whole run, every phase included (registration, calibration, scaling,
// reader cost, contention), on the real kernel: a short run ends within duration + 10%, and a
// duration too short for the plan ends as promised by skipping the last phases with a note
// (issue 11: scaling and contention used to run outside the budget). Classes with margins that
// hold on a busy 2-vCPU guest; the budget arithmetic for many readers is test/unit/phase-budget.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inspect } from '../../probe/inspect/index.js';
import { loadNative } from '../../probe/native.js';
import { runProbe } from '../../probe/run/index.js';
import { runCli } from '../helpers/run-cli.js';

const wall = (args: string[]) => {
  const t0 = performance.now();
  const r = runCli(args);
  return { ...r, ms: performance.now() - t0 };
};

test("run --duration 4: the CLI ends within 4.4 s plus node's own start and the report's rendering", () => {
  // Outside --duration: starting node and loading the CLI's modules (timed here, now, as
  // --version), then analysing and rendering (~150 ms here). 500 ms covers the latter with room.
  const start = wall(['--version']);
  assert.is(start.status, 0);
  const r = wall(['run', '--json', '--no-save', '--duration', '4', '--seed', '7']);
  assert.is(r.status, 0, r.stderr);
  const rep = JSON.parse(r.stdout);
  const res = rep.results;
  // Inside runProbe (inspect included): the guard's own promise.
  assert.ok(res.elapsedMs <= 4400, `runProbe took ${res.elapsedMs} ms`);
  assert.ok(
    r.ms <= 4400 + start.ms + 500,
    `the CLI took ${Math.round(r.ms)} ms (node start ${Math.round(start.ms)} ms)`,
  );
  // Every planned phase has an outcome, in plan order; what did not run says why.
  const planned = rep.plan.phases.map((p: { key: string }) => p.key);
  assert.equal(
    res.phases.map((p: { key: string }) => p.key),
    planned,
  );
  for (const p of res.phases) if (p.status === 'skipped') assert.ok(p.skip.code && p.skip.reason, p.key);
  // The essential phases come first and are never the ones cut for time.
  for (const p of res.phases.filter((x: { kind: string }) => ['control', 'strategy'].includes(x.kind)))
    assert.is(p.status, 'ran', p.key);
  assert.ok(res.controls.none.sb.violations > 0, 'the positive control relaxed');
  // Contention is in the budget too, and on 2 CPUs only one writer has a CPU of its own.
  if (rep.system.cpus.allowed.length === 2) {
    const c = res.phases.filter((p: { kind: string }) => p.kind === 'contention');
    assert.ok(
      c
        .filter((p: { key: string }) => !p.key.endsWith(':1'))
        .every((p: { skip?: { code: string } }) => p.skip?.code === 'no-cpus'),
    );
    const row = rep.analysis.checks.find((x: { id: string }) => x.id === 'contention');
    assert.match(row.text, /contention with 2 writers not measured: needs 2 CPUs besides the readers' \(1 spare\)/);
  }
});

test(
  'a duration too short for the plan: the last phases are skipped with a note, never run past ' + 'duration + 10%',
  async () => {
    const facts = await inspect();
    const t0 = performance.now();
    // 200 ms: less than calibration's own minimum (36 sweep points of at least 5 ms), whatever this
    // machine's speed, so the guard must end calibration early and skip the rest.
    const rep = await runProbe({ facts, durationMs: 200, seed: 7 });
    const ms = performance.now() - t0;
    // Margin: the engine's threads notice the capped hard deadline on their next check and are
    // joined, and the online CPU list is read once more (a few ms here; 150 ms of room).
    assert.ok(ms <= 220 + 150, `took ${Math.round(ms)} ms`);
    const late = rep.results.phases!.filter((p) => p.skip?.code === 'late');
    assert.ok(late.length > 0, 'some phases were cut');
    assert.ok(
      rep.results.notes.some((n) => n.code === 'running-late'),
      rep.results.notes.map((n) => n.code).join(', '),
    );
    assert.match(rep.plan.phaseBudget!.overBudget!, /--duration 0\.2 s is short/);
    assert.is(rep.results.phases!.length, rep.plan.phases!.length);
  },
);

test('native buffers are freed when a run ends: the engine holds no stuffing buffer after runProbe', async () => {
  const n = loadNative();
  if (!n.ok) throw new Error(n.reason);
  const e = n.addon.engine;
  // A phase that stores to cold lines leaves the engine holding its buffer (kept between phases).
  const cpus = (await inspect()).cpus.allowed!;
  const W = cpus[0]!,
    R = cpus[1] ?? cpus[0]!;
  e.selectTimebase(true);
  const ph = await e.runPhase({ strategy: 'none', writerCpu: W, readerCpus: [R], stuffLines: 8, budgetMs: 20 });
  assert.is(ph.status, 'ok');
  assert.ok(e.buffersHeld() >= 16 * 2 ** 20, `held ${e.buffersHeld()} bytes after a stuffing phase`);
  const rep = await runProbe({ durationMs: 1500, seed: 7, strategies: ['membarrier-private-expedited'] });
  assert.ok((rep.results.controls.none?.sb.trials ?? 0) > 0, 'the run ran phases');
  assert.is(e.buffersHeld(), 0);
});

test.run();
