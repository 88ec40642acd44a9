// Hazards of a phase that does not end on its own: a heavy call blocked in the kernel (the
// watchdog must turn it into a timeout instead of hanging the engine), and the delay-matched
// control's spin, which once ran on the cycle counter against a delay in the engine's ticks (a
// third of the delay under the clock_gettime timebase, and no end where the arch has no counter).
// Both on the real kernel; the block is a real poll(2) inside the writer's first call.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inspect } from '../../probe/inspect/index.js';
import { loadNative } from '../../probe/native.js';

const n = loadNative();
if (!n.ok) throw new Error(`native addon unavailable: ${n.reason}`);
const e = n.addon.engine;
// Two distinct CPUs of this process's when there are any; the engine also accepts a reader on the writer's CPU.
const allowed = (await inspect()).cpus.allowed!;
const W = allowed[0]!,
  R = allowed[1] ?? allowed[0]!;

test(
  'a writer blocked in the kernel past the phase deadline: timeout by the watchdog, and the engine ' +
    'runs the next phase',
  async () => {
    e.selectTimebase(true);
    const t = performance.now();
    const r = await e.runPhase({
      strategy: 'null-syscall',
      writerCpu: W,
      readerCpus: [R],
      budgetMs: 50,
      hardMs: 300,
      debugStallMs: 6000,
    });
    const ms = performance.now() - t;
    assert.is(r.status, 'timeout');
    assert.match(r.what, /watchdog/);
    // hardMs 300 + the watchdog's 1 s grace, far below the 6 s block.
    assert.ok(ms > 1000 && ms < 4000, `returned after ${ms.toFixed(0)} ms`);
    const next = await e.runPhase({ strategy: 'null-syscall', writerCpu: W, readerCpus: [R], budgetMs: 50 });
    assert.is(next.status, 'ok');
    assert.ok(next.trials > 0);
  },
);

for (const cycles of [true, false]) {
  test(
    `delay-matched spins for the delay asked, on the ${cycles ? 'cycle counter' : 'clock_gettime'} ` + `timebase`,
    async () => {
      const tb = e.selectTimebase(cycles);
      const r = await e.runPhase({
        strategy: 'delay-matched',
        delayNs: 20_000,
        writerCpu: W,
        readerCpus: [R],
        budgetMs: 100,
        gapSpinNs: 5000,
        gapTrialNs: 10000,
      });
      assert.is(r.status, 'ok', `${tb.source}: ${r.status} ${r.what}`);
      const p50 = r.latency!.p50;
      // At least the delay (a third of it was the old defect); preemption can only lengthen it.
      assert.ok(p50 >= 19_000 && p50 < 60_000, `${tb.source}: p50 ${p50.toFixed(0)} ns for a 20,000 ns delay`);
    },
  );
}

test.after(() => {
  e.selectTimebase(true);
  e.releaseBuffers();
});

test.run();
