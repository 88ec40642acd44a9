// Reason codes (issue 12, part 3): one registry (probe/codes.ts) of every code the analysis,
// checks, risks, notes and the native addon can emit, each with a meaning of its own, listed in the
// README; and reports saved before codes (schemaVersion 1) load with their sentences coded.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODES, codesTable, isCode, type Finding } from '../../probe/codes.js';
import type { Report } from '../../probe/records.js';
import { analyse } from '../../probe/analyse/index.js';
import { checksOf } from '../../probe/analyse/checks.js';
import { DEFECTS } from '../../probe/analyse/defects.js';
import { recommend } from '../../probe/recommend/index.js';
import { loadReport } from '../../probe/report-file.js';
import { migrateReport } from '../../probe/migrate.js';
import { compareReports } from '../../probe/compare.js';
import { buildReport } from '../../probe/report.js';
import { SCHEMA_VERSION } from '../../probe/records.js';
import { localFixture, localFixturesDir, localReport, repoRoot } from './fixtures.js';

const FIXTURE = join(localFixturesDir, 'reports', 'kvm-intel-xeon-2vcpu-default.json');

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(n) ? [p] : [];
  });
}

/** Code literals in the native sources: a note's first field, RegistrationSample::code, Fail()'s code. */
function nativeCodes(): Map<string, string> {
  const out = new Map<string, string>();
  const re = /(?:push_back\(\s*\{\s*|\.code = |const char\* code = |Fail\([^;]*, )"([a-z0-9]+(?:-[a-z0-9]+)+)"/g;
  for (const f of files(join(repoRoot, 'native'), /\.(cc|h)$/)) {
    for (const m of readFileSync(f, 'utf8').matchAll(re)) out.set(m[1]!, f.slice(repoRoot.length + 1));
  }
  return out;
}

test('every code is kebab-case with a one-line meaning, and no two codes share a meaning', () => {
  const seen = new Map<string, string>();
  for (const [code, meaning] of Object.entries(CODES)) {
    assert.match(code, /^[a-z0-9]+(-[a-z0-9]+)*$/, code);
    assert.ok(meaning.length > 5 && !meaning.includes('\n'), code);
    const key = meaning
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, ' ')
      .trim();
    assert.not.ok(seen.has(key), `${code} and ${seen.get(key)} share a meaning`);
    seen.set(key, code);
  }
});

test('the README\'s "Reason codes" table is the registry (node scripts/codes-table.mjs --write)', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const m = /<!-- codes:begin -->\n([\s\S]*?)\n<!-- codes:end -->/.exec(readme);
  assert.ok(m, 'README.md has the codes markers');
  assert.fixture(m![1]!, codesTable());
  assert.match(readme, /^### Reason codes$/m);
});

test("the native addon emits only registered codes, and does emit its notes' codes", () => {
  const native = nativeCodes();
  for (const [code, file] of native) assert.ok(isCode(code), `${file} emits "${code}", not in probe/codes.ts`);
  const expected = [
    'mlock-refused',
    'registrations-read-back',
    'gap-store-full',
    'call-cap-reached',
    'registration-inherited',
    'registration-threaded',
    'already-registered',
    'registration-failed',
  ];
  for (const c of expected) assert.ok(native.has(c), `native emits ${c}`);
});

test('every registered code is emitted somewhere (no dead entries)', () => {
  const sources = [...files(join(repoRoot, 'probe'), /\.ts$/), ...files(join(repoRoot, 'native'), /\.(cc|h)$/)]
    .filter((f) => !/probe\/(codes|migrate)\.ts$/.test(f))
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const planTypes = readFileSync(join(repoRoot, 'probe', 'records', 'plan.ts'), 'utf8');
  const skipCodes = /code: ((?:'[a-z-]+' \| )*'[a-z-]+');/.exec(planTypes)![1]!;
  for (const code of Object.keys(CODES)) {
    if (code === 'legacy') continue; // migrate.ts's fallback
    // Phase skips become verdict reasons as `skipped-${skip.code}` (analyse/index.ts).
    if (code.startsWith('skipped-')) assert.ok(skipCodes.includes(`'${code.slice(8)}'`), code);
    else
      assert.ok(
        [`'${code}'`, `"${code}"`].some((q) => sources.includes(q)),
        `${code}: registered, never emitted`,
      );
  }
});

test('risk ids and kernel-defect ids are registered codes', () => {
  for (const d of DEFECTS) assert.ok(isCode(d.id), d.id);
});

const all = (r: Pick<Report, 'analysis' | 'recommendation' | 'results'>): Finding[] => [
  ...Object.values(r.analysis.verdicts).flatMap((v) => v.reasons),
  ...r.analysis.notes,
  ...r.recommendation.reasons,
  ...r.results.notes,
  ...(r.analysis.checks ?? []).map((c) => ({ code: c.code, text: c.text })),
  ...r.analysis.risks.map((x) => ({ code: x.id, text: x.text })),
];

test('what the analysis emits for recorded runs and their variants carries registered codes', () => {
  const recorded: Report = localReport('reports', 'kvm-intel-xeon-2vcpu-default.json');
  const arm: Report = localReport('qemu-tcg-guests', 'arm64-6.12-4vcpu-run.json');
  const variants: Report[] = [recorded, arm];
  const hot = structuredClone(recorded);
  hot.results.onlineCpus = { before: '0,1', after: '0' };
  const silent = structuredClone(recorded);
  silent.results.controls.none!.sb.violations = 0;
  const cancelled = structuredClone(recorded);
  cancelled.results.cancelled = true;
  delete cancelled.results.strategies.signals;
  variants.push(hot, silent, cancelled);
  for (const r of variants) {
    const analysis = analyse(r.system, r.plan, r.results);
    const rep = { analysis, results: r.results, recommendation: recommend(r.system, analysis, r.results) };
    for (const f of all(rep)) assert.ok(isCode(f.code) && f.text.length > 0, `${f.code}: ${f.text}`);
  }
  for (const c of checksOf(recorded.system)) assert.ok(isCode(c.code), `${c.id}: ${c.code}`);
});

test('/proc/interrupts unreadable is read from irqReadable, not from the irqSource sentence', () => {
  const r: Report = localReport('reports', 'kvm-intel-xeon-2vcpu-default.json');
  const notes = (fn: (m: NonNullable<Report['results']['strategies'][string]['mechanism']>) => void) => {
    const run = structuredClone(r.results);
    fn(run.strategies.mprotect!.mechanism!);
    return analyse(r.system, r.plan, run).notes.map((n) => n.code);
  };
  assert.ok(
    notes((m) => {
      m.irqReadable = false;
    }).includes('irq-unreadable'),
  );
  assert.not.ok(
    notes((m) => {
      m.irqSource = 'not readable';
    }).includes('irq-unreadable'),
  );
});

test('a version 1 report loads upgraded: every sentence kept, each with the code of the rule that wrote it', () => {
  const raw = JSON.parse(localFixture('reports', 'kvm-intel-xeon-2vcpu-default.json'));
  assert.is(raw.schemaVersion, 1, 'the fixture is a version 1 report');
  const r = loadReport(FIXTURE);
  assert.is(r.schemaVersion, SCHEMA_VERSION);
  for (const [id, v] of Object.entries(r.analysis.verdicts)) {
    assert.equal(
      v.reasons.map((x) => x.text),
      raw.analysis.verdicts[id].reasons,
      id,
    );
    // 0.1.0's sentences are all known: none is left as legacy.
    for (const x of v.reasons) assert.is.not(x.code, 'legacy', `${id}: ${x.text}`);
  }
  const codes = (id: string) => r.analysis.verdicts[id]!.reasons.map((x) => x.code);
  assert.equal(codes('membarrier-global-expedited'), ['sb-violations', 'sb-power']);
  assert.equal(codes('membarrier-global'), ['sb-no-power', 'sb-power']);
  assert.equal(codes('membarrier-private-expedited'), ['all-readers-interrupted', 'sb-power']);
  assert.equal(
    r.recommendation.reasons.map((x) => x.code),
    ['pick-verified', 'pick-rationale', 'page-table-opt-in', 'page-table-opt-in'],
  );
  const irq = Object.values(r.results.strategies).map((e) => e.mechanism?.irqReadable);
  assert.ok(
    irq.every((x) => x === true),
    'irqSource /proc/interrupts: readable',
  );
});

test('a version 1 sentence no rule matches keeps its text as legacy; migrating twice changes nothing', () => {
  const raw = JSON.parse(localFixture('reports', 'kvm-intel-xeon-2vcpu-default.json'));
  raw.analysis.notes = ['a sentence from some older rule'];
  raw.results.notes = ['calibration tried 20 of its 36 sweep points before its deadline (the machine was slower)'];
  raw.results.strategies.mprotect.mechanism.irqSource = '/proc/interrupts not readable: gap test only';
  const dir = mkdtempSync(join(tmpdir(), 'mbp-codes-'));
  writeFileSync(join(dir, 'old.json'), JSON.stringify(raw));
  const r = loadReport(join(dir, 'old.json'));
  assert.equal(r.analysis.notes, [{ code: 'legacy', text: 'a sentence from some older rule' }]);
  assert.is(r.results.notes[0]!.code, 'calibration-short');
  assert.is(r.results.strategies.mprotect!.mechanism!.irqReadable, false);
  assert.equal(migrateReport(structuredClone(r)), r);
});

test("compare: a saved version 1 report against a fresh analysis names each side's first reason code", () => {
  const before = loadReport(FIXTURE);
  const run = structuredClone(before);
  const e = run.results.strategies['membarrier-private-expedited']!;
  e.status = 'unavailable';
  e.available = false;
  e.error = { errno: 1, code: 'EPERM', meaning: 'blocked by seccomp', what: 'REGISTER_PRIVATE_EXPEDITED' };
  const after = buildReport({ ...run, kind: 'run' }, []);
  const c = compareReports(before, after);
  const row = c.verdicts.find((v) => v.strategy === 'membarrier-private-expedited')!;
  assert.equal([row.before, row.after, row.change], ['verified', 'unavailable', 'worse']);
  assert.equal(row.why, { before: 'all-readers-interrupted', after: 'strategy-unavailable' });
  assert.ok(c.worse);
});

test.run();
