// The report as one self-contained HTML page: readable offline, in a mail attachment or a CI
// artifact, with no script and no fetched asset. Strings from the report are escaped by `h`.
// The sections are in html-sections.ts, the charts in html-charts.ts and html-outcomes.ts.
import type { Report } from '../records.js';
import { fmtCpus } from './format.js';
import { interruptionChart, latencyChart } from './html-charts.js';
import { horizonChart, sbChart } from './html-outcomes.js';
import { checks, details, machineLine, readerClasses, recommendation, risks, summary } from './html-sections.js';
import { type Safe, h, raw } from './svg.js';
import { tlbSection } from './tlb-html.js';

// One line per group of rules, as the page has always carried them.
const CSS = [
  'body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#24292f;max-width:1240px;margin:0 auto;' +
    'padding:16px 20px 60px}',
  'h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:30px 0 8px;border-bottom:1px solid #d0d7de;' +
    'padding-bottom:4px}h3{font-size:15px;margin:14px 0 6px}',
  'code{font:12.5px ui-monospace,"DejaVu Sans ' +
    'Mono",monospace}.dim{color:#6e7781}.bad{color:#cf222e}.ok{color:#1a7f37}' +
    '.r{text-align:right;white-space:nowrap}',
  '.meta{margin:0;color:#57606a}.machine{margin:2px 0 0;font-weight:600}',
  '.rec{border:2px solid #1a7f37;border-radius:8px;padding:4px 18px 12px;background:#f6fff8}' +
    '.rec.none{border-color:#cf222e;background:#fff8f8}.rec h2{border:0;margin-top:10px}',
  '.pick{font-size:22px;font-weight:700;margin:0 0 6px}.pick code{font-size:21px}.pick.none{color:#cf222e}',
  'table{border-collapse:collapse}.grid td,.grid th{border:1px solid #d0d7de;padding:3px 7px;vertical-align:top}' +
    '.grid th{background:#f6f8fa;text-align:left}',
  '.summary{width:100%}.summary .row td:first-child{white-space:nowrap}' +
    '.summary .why td{border-top:0;font-size:12px;color:#57606a;padding-top:0}.summary .row td{border-bottom:0}' +
    '.group th{background:#eaeef2}',
  '.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;font-weight:600;color:#fff}',
  '.v-verified{background:#1a7f37}.v-refuted{background:#cf222e}.v-inconclusive{background:#b58100}' +
    '.v-unavailable{background:#6e7781}',
  '.risk{white-space:nowrap;font:12px ui-monospace,monospace;background:#ddf4ff;border-radius:4px;padding:0 4px}' +
    '.sev{color:#fff;border-radius:4px;padding:0 6px;font-size:12px}',
  '.chart{display:block;max-width:100%;height:auto;margin:6px 0}.caption{margin:0;color:#57606a;max-width:1100px}',
  'details{margin:4px 0}summary{cursor:pointer;font-weight:600}' +
    '.kv th{text-align:left;padding:1px 10px 1px 0;vertical-align:top;color:#57606a;font-weight:500}' +
    '.kv td{padding:1px 0}.chosen{font-weight:700}',
].join('\n');

const CAPTIONS: [string, string, (r: Report) => Safe][] = [
  [
    'Latency',
    'Cost of one heavy barrier as seen by the writer. A barrier that reaches other CPUs costs an IPI round trip ' +
      '(microseconds in a VM); one that returns in nanoseconds probably reached nobody.',
    latencyChart,
  ],
  [
    'Interruption of reader CPUs',
    'Share of calls, with every reader on its CPU, during which each reader saw its clock jump (it was interrupted). ' +
      'A sound IPI-based barrier interrupts every reader on every call: 100%. ' +
      'The null syscall and delay-matched spins show what happens by chance.',
    interruptionChart,
  ],
  [
    'SB litmus outcomes',
    'Each trial runs store-buffering between the writer and one reader. ' +
      'Outcome 00 means the barrier failed to order that reader.',
    sbChart,
  ],
  [
    'Detection horizon',
    'How often SB catches an unfenced writer that merely spins for a given time. ' +
      'Where the curve is at 0%, zero violations say nothing by themselves.',
    horizonChart,
  ],
];

export function renderHtml(report: Report): string {
  const r = report;
  const title = `${r.tool.name} report: ${r.system.platform.hostname}`;
  const when = String(r.generatedAt)
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
  const charts = CAPTIONS.map(([t, cap, f]) => h`<h2>${t}</h2><p class="caption">${cap}</p>${f(r)}`);
  const viewport = h`<meta name="viewport" content="width=device-width, initial-scale=1">`;
  const head = h`<head><meta charset="utf-8">${viewport}<title>${title}</title><style>${raw(CSS)}</style></head>`;
  const cpus = h`writer CPU ${r.results.cpus.writer}, reader CPUs ${fmtCpus(r.results.cpus.readers)}`;
  const cmd = h`<code>${r.commandLine.join(' ')}</code>`;
  const meta = h`<p class="meta">${when} · ${r.tool.name} ${r.tool.version} · ${cmd} · ${cpus}</p>`;
  const header = h`<header><h1>${r.tool.name}: <code>${r.system.platform.hostname}</code></h1>${meta}${[
    h`<p class="machine">${machineLine(r)}</p></header>`,
  ]}`;
  return h`<!DOCTYPE html>
<html lang="en">${head}<body>
${header}
${recommendation(r)}${summary(r)}${readerClasses(r)}${risks(r)}${tlbSection(r)}${checks(r)}${charts}${details(r)}
</body></html>
`.s;
}
