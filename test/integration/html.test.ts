// The HTML report, rendered from a real recorded run and opened in a real browser (Debian's
// chromium, headless): the four charts must exist with data in them, the page must need no
// script and no network, and a hostile report must come out escaped.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../helpers/run-cli.js';
import { renderHtml } from '../../probe/render/html.js';
import type { Code, Report } from '../../probe/records.js';
import { loadReport } from '../../probe/report-file.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'reports', 'kvm-intel-xeon-2vcpu-default.json');
const load = (): Report => loadReport(FIXTURE);
const work = mkdtempSync(join(tmpdir(), 'mbp-html-'));

// Flags that keep chromium off the network and away from any profile or GPU of the machine.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function chromium(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const profile = mkdtempSync(join(work, 'profile-'));
  // SIGKILL: a browser stuck on a GPU or D-Bus wait may ignore SIGTERM.
  const r = spawnSync('chromium', [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 << 20,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const count = (s: string, re: RegExp): number => (s.match(re) ?? []).length;

/** The opening tag of the element with this id, and everything up to its closing </svg>. */
function chart(dom: string, id: string): string {
  const start = dom.indexOf(`id="${id}"`);
  assert.ok(start >= 0, `chart #${id} is in the DOM`);
  return dom.slice(start, dom.indexOf('</svg>', start));
}

test.before(() => {
  const r = spawnSync(join(ROOT, 'scripts', 'ensure-debian.sh'), ['chromium'], {
    encoding: 'utf8',
    timeout: 600_000,
    killSignal: 'SIGKILL',
  });
  assert.ok(!r.error && r.status === 0, `ensure-debian.sh chromium: ${r.error?.message ?? ''}${r.stderr}`);
});

test.after(() => rmSync(work, { recursive: true, force: true }));

test('a hostile report is escaped everywhere', () => {
  const r = load();
  const evil = '<script>alert(1)</script>';
  r.system.platform.hostname = evil;
  r.commandLine = ['run', `"><img src=x onerror=alert(2)>`];
  r.recommendation.strategy = `</code>${evil}`;
  r.recommendation.reasons = [{ code: 'legacy', text: evil }];
  r.analysis.risks = [{ id: `x"onmouseover="alert(3)` as Code, severity: 'unsafe', strategies: [evil], text: evil }];
  r.analysis.verdicts['mprotect'].risks = [evil];
  r.results.strategies[evil] = {
    ...r.results.strategies['mprotect'],
    id: evil,
    error: { errno: 1, code: evil, meaning: evil, what: evil },
  };
  r.system.sandbox.evidence = [`' onload='alert(4)`];
  const html = renderHtml(r);
  assert.not.match(html, /<script/i);
  assert.not.match(html, /<img/i);
  assert.not.match(html, /"onmouseover=/);
  assert.not.match(html, /' onload='/);
  assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the hostname is shown, escaped');
});

test('the recorded report renders into a page chromium can read, with four charts', () => {
  const report = load();
  const file = join(work, 'report.html');
  writeFileSync(file, renderHtml(report));
  const r = chromium(['--dump-dom', pathToFileURL(file).href]);
  assert.is(r.status, 0, r.stderr);
  const dom = r.stdout;
  assert.match(dom, /<h1/);
  assert.not.match(dom, /<script/i, 'no script');
  assert.not.match(dom, /https?:\/\//i, 'no URL: nothing to fetch, nothing to follow');

  const entries = [...Object.values(report.results.strategies), ...Object.values(report.results.controls)];

  // (a) one row per strategy (plus the null-syscall reference), each with a p50 dot.
  const lat = chart(dom, 'chart-latency');
  const withLatency = Object.values(report.results.strategies).filter((e) => e.latencyNs).length;
  assert.ok(count(lat, /class="lat-row"/g) >= withLatency, 'a latency row per measured strategy');
  assert.ok(count(lat, /<circle/g) >= withLatency);
  assert.match(lat, /log scale/);

  // (b) a bar per reader CPU share, and the null-syscall mark.
  const intr = chart(dom, 'chart-interruption');
  const shares = entries.flatMap((e) => e.mechanism?.perReader ?? []).filter((p) => p.interruptedShare !== null).length;
  assert.ok(shares > 0);
  assert.is(count(intr, /class="bar share"/g), shares, 'one bar per reader-CPU share');
  assert.match(intr, /null syscall \(getpid\): 1\.92%/);

  // (c) four outcome bars per strategy and control.
  const sb = chart(dom, 'chart-sb');
  assert.is(count(sb, /class="sb-cell"/g), entries.length);
  assert.is(count(sb, /class="sb-bar"/g), entries.length * 4);
  for (const o of ['00', '01', '10', '11']) assert.ok(sb.includes(`data-outcome="${o}"`));

  // (d) the horizon curve through every measured point, and a median line per strategy.
  const hz = chart(dom, 'chart-horizon');
  const points = /<polyline[^>]*points="([^"]*)"[^>]*class="horizon-curve"/.exec(hz);
  assert.ok(points, 'the horizon polyline');
  const pairs = points[1].trim().split(/\s+/);
  assert.is(pairs.length, report.results.horizon!.points.length);
  assert.ok(
    pairs.every((p) => /^-?[\d.]+,-?[\d.]+$/.test(p)),
    'numeric points',
  );
  assert.ok(new Set(pairs).size > 3, 'a curve, not a dot');
  assert.is(count(hz, /class="median"/g), withLatency);

  // The collapsible facts.
  assert.ok(count(dom, /<details/g) >= 10);
  assert.match(dom, /Calibration/);
});

test('chromium takes a screenshot of the page', () => {
  const file = join(work, 'report.html');
  if (!existsSync(file)) writeFileSync(file, renderHtml(load()));
  const png = join(work, 'report.png');
  const r = chromium([`--screenshot=${png}`, '--window-size=1280,2400', pathToFileURL(file).href]);
  assert.is(r.status, 0, r.stderr);
  assert.ok(existsSync(png), 'the screenshot exists');
  const bytes = readFileSync(png);
  assert.equal([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
  assert.ok(statSync(png).size > 50_000, `a real page, not a blank one (${statSync(png).size} bytes)`);
});

test.run();
