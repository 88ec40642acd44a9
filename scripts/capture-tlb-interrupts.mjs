#!/usr/bin/env node
// Captures /proc/interrupts several times across one real phase of a page-table strategy (default
// mprotect), for the flush-classification fixtures (test/fixtures/tlb/): one file per sample, and
// meta.json with the phase's call counts and each sample's time. Run from the repository root after
// a build: node scripts/capture-tlb-interrupts.mjs OUT_DIR [strategy] [budgetMs]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireEngine } from '../dist/probe/run/engine.js';

const [out, strategy = 'mprotect', budget = '800'] = process.argv.slice(2);
if (!out) {
  console.error('usage: capture-tlb-interrupts.mjs OUT_DIR [strategy] [budgetMs]');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const engine = requireEngine();
const budgetMs = Number(budget);
const t0 = performance.now();
const samples = [];
const take = () =>
  samples.push({
    atMs: Math.round((performance.now() - t0) * 10) / 10,
    text: readFileSync('/proc/interrupts', 'utf8'),
  });
take();
const timer = setInterval(take, budgetMs / 8);
const r = await engine.runPhase({ strategy, writerCpu: 0, readerCpus: [1], budgetMs, hardMs: budgetMs * 2 + 2000 });
clearInterval(timer);
take();
samples.forEach((s, i) => writeFileSync(join(out, `interrupts.${i}`), s.text));
const meta = {
  strategy,
  writerCpu: 0,
  readerCpus: [1],
  budgetMs,
  status: r.status,
  calls: r.mechanism?.calls ?? null,
  descheduledCalls: r.mechanism?.descheduledCalls ?? null,
  onCpuCalls: r.readers.map((x) => x.onCpuCalls ?? 0),
  samplesAtMs: samples.map((s) => s.atMs),
};
writeFileSync(join(out, 'meta.json'), JSON.stringify(meta, null, 1) + '\n');
console.log(JSON.stringify(meta));
