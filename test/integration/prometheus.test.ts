// The Prometheus exposition against the real tools: promtool lints it, and a real node_exporter
// (textfile collector only, bound to 127.0.0.1) reads it from a file written the way operators
// must write it (temp file + rename) and serves every series back with the same value.
// Unit-level checks of escaping and uniqueness live here too, parsed by a strict reader below.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../helpers/run-cli.js';
import { escapeLabelValue, renderPrometheus } from '../../probe/render/prometheus.js';
import type { Report } from '../../probe/records.js';
import { loadReport } from '../../probe/report-file.js';
import { buildReport } from '../../probe/report.js';
import { expandReaders, syntheticClasses } from '../unit/expand.js';
import { assertWellFormed, ensureTools, find, key, ours, parse, promtool } from '../helpers/prometheus-text.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'reports', 'kvm-intel-xeon-2vcpu-default.json');
const load = (): Report => loadReport(FIXTURE);

test('the recorded report passes promtool check metrics without lint problems', () => {
  const r = promtool(renderPrometheus(load()));
  assert.is(r.out, '', r.out);
  assert.is(r.status, 0);
});

test('the recorded report: unique series, families well formed, values in range', () => {
  const report = load();
  const p = assertWellFormed(renderPrometheus(report));
  for (const s of p.samples) {
    if (s.name.endsWith('_ratio')) assert.ok(s.value >= 0 && s.value <= 1, `${key(s)} = ${s.value}`);
    if (s.name.endsWith('_seconds') && s.name !== 'membarrier_probe_report_timestamp_seconds') {
      assert.ok(s.value >= 0 && s.value < 60, `${key(s)} = ${s.value}`);
    }
  }
  // One verdict series per id, naming its current verdict.
  const ids = Object.keys(report.analysis.verdicts);
  assert.is(find(p.samples, 'membarrier_probe_verdict', {}).length, ids.length);
  for (const id of ids) {
    const v = find(p.samples, 'membarrier_probe_verdict', { strategy: id });
    assert.is(v.length, 1, id);
    assert.is(v[0].labels.verdict, report.analysis.verdicts[id].verdict, id);
  }
  // Per reader CPU series carry the reader's CPU number.
  const cpus = report.results.cpus.readers.map(String);
  for (const s of find(p.samples, 'membarrier_probe_reader_interrupted_ratio', {}))
    assert.ok(cpus.includes(s.labels.cpu));
  assert.is(find(p.samples, 'membarrier_probe_detection_horizon_seconds', {})[0].value, 1.6e-6);
  assert.is(
    find(p.samples, 'membarrier_probe_report_timestamp_seconds', {})[0].value,
    Date.parse(report.generatedAt) / 1000,
  );
});

test('label values are escaped: a hostile strategy id round-trips; the host name is never written', () => {
  assert.is(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  const report = load();
  const hostile = 'evil"} 1\nmembarrier_probe_pwned{x="y"} 1 # \\';
  const base = report.results.strategies['membarrier-private-expedited'];
  report.results.strategies[hostile] = { ...base, id: hostile, strategy: hostile };
  report.analysis.verdicts[hostile] = {
    ...report.analysis.verdicts['membarrier-private-expedited'],
    strategy: hostile,
  };
  report.recommendation.strategy = hostile;
  report.system.platform.hostname = 'host"\n\\{name}';
  const text = renderPrometheus(report);
  assert.ok(text.includes('strategy="evil\\"} 1\\nmembarrier_probe_pwned{x=\\"y\\"} 1 # \\\\"'), 'escaped form');
  assert.not.ok(
    text.split('\n').some((l) => l.startsWith('membarrier_probe_pwned')),
    'no injected line',
  );
  assert.not.ok(text.includes('host"'), 'host name leaked');
  const p = assertWellFormed(text);
  const v = find(p.samples, 'membarrier_probe_verdict', { strategy: hostile });
  assert.is(v.length, 1);
  assert.is(v[0].labels.verdict, 'verified');
  assert.is(find(p.samples, 'membarrier_probe_recommended_strategy', { strategy: hostile })[0]?.value, 1);
  const r = promtool(text);
  assert.is(r.out, '', r.out);
  assert.is(r.status, 0);
});

test('no duplicate series from repeated data; sparse evidence still lints', () => {
  const report = load();
  const e = report.results.strategies['membarrier-private-expedited'];
  e.mechanism!.perReader.push({ ...e.mechanism!.perReader[0] });
  report.analysis.risks.push({ ...report.analysis.risks[0] });
  const s = report.results.strategies['membarrier-global'];
  Object.assign(s, { available: false, status: 'unavailable', latencyNs: null, mechanism: null });
  report.recommendation.strategy = null;
  report.results.horizon = null;
  const text = renderPrometheus(report);
  const p = assertWellFormed(text);
  assert.equal(
    find(p.samples, 'membarrier_probe_recommended_strategy', {}).map((x) => x.value),
    [0],
  );
  assert.is(find(p.samples, 'membarrier_probe_detection_horizon_seconds', {}).length, 0);
  assert.is(find(p.samples, 'membarrier_probe_latency_p50_seconds', { strategy: 'membarrier-global' }).length, 0);
  assert.is(find(p.samples, 'membarrier_probe_strategy_available', { strategy: 'membarrier-global' })[0].value, 0);
  const r = promtool(text);
  assert.is(r.out, '', r.out);
  assert.is(r.status, 0);
});

// Hazard: a 384-CPU host writing ~25,000 series into node_exporter's textfile. The recorded run's
// reader copied to many readers in four classes (test/unit/expand.ts), judged by the real stages.
/** A fixed ceiling: ~20 strategy and control ids x (per-id families + 5 per-class families x <= 6 classes). */
const SERIES_BOUND = 1500;
const withReaders = (n: number): Report => {
  const r = expandReaders(load(), syntheticClasses(n, ['other-package', 'other-llc', 'same-llc', 'smt-sibling']));
  return buildReport({ ...r, kind: 'run' } as never, r.commandLine);
};

test(
  '383 readers: series per topology class, not per CPU; the count does not grow with readers; promtool ' + 'accepts',
  () => {
    const big = assertWellFormed(renderPrometheus(withReaders(383)));
    assert.ok(big.samples.length <= SERIES_BOUND, `${big.samples.length} series`);
    assert.is(
      big.samples.length,
      assertWellFormed(renderPrometheus(withReaders(9))).samples.length,
      'same count at 9 and 383 readers',
    );
    assert.equal(big.samples.filter((x) => 'cpu' in x.labels).map(key), [], 'no per-CPU series beyond 8 readers');
    const ids = Object.keys(withReaders(9).analysis.byClass!);
    assert.is(find(big.samples, 'membarrier_probe_class_interrupted_ratio', {}).length, ids.length * 4);
    assert.equal(
      find(big.samples, 'membarrier_probe_class_reader_cpus', {}).map((x) => [x.labels.class, x.value]),
      [
        ['other-package', 96],
        ['other-llc', 96],
        ['same-llc', 96],
        ['smt-sibling', 95],
      ],
    );
    assert.is(
      find(big.samples, 'membarrier_probe_class_interrupted_ratio', {
        strategy: 'membarrier-private-expedited',
        class: 'other-package',
      })[0].value,
      1,
    );
    assert.is(find(big.samples, 'membarrier_probe_positive_control_silent_readers', {})[0].value, 0);
    const r = promtool(renderPrometheus(withReaders(383)));
    assert.is(r.out, '', r.out);
    assert.is(r.status, 0);
  },
);

test('8 readers: per-CPU series kept beside the per-class ones', () => {
  const p = assertWellFormed(renderPrometheus(withReaders(8)));
  const per = find(p.samples, 'membarrier_probe_reader_interrupted_ratio', {
    strategy: 'membarrier-private-expedited',
  });
  assert.equal(
    per.map((x) => x.labels.cpu),
    ['1', '2', '3', '4', '5', '6', '7', '8'],
  );
  assert.is(find(p.samples, 'membarrier_probe_positive_control_reader_relaxation_ratio', {}).length, 8);
});

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const timer = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timer]).finally(() => clearTimeout(t));
}

/** A port the kernel just handed out on 127.0.0.1 (released again for the exporter to take). */
function freePort(): Promise<number> {
  return withTimeout(
    new Promise<number>((resolve, reject) => {
      const srv = createServer();
      srv.on('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const a = srv.address();
        srv.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
      });
    }),
    5_000,
    'free port',
  );
}

test('a real node_exporter serves every series of the textfile with the same value', async () => {
  ensureTools();
  const report = load();
  const text = renderPrometheus(report);
  const dir = mkdtempSync(join(tmpdir(), 'mbp-prom-'));
  // node_exporter reads *.prom only and may read at any moment: write elsewhere, then rename.
  const tmp = join(dir, `.membarrier_probe.prom.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, join(dir, 'membarrier_probe.prom'));

  const port = await freePort();
  const child = spawn(
    'prometheus-node-exporter',
    [
      '--collector.disable-defaults',
      '--collector.textfile',
      `--collector.textfile.directory=${dir}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  let ended: string | null = null;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, sig) => {
      ended = `exited (${code ?? sig})`;
      resolve();
    });
    child.on('error', (err) => {
      ended = `failed to start: ${err.message}`;
      resolve();
    });
  });
  try {
    const url = `http://127.0.0.1:${port}/metrics`;
    let body: string | null = null;
    const deadline = Date.now() + 10_000;
    while (body === null && Date.now() < deadline) {
      if (ended) throw new Error(`node_exporter ${ended}: ${stderr}`);
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        if (res.ok) body = await res.text();
      } catch {
        // Not listening yet.
      }
      if (body === null) await sleep(100);
    }
    if (body === null) throw new Error(`node_exporter did not answer on ${url} within 10 s: ${stderr}`);

    const served = parse(body).samples;
    assert.equal(
      find(served, 'node_textfile_scrape_error', {}).map((s) => s.value),
      [0],
      'node_textfile_scrape_error',
    );
    assert.ok(
      find(served, 'node_textfile_mtime_seconds', {}).some((s) =>
        (s.labels.file ?? '').endsWith('membarrier_probe.prom'),
      ),
      'the textfile is listed',
    );
    const verdict = find(served, 'membarrier_probe_verdict', { strategy: 'membarrier-private-expedited' });
    assert.is(verdict.length, 1);
    assert.is(verdict[0].labels.verdict, 'verified');
    assert.is(verdict[0].value, 1);
    assert.is(
      find(served, 'membarrier_probe_verdict', { strategy: 'membarrier-global-expedited' })[0].labels.verdict,
      'refuted',
    );
    const p50 = find(served, 'membarrier_probe_latency_p50_seconds', { strategy: 'membarrier-private-expedited' });
    assert.is(p50.length, 1);
    assert.is(p50[0].value, report.results.strategies['membarrier-private-expedited'].latencyNs!.p50 / 1e9);
    assert.is(
      find(served, 'membarrier_probe_recommended_strategy', {})[0].labels.strategy,
      'membarrier-private-expedited',
    );

    // Every series we wrote comes back, value for value, and nothing of ours is added.
    const mine = parse(text).samples;
    const byKey = new Map(served.filter(ours).map((s) => [key(s), s.value]));
    for (const s of mine) assert.is(byKey.get(key(s)), s.value, key(s));
    assert.is(byKey.size, mine.length);
  } finally {
    if (!ended) {
      child.kill('SIGTERM');
      await withTimeout(exited, 5_000, 'node_exporter exit').catch(() => {
        child.kill('SIGKILL');
        return withTimeout(exited, 2_000, 'node_exporter exit after SIGKILL').catch(() => undefined);
      });
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
