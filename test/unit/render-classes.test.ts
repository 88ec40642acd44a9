// Hazard: a report on a big host that shows one pooled "100%" and hides the class of CPU the
// barrier missed, or hides the readers where SB had no power. The recorded 2-vCPU run's figures
// copied to nine readers in three classes (expand.ts), one class changed to the failure.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../../probe/records.js';
import { buildReport } from '../../probe/report.js';
import { render } from '../../probe/render/index.js';
import { validate } from '../../probe/schema.js';
import { expandReaders, recordedReport, syntheticClasses } from './expand.js';

const PRIV = 'membarrier-private-expedited';

/** Re-judged through the real analyse and recommend stages, as a fresh run would be. */
const rebuilt = (r: Report): Report => buildReport({ ...r, kind: 'run' } as never, r.commandLine);

function missesOtherPackage(): Report {
  const r = expandReaders(recordedReport(), syntheticClasses(9, ['other-package', 'same-llc', 'smt-sibling']));
  r.plan.topologyClasses = [
    { class: 'other-package', cpus: 48, readers: 3, covered: true },
    { class: 'other-llc', cpus: 40, readers: 0, covered: false },
    { class: 'same-llc', cpus: 4, readers: 3, covered: true },
    { class: 'smt-sibling', cpus: 1, readers: 3, covered: true },
  ];
  const m = r.results.strategies[PRIV].mechanism!;
  for (const p of m.perReader)
    if (p.cpu % 3 === 1) {
      p.interruptedShare = 0;
      p.rawInterruptedShare = 0;
    }
  m.interruptedShare = 0;
  for (const p of r.results.controls.none.sb.perReader)
    if (p.cpu === 9) {
      p.histogram['11'] += p.histogram['00'];
      p.histogram['00'] = 0;
    }
  return rebuilt(r);
}

test('text: classes present and covered, a per-class row, the silent reader named', () => {
  const t = render(missesOtherPackage(), 'text');
  assert.match(t, /Reader classes \(relative to writer CPU 0\)/);
  assert.match(t, /other-package: 48 usable CPUs, 3 readers \(CPU 1,4,7\)/);
  assert.match(t, /other-llc: 40 usable CPUs, not covered/);
  assert.match(t, /strategy\s+other-package\s+same-llc\s+smt-sibling\n/);
  assert.match(
    t,
    new RegExp(
      String.raw`\n {2}membarrier-private-expedited\s+0\.00% · ` +
        String.raw`0\/\d+k\s+100\.00% · 0\/\d+k\s+100\.00% · 0\/\d+k\n`,
    ),
  );
  // Nine readers: summed up per class, the weakest reader named.
  assert.match(
    t,
    new RegExp(
      String.raw`positive control \(none\) relaxed: other-package 93\.7% over 3 readers, same-llc ` +
        String.raw`93\.7% over 3 readers, smt-sibling 62\.4% over 3 readers \(lowest CPU 9: 0\.00%\)\n`,
    ),
  );
  assert.match(t, /positive control never relaxed at CPU 9 \(smt-sibling\): SB had no power there/);
  assert.match(t, /refuted/);
});

test('markdown: the same table, and the verdict reason names other-package', () => {
  const md = render(missesOtherPackage(), 'markdown');
  assert.match(md, /\| strategy \| other-package \| same-llc \| smt-sibling \|\n\|---\|---\|---\|---\|\n/);
  assert.match(
    md,
    /\| membarrier-private-expedited \| 0\.00% · 0\/\d+k \| 100\.00% · 0\/\d+k \| 100\.00% · 0\/\d+k \|/,
  );
  assert.match(
    md,
    new RegExp(
      String.raw`\`membarrier-private-expedited\` \*\*refuted\*\*: .*reader classes short of ` +
        String.raw`99\.0%: other-package: interrupted 0\.00% of on-CPU calls \(CPU 1,4,7\)`,
    ),
  );
  assert.match(md, /\*\*Positive control never relaxed at CPU 9 \(smt-sibling\)\*\*/);
});

test('html: a compact table with one column per class', () => {
  const html = render(missesOtherPackage(), 'html');
  const section = /<section id="reader-classes">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
  assert.match(section, /<th>other-package<\/th><th>same-llc<\/th><th>smt-sibling<\/th>/);
  assert.match(section, /<td><code>membarrier-private-expedited<\/code><\/td><td class="r">0\.00% · 0\/\d+k<\/td>/);
  assert.match(section, /other-llc: 40 usable CPUs, not covered/);
  assert.match(section, /Positive control never relaxed at CPU 9 \(smt-sibling\)/);
});

test('many readers: the power line sums up per class instead of listing 383 CPUs', () => {
  const r = rebuilt(
    expandReaders(recordedReport(), syntheticClasses(383, ['other-package', 'other-llc', 'same-llc', 'smt-sibling'])),
  );
  const t = render(r, 'text');
  const line = t.split('\n').find((l) => l.includes('positive control (none) relaxed'))!;
  assert.match(
    line,
    new RegExp(
      String.raw`relaxed: other-package 93\.7% over 96 readers, other-llc 93\.7% over 96 ` +
        String.raw`readers, same-llc 93\.7% over 96 readers, smt-sibling 93\.7% over 95 readers$`,
    ),
  );
  assert.ok(line.length < 400, `${line.length} characters`);
  assert.match(t.split('\n')[0], /writer CPU 0, readers 1-383$/);
  assert.match(render(r, 'markdown'), /; writer CPU 0, readers 1-383\n/);
});

test("the schema accepts the plan's class records and refuses an unknown class", () => {
  const r = missesOtherPackage();
  assert.is(validate(JSON.parse(JSON.stringify(r))), null);
  r.plan.readerClasses![0].class = 'next-door' as never;
  assert.match(validate(JSON.parse(JSON.stringify(r)))!, /plan\.readerClasses\[0\]\.class should be one of/);
});

test.run();
