// No stage decides by comparing strategy ids (issue 12): what applies to a strategy comes from its
// capabilities in the catalogue (probe/catalogue.ts, native/strategy.h). This scans probe/ for an
// id literal in a comparison, a string test or a property lookup, so that one creeping back in
// fails here. Ids inside data lists, object keys and sentences are fine; so is comparing a
// capability (family, control kind) whose value happens to spell like an id ('signals').
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CATALOGUE } from '../../probe/catalogue.js';
import { repoRoot } from './fixtures.js';

const ids = CATALOGUE.map((d) => d.id);
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
const lit = `(?<q>['"\`])(?:${ids.map(esc).join('|')})(?::[^'"\`]*)?\\k<q>`;
// A capability's value may equal an id ('signals', 'delay-matched'): comparing the capability is the point.
const CAPABILITY = /(family|[kK]ind)\s*$/;
const PATTERNS: { what: string; re: RegExp; lhs?: boolean }[] = [
  { what: 'compares with an id', re: new RegExp(`([\\w$.\\])?!]+)\\s*[!=]==?\\s*${lit}`, 'g'), lhs: true },
  { what: 'compares an id with', re: new RegExp(`${lit}\\s*[!=]==?`, 'g') },
  {
    what: 'tests a string against an id',
    re: new RegExp(`\\.(?:startsWith|endsWith|includes|indexOf|match)\\(\\s*${lit}`, 'g'),
  },
  { what: 'looks up an id', re: new RegExp(`\\[\\s*${lit}\\s*\\]`, 'g') },
  {
    what: 'looks up an id',
    re: new RegExp(
      `\\.(?:controls|strategies|verdicts|contention)\\??\\.(?:${ids.filter((i) => /^\w+$/.test(i)).join('|')})\\b`,
      'g',
    ),
  },
  { what: 'switches on an id', re: new RegExp(`case\\s+${lit}\\s*:`, 'g') },
];

export function idComparisons(source: string): string[] {
  const found: string[] = [];
  source.split('\n').forEach((line, i) => {
    if (/^\s*(\/\/|\*|\/\*\*)/.test(line)) return;
    for (const p of PATTERNS) {
      for (const m of line.matchAll(p.re)) {
        if (p.lhs && CAPABILITY.test(m[1]!)) continue;
        found.push(`line ${i + 1}: ${p.what}: ${m[0]}`);
      }
    }
  });
  return found;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

// Where a switch on a phase kind meets a kind that is spelled like a control id ('delay-matched'):
// PhaseKind is not a strategy id.
const ALLOWED = new Set(["probe/run/index.ts: line %: switches on an id: case 'delay-matched':"]);

test('the scanner sees the comparisons it must and lets capabilities through', () => {
  assert.equal(idComparisons(`if (e.strategy === 'null-syscall') x();`).length, 1);
  assert.equal(idComparisons(`const a = 'mprotect' !== id;`).length, 1);
  assert.equal(idComparisons(`if (key.startsWith('delay-matched:')) y();`).length, 1);
  assert.equal(idComparisons(`const n = run.controls['null-syscall'];`).length, 1);
  assert.equal(idComparisons(`const n = run.controls.none;`).length, 1);
  assert.equal(idComparisons(`switch (id) { case 'signals': break; }`).length, 1);
  assert.equal(idComparisons(`if (d.caps.family === 'signals' || kind === 'delay-matched') z();`), []);
  assert.equal(idComparisons(`export const PREFERENCE = ['membarrier-private-expedited', 'signals'];`), []);
  assert.equal(idComparisons(`// a comment comparing e.strategy === 'mprotect'`), []);
});

test('no file under probe/ decides by comparing strategy ids', () => {
  const hits = sources(join(repoRoot, 'probe'))
    .flatMap((f) => {
      const rel = relative(repoRoot, f);
      return idComparisons(readFileSync(f, 'utf8')).map((h) => `${rel}: ${h}`);
    })
    .filter((h) => !ALLOWED.has(h.replace(/line \d+/, 'line %')));
  assert.equal(hits, [], `use the catalogue's capabilities instead:\n${hits.join('\n')}`);
});

test.run();
