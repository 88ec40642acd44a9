#!/usr/bin/env node
// Mutation check, run by hand (not by CI): breaks each verdict rule and each use of a control in
// the compiled analysis, one at a time, runs the unit tests against the broken copy, and prints
// which tests failed. A mutation that no test catches is a rule the tests do not really check.
//
//   npm run build:ts && node scripts/mutation-check.mjs [filter]
//
// The patches are textual, on a temp copy of dist/ (the checkout is never touched): the copy's
// test/, probe/ (the schema) and node_modules are links to this checkout's. A patch whose text is
// no longer in the compiled file is reported as "stale": the rule was rewritten, update the list.
// Exit status: 0 when every mutation was caught, 1 when one survived or went stale.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const V = 'probe/analyse/verdicts.js';
// The statistics and evidence tests those rules apply (verdict-evidence.ts).
const E = 'probe/analyse/verdict-evidence.js';
const O = 'probe/analyse/registration-order.js';
const C = 'probe/compare.js';

// [name, compiled file under dist/, text to find, replacement]
const MUTATIONS = [
  // The verdict rules, in the order verdicts.ts applies them.
  ['rule: a blocked plan is inconclusive', V, 'if (blocked)\n', 'if (false)\n'],
  ['rule: a failed setup is unavailable', V, "if (e.status === 'unavailable' && e.error)", 'if (false)'],
  ['rule: a phase that did not finish is inconclusive', V, "if (e.status !== 'ok')", 'if (false)'],
  ['rule: any SB violation refutes', V, 'if (s.violations > 0)', 'if (false)'],
  [
    'rule: a silent positive control makes everything inconclusive',
    V,
    'if (!none || none.sb.violations === 0)',
    'if (false)',
  ],
  ['rule: no control is verified (the cap)', V, "isControl && r.verdict === 'verified'", 'false'],
  ['rule: a fence strategy is verified only with SB power', V, 'if (s.sbCouldCatchBroken)', 'if (true)'],
  ['rule: no on-CPU call means no mechanism evidence', V, '(!m || s.interruptedShare === null)', '(!m)'],
  ['rule: emulated CPUs: near-null refutes nothing', V, 'if (hollow && emulated)', 'if (false)'],
  ['rule: near the null control refutes (success that does nothing)', V, 'if (hollow)\n', 'if (false)\n'],
  ['rule: page-table flushes without IPIs, readers not interrupted, refute', V, 'if (noIpi)\n', 'if (false)\n'],
  ['rule: flush and gap signals that disagree stay inconclusive', E, 'if (share < MIN_SHARE) {', 'if (true) {'],
  ['rule: a reader under 99% is inconclusive', V, 'if (low.length)', 'if (false)'],
  ['rule: too few on-CPU calls to bound the miss rate', V, '< MIN_SHARE_LOWER95)', '< 0)'],
  [
    'rule: not clearly above the null control',
    V,
    'if (nul !== null && s.interruptedShare < nul + CLEAR_MARGIN)',
    'if (false)',
  ],
  [
    'rule: not clearly above the delay-matched control',
    V,
    'if (dm !== null && s.interruptedShare < dm + CLEAR_MARGIN)',
    'if (false)',
  ],
  ['rule: no delay-matched control ran', V, 'if (dm === null && !isControl)', 'if (false)'],
  // Each control as the analysis reads it: ignored, as if it had not run or measured nothing.
  [
    'control none (positive): its relaxations ignored',
    V,
    "const none = controlEvidence(run, 'positive');",
    'const none = { sb: { violations: 1 } };',
  ],
  [
    'control null-syscall: its share ignored',
    E,
    "nullControlShare: controlEvidence(run, 'null-call')?.mechanism?.interruptedShare ?? null",
    'nullControlShare: null',
  ],
  [
    'control null-syscall: its own refutation',
    V,
    "if (kind === 'null-call')\n        return v('refuted'",
    "if (false)\n        return v('refuted'",
  ],
  [
    'control delay-matched: its share ignored',
    E,
    'delayMatchedShare: dm?.mechanism?.interruptedShare ?? null',
    'delayMatchedShare: null',
  ],
  [
    'control horizon (positive control by delay): SB power always claimed',
    E,
    'sbCouldCatchBroken: detection !== null && detection * trials >= EXPECTED_WITNESSES',
    'sbCouldCatchBroken: true',
  ],
  // The registration-order test's rules (analyse/registration-order.ts) and compare's flaky rule.
  ['order: a shown defect refutes', O, 'if (r.shown) {', 'if (false) {'],
  [
    'order: the defect is shown only where the working order reaches',
    O,
    'shown: workingReaches && failing.length > 0',
    'shown: failing.length > 0',
  ],
  [
    'order: fewer than SHOWN_MISSED_CALLS missed calls are noise',
    O,
    'a.onCpuCalls - a.reached >= SHOWN_MISSED_CALLS',
    'a.onCpuCalls - a.reached >= 1',
  ],
  ['order: not shown on a kernel in the range is never verified', O, 'if (inRange) {', 'if (false) {'],
  ['order: emulated CPUs refute nothing', O, 'if (emulated) {', 'if (false) {'],
  [
    'order: too few working-order calls are too little evidence',
    O,
    'if (working.onCpuCalls < WORKING_MIN_CALLS) {',
    'if (false) {',
  ],
  [
    'compare: a weak or order-sensitive change on an unchanged environment is flaky',
    C,
    'if (!weak && !sensitive)',
    'if (true)',
  ],
  ['compare: a changed environment is never flaky', C, 'if (!unchanged || !va || !vb)', 'if (!va || !vb)'],
];

const filter = process.argv[2];
const tmp = mkdtempSync(join(tmpdir(), 'mbp-mutation-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
// README.md and native/: test/unit/codes.test.ts reads the codes table and the native sources.
const LINKS = ['test', 'probe', 'native', 'node_modules', 'package.json', 'tsconfig.json', 'build', 'README.md'];
for (const link of LINKS.filter((l) => existsSync(join(root, l)))) symlinkSync(join(root, link), join(tmp, link));

function runUnit() {
  const r = spawnSync(
    process.execPath,
    [join(root, 'node_modules', 'uvu', 'bin.js'), 'dist/test/unit', '\\.test\\.js$'],
    {
      cwd: tmp,
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
      timeout: 300_000,
      maxBuffer: 1 << 26,
    },
  );
  const out = (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '');
  const failed = [...out.matchAll(/FAIL\s+"(.+)"/g)].map((m) => m[1]);
  // A crash at import (a thrown top-level error) fails a whole file without a FAIL line.
  if (r.status !== 0 && !failed.length)
    failed.push(`(the run failed: exit ${r.status}) ${out.split('\n').find((l) => /Error/.test(l)) ?? ''}`.trim());
  return { status: r.status, failed };
}

// The unbroken copy first: a mutation only counts as caught if the tests pass without it.
cpSync(join(root, 'dist'), join(tmp, 'dist'), { recursive: true });
const base = runUnit();
if (base.status !== 0) {
  console.log(`the unit tests fail without any mutation, so nothing can be concluded:\n  ${base.failed.join('\n  ')}`);
  process.exit(1);
}

const summary = [];
for (const [name, file, find, replace] of MUTATIONS) {
  if (filter && !name.includes(filter)) continue;
  const path = join(tmp, 'dist', file);
  const original = readFileSync(join(root, 'dist', file), 'utf8');
  const hits = original.split(find).length - 1;
  if (hits !== 1) {
    summary.push({ name, result: 'stale', detail: `the patch text occurs ${hits} times in dist/${file}` });
    console.log(`STALE   ${name}: the patch text occurs ${hits} times in dist/${file}`);
    continue;
  }
  writeFileSync(path, original.replace(find, replace));
  const r = runUnit();
  writeFileSync(path, original);
  const caught = r.failed.length > 0;
  summary.push({ name, result: caught ? 'caught' : 'SURVIVED', detail: r.failed.join('; ') });
  console.log(
    `${caught ? 'caught  ' : 'SURVIVED'} ${name}` +
      `${
        caught
          ? `\n           by ${r.failed.slice(0, 4).join('\n              ')}` +
            `${r.failed.length > 4 ? `\n              and ${r.failed.length - 4} more` : ''}`
          : ''
      }`,
  );
}
const bad = summary.filter((s) => s.result !== 'caught');
console.log(
  `\n${summary.length - bad.length} of ${summary.length} mutations ` +
    `caught${bad.length ? `; not caught: ${bad.map((s) => `${s.name} (${s.result})`).join(', ')}` : ''}`,
);
process.exit(bad.length ? 1 : 0);
