// The reader-class view, built once for the text, Markdown and HTML reports: which topology
// classes this machine has and which the readers covered, one compact row per strategy with each
// class's interrupted share and SB count, and the positive control's power per reader. Reports
// saved before the analysis kept these are classed from their own topology, so `show` agrees.
import type { ClassEvidence, ReaderClass, ReaderPower, Report, TopologyClass } from '../records.js';
import { byClass, readerClassesOf, readerPower, silentReaders } from '../analyse/classes.js';
import { MAX_NAMED } from '../analyse/verdicts.js';
import { CLASS_ORDER } from '../plan/classes.js';
import { formatCpuList } from '../inspect/cpulist.js';
import { fmtShare } from './format.js';

export interface ClassView {
  /** Columns: the classes the readers were in, farthest first. */
  columns: TopologyClass[];
  /** One line per class present here: its usable CPUs, its readers, or "not covered". */
  coverage: string[];
  rows: { strategy: string; cells: string[] }[];
  /** The positive control's relaxation per reader (per class beyond a few readers). */
  power: string | null;
  /** Readers where the positive control never relaxed, named. */
  silent: string | null;
  limits: string[];
}

const compact = (n: number) =>
  n >= 1e6 ? `${+(n / 1e6).toPrecision(3)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : String(n);
const cpus = (list: number[]) => (list.length > MAX_NAMED ? `${list.length} CPUs` : `CPU ${formatCpuList(list)}`);

function cell(c: ClassEvidence | undefined, remote: boolean): string {
  if (!c) return '-';
  const sb = `${compact(c.sbViolations)}/${compact(c.sbTrials)}`;
  return remote ? `${fmtShare(c.interruptedShare)} · ${sb}` : `n/a · ${sb}`;
}

function powerLine(power: ReaderPower[]): string {
  if (power.length <= MAX_NAMED)
    return power.map((p) => `CPU ${p.cpu} (${p.class}) ${fmtShare(p.relaxation)}`).join(', ');
  return CLASS_ORDER.filter((k) => power.some((p) => p.class === k))
    .map((k) => {
      const ps = power.filter((p) => p.class === k);
      const known = ps.filter((p) => p.relaxation !== null);
      const low = known.reduce<ReaderPower | null>((a, p) => (!a || p.relaxation! < a.relaxation! ? p : a), null);
      const trials = ps.reduce((a, p) => a + p.trials, 0),
        relaxed = ps.reduce((a, p) => a + p.relaxed, 0);
      const pooled = trials ? relaxed / trials : null;
      // The weakest reader only when it stands out: with equal power everywhere it is noise.
      const weak =
        low && pooled !== null && low.relaxation! < pooled - 0.001
          ? ` (lowest CPU ${low.cpu}: ${fmtShare(low.relaxation)})`
          : '';
      return `${k} ${fmtShare(pooled)} over ${ps.length} readers${weak}`;
    })
    .join(', ');
}

/** The analysis's class records, or for a report saved before they existed, the same computed now. */
export function reportClasses(r: Report): {
  classes: ReaderClass[];
  evidence: Record<string, ClassEvidence[]>;
  power: ReaderPower[];
} {
  const classes = readerClassesOf(r.system, r.plan);
  return {
    classes,
    evidence: r.analysis.byClass ?? byClass(r.results, classes),
    power: r.analysis.readerPower ?? readerPower(r.results, classes) ?? [],
  };
}

export function classView(r: Report): ClassView {
  const { classes, evidence, power } = reportClasses(r);
  const columns = CLASS_ORDER.filter((k) => classes.some((c) => c.class === k));
  const readersOf = (k: TopologyClass) => classes.filter((c) => c.class === k).map((c) => c.cpu);
  const present =
    r.plan.topologyClasses ??
    columns.map((k) => ({ class: k, cpus: null as number | null, readers: readersOf(k).length, covered: true }));
  const coverage = present.map(
    (c) =>
      `${c.class}: ${c.cpus === null ? '' : `${c.cpus} usable CPU${c.cpus === 1 ? '' : 's'}, `}` +
      (c.covered
        ? `${c.readers} reader${c.readers === 1 ? '' : 's'} (${cpus(readersOf(c.class))})`
        : 'not covered (no reader there)'),
  );
  const rows = r.plan.strategies
    .filter((id) => evidence[id])
    .map((id) => {
      const remote = r.results.strategies[id]?.remoteInterruption ?? true;
      return {
        strategy: id,
        cells: columns.map((k) =>
          cell(
            evidence[id].find((c) => c.class === k),
            remote,
          ),
        ),
      };
    });
  const silent = silentReaders(power);
  return {
    columns,
    coverage,
    rows,
    power: power.length ? powerLine(power) : null,
    silent: silent.length
      ? `${silent.length === power.length ? 'every reader' : cpus(silent.map((p) => p.cpu))} ` +
        `(${[...new Set(silent.map((p) => p.class))].join(', ')})`
      : null,
    limits: r.plan.topologyLimits ?? [],
  };
}

export const CLASS_CELL_HELP =
  "each cell: share of on-CPU calls that interrupted the class's readers (pooled) · SB 00 outcomes / outcomes " +
  'observed there';
