// The text exposition format's mechanics: gauge families with fixed label names, escaping, value
// formatting, duplicate series dropped, empty families left out (prometheus.ts says why each).
const PREFIX = 'membarrier_probe_';

/** Label values may hold anything; the exposition format escapes exactly these three. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes only backslash and newline (a quote is literal there). */
function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Go's ParseFloat (used by node_exporter and promtool) reads JS's shortest round-trip form. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

interface Family {
  name: string;
  help: string;
  labelNames: readonly string[];
  lines: string[];
  seen: Set<string>;
}

type Value = number | boolean | null | undefined;
export type Add = (labelValues: readonly string[], value: Value) => void;

export class Exposition {
  private readonly families: Family[] = [];

  /** Declares a gauge family; the returned function adds one series to it. */
  gauge(suffix: string, help: string, labelNames: readonly string[]): Add {
    const fam: Family = { name: PREFIX + suffix, help, labelNames, lines: [], seen: new Set() };
    this.families.push(fam);
    return (labelValues, value) => {
      if (value === null || value === undefined) return;
      if (labelValues.length !== labelNames.length) {
        throw new Error(`${fam.name}: ${labelValues.length} label values for ${labelNames.length} labels`);
      }
      const labels = labelNames.map((n, i) => `${n}="${escapeLabelValue(labelValues[i])}"`).join(',');
      if (fam.seen.has(labels)) return;
      fam.seen.add(labels);
      const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
      fam.lines.push(`${fam.name}${labels ? `{${labels}}` : ''} ${formatValue(v)}`);
    };
  }

  /** Families without samples are left out: a HELP/TYPE pair with nothing under it says nothing. */
  render(): string {
    const out: string[] = [];
    for (const f of this.families) {
      if (f.lines.length === 0) continue;
      out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} gauge`, ...f.lines);
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }
}
