// The field checklist as a run and the renderers see it (analyse/checks.ts through analyse/index.ts and
// render/): CPU hotplug and contention rows from a run's evidence, the field sample's conversion, and the
// rows in every output format. Apart from checks.test.ts, which turns each row by its trap; both start
// from test/helpers/check-facts.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../../probe/records.js';
import { analyse } from '../../probe/analyse/index.js';
import { fieldFacts, sampleCpus } from '../../probe/inspect/field.js';
import { renderHtml } from '../../probe/render/html.js';
import { renderMarkdown } from '../../probe/render/markdown.js';
import { renderPrometheus } from '../../probe/render/prometheus.js';
import { render } from '../../probe/render/index.js';
import { facts, get, recorded } from '../helpers/check-facts.js';

test('CPU hotplug during a run: the row is a problem and every verdict inconclusive', () => {
  const results = { ...structuredClone(recorded.results), onlineCpus: { before: '0,1', after: '0' } };
  const a = analyse(recorded.system, recorded.plan, results);
  assert.is(get(a.checks!, 'cpu-hotplug').status, 'problem');
  for (const v of Object.values(a.verdicts)) {
    assert.is(v.verdict, 'inconclusive', v.strategy);
    assert.is(v.reasons[0]?.code, 'cpu-set-changed');
    assert.match(v.reasons[0]!.text, /\(0,1 → 0\)/);
  }
  const same = analyse(recorded.system, recorded.plan, { ...results, onlineCpus: { before: '0,1', after: '0,1' } });
  assert.is(
    same.verdicts['membarrier-private-expedited']!.verdict,
    recorded.analysis.verdicts['membarrier-private-expedited']!.verdict,
  );
});

test('contention in a run: the writer counts the CPUs did not allow are named with the spare count', () => {
  const results = structuredClone(recorded.results);
  results.contention = {
    'membarrier-private-expedited': [
      { writers: 1, latencyNs: { p50: 14000, p99: 18000, max: 30000, calls: 900 }, descheduledCalls: 0 },
    ],
  };
  results.phases = [2, 4].map((w) => ({
    key: `contention:membarrier-private-expedited:${w}`,
    kind: 'contention' as const,
    status: 'skipped' as const,
    budgetMs: 0,
    startMs: 0,
    elapsedMs: 0,
    skip: {
      code: 'no-cpus' as const,
      reason: `contention with ${w} writers not measured: needs ${w} CPUs besides the readers' (1 spare)`,
    },
  }));
  const r = get(analyse(facts(), recorded.plan, results).checks!, 'contention');
  assert.is(r.status, 'note');
  const notMeasured = (w: number) =>
    String.raw`contention with ${w} writers not measured: needs ${w} CPUs besides the readers' \(1 spare\)`;
  const calls = String.raw`^PRIVATE_EXPEDITED with 1 caller: p50 14\.0 us, p99 18\.0 us; .*; `;
  assert.match(r.text, new RegExp(`${calls}${notMeasured(2)}; ${notMeasured(4)}$`));
  assert.not.match(r.text, /share a CPU/);
});

test('field sample conversion: a killed child leaves later stages null and says why; CPUs need two usable', () => {
  const f = fieldFacts({ end: 'signaled', exitCode: 0, signal: 31, forkErrno: 0, contention: [] }, null, {
    writer: 0,
    reader: 1,
  });
  assert.equal(
    [f.child, f.registration.threaded, f.effect, f.signalsSelfTest],
    [{ end: 'signaled', signal: 31 }, null, null, null],
  );
  assert.match(f.unknown.child!, /killed by signal 31/);
  assert.equal(sampleCpus([0, 1, 2], [1, 2]), { writer: 1, reader: 2 });
  assert.is(sampleCpus([3], [0, 1, 2, 3]), null);
  assert.is(sampleCpus(null, [0, 1]), null);
});

test('every format shows the checklist: text, Markdown and HTML rows with their sources, Prometheus series', () => {
  const rep: Report = { ...recorded, system: facts(), analysis: analyse(facts(), recorded.plan, recorded.results) };
  const rows = rep.analysis.checks!;
  const md = renderMarkdown(rep);
  assert.match(md, /\*\*Field checks\*\*/);
  for (const c of rows) assert.ok(md.includes(`| ${c.title} |`) && md.includes(c.source), c.id);
  const html = renderHtml(rep);
  assert.match(html, /<section id="checks">/);
  assert.is((html.match(/<section id="checks">[\s\S]*?<\/section>/)![0].match(/<tr><td>/g) ?? []).length, rows.length);
  const text = render(rep, 'text');
  assert.match(text, /Field checks\n {2}ok +Fatal denial: /);
  const prom = renderPrometheus(rep);
  for (const c of rows)
    assert.ok(prom.includes(`membarrier_probe_field_check{check="${c.id}",status="${c.status}"} 1`), c.id);
});

test.run();
