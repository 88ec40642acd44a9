// Saved reports end to end: a short real run saved to a folder, shown again in other formats,
// compared with itself and with a copy whose verdict got worse; bad report files and folders.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { verdictProblem } from '../helpers/expect-verdict.js';

const out = mkdtempSync(join(tmpdir(), 'mbp-reports-'));
const run = runCli(['--duration', '4', '--out', out, '--strategies', 'membarrier-private-expedited,mprotect']);
if (run.status !== 0) throw new Error(`run failed (${run.status}): ${run.stderr}`);
const saved = readdirSync(out);
const json = join(
  out,
  saved.find((f) => f.endsWith('.json'))!,
);

test('the default command prints the summary and saves <host>-<time>.json and .md, nothing else', () => {
  assert.match(run.stdout, /Recommendation: membarrier-private-expedited/);
  // Verified only where this machine flushes TLBs by IPI; the saved report's risks say which.
  const rep = JSON.parse(readFileSync(json, 'utf8'));
  assert.is(verdictProblem(rep, 'mprotect'), null);
  assert.match(run.stdout, new RegExp(`mprotect\\s+${rep.analysis.verdicts.mprotect.verdict}`));
  assert.is(saved.length, 2, saved.join(' '));
  assert.ok(
    saved.every((f) => /^[A-Za-z0-9._-]+-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.(json|md)$/.test(f)),
    saved.join(' '),
  );
  const md = readFileSync(json.replace(/\.json$/, '.md'), 'utf8');
  assert.match(md, /\| membarrier-private-expedited \| \*\*verified\*\*/);
  assert.match(md, /<details><summary>Raw numbers<\/summary>/);
});

test('show renders a saved report again in each format', () => {
  const asJson = runCli(['show', json, '--format', 'json']);
  assert.is(asJson.status, 0, asJson.stderr);
  assert.equal(JSON.parse(asJson.stdout), JSON.parse(readFileSync(json, 'utf8')));
  assert.match(runCli(['show', json]).stdout, /Recommendation: membarrier-private-expedited/);
  assert.match(runCli(['show', json, '--format', 'markdown']).stdout, /^## membarrier-probe/);
});

test('compare: same verdicts exit 0; a verdict that got worse exits 1 and is named', () => {
  const same = runCli(['compare', json, json]);
  assert.is(same.status, 0, same.stderr);
  assert.match(same.stdout, /environment: no change/);
  const worse = JSON.parse(readFileSync(json, 'utf8'));
  worse.analysis.verdicts['membarrier-private-expedited'].verdict = 'refuted';
  worse.system.kernel.release = '6.99.0-test';
  const after = join(out, 'after.json.test');
  writeFileSync(after, JSON.stringify(worse));
  const c = runCli(['compare', json, after]);
  assert.is(c.status, 1);
  assert.match(c.stdout, /kernel release: .* -> 6\.99\.0-test/);
  assert.match(c.stdout, /membarrier-private-expedited\s+verified -> refuted\s+worse/);
  assert.is(JSON.parse(runCli(['compare', json, after, '--json']).stdout).worse, true);
});

function badFile(name: string, make: (path: string) => void, pattern: RegExp) {
  test(`show refuses ${name} with exit 2 and one line`, () => {
    const p = join(mkdtempSync(join(tmpdir(), 'mbp-bad-')), 'report.json');
    make(p);
    const r = runCli(['show', p]);
    assert.is(r.status, 2, r.stderr);
    assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, pattern);
  });
}
badFile('a missing file', () => {}, /cannot read report .*: ENOENT/);
badFile('an empty file', (p) => writeFileSync(p, ''), /is empty/);
badFile('a file that is not JSON', (p) => writeFileSync(p, 'not json{'), /is not JSON/);
badFile(
  'JSON of another shape',
  (p) => writeFileSync(p, JSON.stringify({ schemaVersion: 1, kind: 'inspect' })),
  /is not a membarrier-probe report: \$\.\w+ is missing/,
);
badFile(
  'a newer schemaVersion',
  (p) => writeFileSync(p, JSON.stringify({ schemaVersion: 99 })),
  /schemaVersion 99, newer than this tool's \d+: upgrade/,
);
badFile(
  'a huge file',
  (p) => {
    writeFileSync(p, '{');
    truncateSync(p, 40 << 20);
  },
  /over the \d+-byte limit/,
);

test('--out that is a file, or cannot be created, is refused before anything runs', () => {
  const file = join(out, 'a-file');
  writeFileSync(file, 'x');
  const a = runCli(['--out', file]);
  assert.is(a.status, 2);
  assert.match(a.stderr, /--out .* is a file; give a folder/);
  const b = runCli(['--out', '/proc/membarrier-probe-test']);
  assert.is(b.status, 2);
  assert.match(b.stderr, /cannot be created/);
});

test('check --require membarrier-private-expedited: met, exit 0; an unknown strategy: exit 2', () => {
  const c = runCli(['check', '--require', 'membarrier-private-expedited']);
  assert.is(c.status, 0, c.stdout + c.stderr);
  assert.match(c.stdout, /^membarrier-private-expedited: met \(verified\)/);
  const j = runCli(['check', '--require', 'membarrier-private-expedited', '--json']);
  assert.is(JSON.parse(j.stdout).met, true);
  assert.is(runCli(['check', '--require', 'frob']).status, 2);
});

test.run();
