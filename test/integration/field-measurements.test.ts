// Field knowledge measured on the real kernel: the cost of registering for expedited membarrier
// (single-threaded against multi-threaded), and the heavy barrier's latency when several writers
// issue it at once. Classes with margins that hold on a busy 2-vCPU guest, not exact figures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadNative } from '../../probe/native.js';
import { renderMarkdown } from '../../probe/render/markdown.js';
import { runCli } from '../helpers/run-cli.js';

const n = loadNative();
if (!n.ok) throw new Error(`native addon unavailable: ${n.reason}`);
const addon = n.addon,
  engine = addon.engine;
const cpus = addon.getAffinity().cpus;
const readerCpus = [cpus[cpus.length - 1]];

test('registration cost: measured in a fresh child; in this process a figure or "already registered"', () => {
  const r = addon.measureRegistrationCost(5000);
  assert.ok(r.fresh.ok, JSON.stringify(r.fresh));
  if (r.fresh.ok) assert.ok(r.fresh.ns > 0, `fresh: ${r.fresh.ns} ns`);
  if (r.threaded.ok)
    assert.ok(r.threaded.ns > 0 && typeof r.threaded.note === 'string' && r.threaded.code === 'registration-threaded');
  else assert.is(r.threaded.code, 'already-registered', r.threaded.note);
  // Now registered for sure: a second call must say so rather than time a no-op.
  const again = addon.measureRegistrationCost(5000);
  assert.not.ok(again.threaded.ok);
  assert.is(again.threaded.code, 'already-registered', again.threaded.note);
});

test('registration cost: bad timeouts throw', () => {
  for (const bad of [0, -1, 1.5, 60001, NaN, Infinity])
    assert.throws(
      () => addon.measureRegistrationCost(bad),
      (e: Error) => e instanceof RangeError,
      String(bad),
    );
  assert.throws(
    () => (addon.measureRegistrationCost as (x: unknown) => unknown)('100'),
    (e: Error) => e instanceof TypeError,
  );
});

test(
  'contention: membarrier-private-expedited with 1, 2, 4 writers where CPUs allow; more writers ' +
    'are not much faster',
  async () => {
    const p50: Record<number, number> = {};
    const p99: Record<number, number> = {};
    const spare = cpus.filter((c) => !readerCpus.includes(c));
    for (const writers of [1, 2, 4]) {
      // One CPU per writer, off the reader's, as a run places them; without enough, refused (a run skips that count).
      const writerCpus = spare.slice(0, writers);
      if (spare.length < writers) {
        assert.throws(
          () =>
            engine.runContention({
              strategy: 'membarrier-private-expedited',
              writers,
              readerCpus,
              writerCpus,
              budgetMs: 150,
            }),
          /at least one CPU per writer/,
        );
        continue;
      }
      const r = await engine.runContention({
        strategy: 'membarrier-private-expedited',
        writers,
        readerCpus,
        writerCpus,
        budgetMs: 150,
      });
      assert.is(r.status, 'ok', `${writers}: ${r.what} ${r.errno}`);
      assert.is(r.writers, writers);
      assert.ok(
        r.latency.calls > 50,
        `${writers} writers: ${r.latency.calls} on-CPU calls (${r.descheduledCalls} apart)`,
      );
      // Calls made while the reader was switched out are counted apart: every one left includes an IPI.
      assert.ok(r.latency.p50 > 1000, `${writers} writers: p50 ${r.latency.p50} ns`);
      assert.ok(r.latency.p50 > 0 && r.latency.p99 >= r.latency.p50 && r.latency.max >= r.latency.p99);
      assert.ok(r.elapsedNs < 2000e6, `elapsed ${r.elapsedNs}`);
      p50[writers] = r.latency.p50;
      p99[writers] = r.latency.p99;
    }
    // The kernel serialises expedited calls: sharing them cannot make each one much cheaper (half as
    // margin, for a noisy guest).
    for (const w of [2, 4])
      if (p99[w] !== undefined) assert.ok(p99[w] >= 0.5 * p50[1], `p99 ${p99[w]} (${w}) vs p50 ${p50[1]} (1)`);
    assert.ok(p50[1] !== undefined, 'one writer always has the spare CPU beside the reader');
  },
);

test('contention: pinned writers, and signals is skipped with its reason', async () => {
  const r = await engine.runContention({
    strategy: 'mprotect',
    writers: 1,
    readerCpus,
    writerCpus: [cpus[0]],
    budgetMs: 50,
  });
  assert.is(r.status, 'ok', r.what);
  const s = await engine.runContention({ strategy: 'signals', writers: 2, readerCpus, budgetMs: 50 });
  assert.is(s.status, 'skipped');
  assert.match(s.what, /global acknowledgement counter/);
  assert.is(s.latency.calls, 0);
});

test('contention: bad options throw TypeError or RangeError and start nothing', async () => {
  const base = { strategy: 'membarrier-private-expedited', writers: 1, readerCpus };
  const cases: [unknown, typeof TypeError | typeof RangeError][] = [
    [undefined, TypeError],
    [null, TypeError],
    [[], TypeError],
    ['x', TypeError],
    [{ ...base, strategy: 3 }, TypeError],
    [{ ...base, strategy: 'nope' }, RangeError],
    [{ ...base, writers: undefined }, TypeError],
    [{ ...base, writers: '2' }, TypeError],
    [{ ...base, writers: 0 }, RangeError],
    [{ ...base, writers: 65 }, RangeError],
    [{ ...base, writers: 1.5 }, RangeError],
    [{ ...base, writers: NaN }, RangeError],
    [{ ...base, readerCpus: [] }, RangeError],
    [{ ...base, readerCpus: [-1] }, RangeError],
    [{ ...base, readerCpus: 'all' }, RangeError],
    [{ ...base, writerCpus: [] }, RangeError],
    [{ ...base, writerCpus: [2 ** 40] }, RangeError],
    [{ ...base, budgetMs: 0 }, RangeError],
    [{ ...base, budgetMs: Infinity }, RangeError],
    [{ ...base, budgetMs: '1' }, TypeError],
    [{ ...base, hardMs: -5 }, RangeError],
  ];
  const run = engine.runContention as (o: unknown) => unknown;
  for (const [o, kind] of cases)
    assert.throws(
      () => run(o),
      (e: Error) => e instanceof kind,
      JSON.stringify(o) ?? String(o),
    );
  // Writers never share a CPU with each other or with a reader: refused with the reason, not round-robined.
  const refused: [object, RegExp][] = [
    [{ ...base, writers: 2, writerCpus: [cpus[0]] }, /at least one CPU per writer \(2 writers, 1 CPUs\)/],
    [{ ...base, writers: 2, writerCpus: [cpus[0], cpus[0]] }, new RegExp(`CPU ${cpus[0]} twice`)],
    [{ ...base, writers: 1, writerCpus: readerCpus }, new RegExp(`includes CPU ${readerCpus[0]}, a reader's`)],
  ];
  for (const [o, msg] of refused)
    assert.throws(
      () => run(o),
      (e: Error) => e instanceof RangeError && msg.test(e.message),
      JSON.stringify(o),
    );
  const getter = {
    ...base,
    get budgetMs(): number {
      throw new Error('getter');
    },
  };
  assert.throws(() => run(getter), /getter/);
  // Nothing was claimed: a valid call still runs.
  const r = await engine.runContention({ ...base, budgetMs: 20 });
  assert.is(r.status, 'ok');
});

test('a run reports registration cost and contention, and the Markdown shows them', () => {
  const r = runCli(['run', '--json', '--no-save', '--duration', '6', '--seed', '7']);
  assert.is(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const reg = report.results.registrationCost;
  assert.ok(reg && reg.fresh.ok && reg.fresh.ns > 0, JSON.stringify(reg));
  // A fresh CLI process registers first here, so the threaded figure exists; with more than one
  // CPU online it includes an RCU grace period, far above the single-threaded fast path.
  assert.ok(reg.threaded.ok, JSON.stringify(reg.threaded));
  if (cpus.length > 1)
    assert.ok(reg.threaded.ns > reg.fresh.ns, `threaded ${reg.threaded.ns} vs fresh ${reg.fresh.ns}`);
  const c = report.results.contention;
  assert.ok(c, 'results.contention');
  const mb = c['membarrier-private-expedited'];
  // One writer per CPU that no reader uses: the counts this machine allows, the rest skipped with the reason.
  const spare = report.system.cpus.allowed.length - report.plan.readerCpus.length;
  const allowed = [1, 2, 4].filter((w) => w <= spare);
  assert.equal(
    mb.map((p: { writers: number }) => p.writers),
    allowed,
  );
  for (const w of [1, 2, 4].filter((x) => x > spare)) {
    const ph = report.results.phases.find(
      (p: { key: string }) => p.key === `contention:membarrier-private-expedited:${w}`,
    );
    assert.is(ph.skip.code, 'no-cpus', `${w} writers`);
  }
  for (const p of mb) assert.ok(p.latencyNs.p50 > 0 && p.latencyNs.calls > 0);
  const md = renderMarkdown(report);
  assert.match(md, /Registration cost \(first MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED\)/);
  assert.match(md, new RegExp(`\\| membarrier-private-expedited \\| ${allowed[allowed.length - 1]} \\|`));
});

test.run();
