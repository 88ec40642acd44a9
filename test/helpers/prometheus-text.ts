// The Prometheus tools and a strict reader of the text exposition, for the tests that check the
// renderer's output against what promtool and node_exporter accept.
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './run-cli.js';

// Debian ships promtool in `prometheus` (dpkg -L prometheus: /usr/bin/promtool) and the exporter
// in `prometheus-node-exporter` (/usr/bin/prometheus-node-exporter).
let toolsReady = false;
export function ensureTools(): void {
  if (toolsReady) return;
  const r = spawnSync(join(ROOT, 'scripts', 'ensure-debian.sh'), ['prometheus', 'prometheus-node-exporter'], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  if (r.error) throw new Error(`ensure-debian.sh: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ensure-debian.sh failed (${r.status ?? r.signal}): ${r.stderr}`);
  toolsReady = true;
}

export function promtool(text: string): { status: number | null; out: string } {
  ensureTools();
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Parsed {
  samples: Sample[];
  help: Map<string, number>;
  type: Map<string, string>;
  /** Family name per sample line, in order: to check that each family's lines are contiguous. */
  order: string[];
}

/** A strict reader of the text format: any malformed line or label throws. */
export function parse(text: string): Parsed {
  const p: Parsed = { samples: [], help: new Map(), type: new Map(), order: [] };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'HELP') p.help.set(meta[2], (p.help.get(meta[2]) ?? 0) + 1);
      else p.type.set(meta[2], meta[3]);
      continue;
    }
    if (line.startsWith('#')) continue;
    const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (!head) throw new Error(`bad line: ${JSON.stringify(line)}`);
    let i = head[1].length;
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const ln = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(i));
        if (!ln) throw new Error(`bad label at ${i}: ${JSON.stringify(line)}`);
        i += ln[0].length;
        let v = '';
        for (;;) {
          const c = line[i++];
          if (c === undefined) throw new Error(`unterminated label: ${JSON.stringify(line)}`);
          if (c === '"') break;
          if (c === '\\') {
            const e = line[i++];
            if (e === 'n') v += '\n';
            else if (e === '\\' || e === '"') v += e;
            else throw new Error(`bad escape \\${e}: ${JSON.stringify(line)}`);
          } else v += c;
        }
        if (ln[1] in labels) throw new Error(`repeated label ${ln[1]}: ${line}`);
        labels[ln[1]] = v;
        if (line[i] === ',') i++;
        else if (line[i] !== '}') throw new Error(`bad label list: ${JSON.stringify(line)}`);
      }
      i++;
    }
    const rest = line.slice(i).trim().split(/\s+/);
    if (rest.length !== 1) throw new Error(`unexpected timestamp or junk: ${JSON.stringify(line)}`);
    const value = rest[0] === '+Inf' ? Infinity : rest[0] === '-Inf' ? -Infinity : Number(rest[0]);
    if (Number.isNaN(value) && rest[0] !== 'NaN') throw new Error(`bad value: ${JSON.stringify(line)}`);
    p.samples.push({ name: head[1], labels, value });
    p.order.push(head[1]);
  }
  return p;
}

export const key = (s: Sample) =>
  `${s.name}{${Object.keys(s.labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(s.labels[k])}`)
    .join(',')}}`;
export const ours = (s: Sample) => s.name.startsWith('membarrier_probe_');

export function find(samples: Sample[], name: string, labels: Record<string, string>): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/**
 * Structural rules a scraper relies on: unique series, one HELP/TYPE per family, contiguous families, fixed label
 * names.
 */
export function assertWellFormed(text: string): Parsed {
  const p = parse(text);
  const keys = p.samples.map(key);
  const dups = keys.filter((k, i) => keys.indexOf(k) !== i);
  assert.equal(dups, [], 'duplicate series');
  const names = [...new Set(p.order)];
  for (const n of names) {
    assert.is(p.help.get(n), 1, `${n}: one HELP`);
    assert.is(p.type.get(n), 'gauge', `${n}: TYPE gauge`);
    assert.ok(n.startsWith('membarrier_probe_'), n);
    assert.not.ok(n.endsWith('_total'), `${n}: _total only for counters`);
    const first = p.order.indexOf(n);
    const last = p.order.lastIndexOf(n);
    assert.ok(
      p.order.slice(first, last + 1).every((m) => m === n),
      `${n}: lines not contiguous`,
    );
    const labelSets = new Set(p.samples.filter((s) => s.name === n).map((s) => Object.keys(s.labels).sort().join(',')));
    assert.is(labelSets.size, 1, `${n}: label names differ between series`);
  }
  assert.ok(text.endsWith('\n'), 'ends with a newline');
  return p;
}
