// Prometheus text exposition (format 0.0.4) of a Report, for node_exporter's textfile collector:
// a cron job or systemd timer runs the probe, writes this to <dir>/membarrier_probe.prom
// atomically, and node_exporter serves it beside its own metrics.
//
// Design choices, and why:
// - Every family is a gauge. A report describes one run; the next run replaces the file and its
//   counts may be smaller, so none of them is a monotonic counter (and none ends in `_total`).
// - Base units: latencies and durations in seconds, shares as ratios 0..1 (`_ratio`).
// - No host, kernel or instance labels: node_exporter's scrape adds `instance`/`job`, and
//   node_uname_info already describes the kernel. The output depends on the report's evidence only.
// - Label sets are fixed per family (node_exporter rejects a family whose series differ in label
//   names), and a repeated series is dropped (a duplicate makes the whole file fail to scrape).
// - Values that the report does not know (null) are left out rather than written as NaN, so that
//   "absent" and "measured" stay distinguishable in PromQL.
// - No sample timestamps: node_exporter refuses them in textfiles. The report's own time is a
//   metric (`membarrier_probe_report_timestamp_seconds`) so staleness can be alerted on.
// - Series are bounded whatever the reader count: per reader CPU only up to PER_CPU_READERS
//   readers; beyond that the same figures per topology class (`class` label, at most six values).
//   At 383 readers the per-CPU form was about 25,000 series, more than a textfile should carry.
import type { Report, StrategyEvidence, LatencyNs } from '../records.js';
import { Exposition } from './prometheus-exposition.js';
import { classSeries } from './prometheus-classes.js';

export { escapeLabelValue } from './prometheus-exposition.js';

/** Readers up to which per-CPU series are written; the per-class series are written always. */
export const PER_CPU_READERS = 8;

// Divide rather than multiply by 1e-9: division is correctly rounded, so 1600 ns prints as 0.0000016.
const seconds = (ns: number | null | undefined): number | null => (ns === null || ns === undefined ? null : ns / 1e9);

/** One gauge per statistic rather than a `quantile` label: that label is reserved for summaries
 *  (promtool flags it on gauges), and a summary would need a `_sum` the report does not have. */
const STATS: (keyof LatencyNs)[] = ['p50', 'p90', 'p99', 'max'];

export function renderPrometheus(report: Report): string {
  const x = new Exposition();
  const S = ['strategy'] as const;

  const buildInfo = x.gauge('build_info', 'Tool that wrote the report (always 1).', [
    'tool',
    'version',
    'schema_version',
  ]);
  const reportTime = x.gauge('report_timestamp_seconds', 'When the report was generated, as a Unix time.', []);
  const runDuration = x.gauge('run_duration_seconds', 'Wall time of the verification run.', []);
  const runCancelled = x.gauge(
    'run_cancelled',
    '1 if the run was interrupted and holds only the phases that finished.',
    [],
  );
  const readers = x.gauge('reader_cpus', 'Number of reader CPUs the run used.', []);
  const positiveRelaxed = x.gauge(
    'positive_control_relaxed',
    '1 if the positive control (no barrier) showed SB violations, i.e. the run could see a broken barrier at all.',
    [],
  );
  const positiveRatio = x.gauge(
    'positive_control_violation_ratio',
    'Share of positive-control SB trials that were violations.',
    [],
  );
  const horizon = x.gauge(
    'detection_horizon_seconds',
    'Largest writer-side delay at which the positive control was still detected; slower broken barriers can pass SB ' +
      'unseen.',
    [],
  );
  const recommended = x.gauge(
    'recommended_strategy',
    'The strategy recommended here (1); a single series with an empty strategy and value 0 when none is verified.',
    S,
  );
  const acceptable = x.gauge('acceptable_strategy', 'A strategy usable only under a condition (see the report), 1.', S);
  const verdict = x.gauge(
    'verdict',
    'Verdict on each strategy and control (always 1; the verdict is the label). Controls are expected to be refuted.',
    ['strategy', 'kind', 'verdict'],
  );
  const info = x.gauge('strategy_info', 'What each strategy or control is (always 1).', [
    'strategy',
    'kind',
    'reader_side',
    'remote_interruption',
    'status',
  ]);
  const available = x.gauge('strategy_available', '1 if the strategy could run here.', S);
  const risk = x.gauge('risk', 'A risk that applies to a strategy on this machine (always 1).', [
    'strategy',
    'risk',
    'severity',
  ]);
  const latency = STATS.map((st) =>
    x.gauge(`latency_${st}_seconds`, `Heavy-barrier latency over all calls: ${st}.`, S),
  );
  const latencyOnCpu = STATS.map((st) =>
    x.gauge(
      `on_cpu_latency_${st}_seconds`,
      `Heavy-barrier latency over the calls during which every reader stayed on its CPU: ${st}.`,
      S,
    ),
  );
  const trials = x.gauge('sb_trials', 'Store-buffering litmus trials run in the last run.', S);
  const violations = x.gauge(
    'sb_violations',
    'SB trials in which the barrier failed to order a reader (r0=0 and r1=0).',
    S,
  );
  const violUpper = x.gauge(
    'sb_violation_upper95_ratio',
    'One-sided 95% upper bound on the SB violation rate (Clopper-Pearson).',
    S,
  );
  const detectAt = x.gauge(
    'sb_detection_at_latency_ratio',
    "Positive control's detection rate at this strategy's median latency: SB's power to catch a broken barrier this " +
      'slow.',
    S,
  );
  const interrupted = x.gauge(
    'interrupted_ratio',
    'Share of on-CPU calls that interrupted every reader (the mechanism test).',
    S,
  );
  const interruptedLower = x.gauge(
    'interrupted_lower95_ratio',
    '95% lower bound of membarrier_probe_interrupted_ratio.',
    S,
  );
  const interruptedRaw = x.gauge(
    'interrupted_raw_ratio',
    'Share of all calls that interrupted every reader, counting descheduled readers as interrupted.',
    S,
  );
  const onCpuCalls = x.gauge('on_cpu_calls', 'Calls during which every reader stayed on its CPU.', S);
  const deschedCalls = x.gauge(
    'descheduled_calls',
    'Calls during which some reader was descheduled (left out of the ratio).',
    S,
  );
  // Per reader CPU: written only up to PER_CPU_READERS readers (the class_* families cover every run).
  const readerInterrupted = x.gauge(
    'reader_interrupted_ratio',
    'Per reader CPU: share of its on-CPU calls that interrupted it.',
    ['strategy', 'cpu'],
  );
  const readerRaw = x.gauge(
    'reader_interrupted_raw_ratio',
    'Per reader CPU: share of all calls that interrupted it, descheduling counted as interruption.',
    ['strategy', 'cpu'],
  );
  const readerMedian = x.gauge(
    'reader_interruption_median_seconds',
    'Per reader CPU: median length of the interruptions seen.',
    ['strategy', 'cpu'],
  );
  const irq = x.gauge(
    'reader_irqs_per_call',
    '/proc/interrupts increments per heavy call, averaged over the reader CPUs, by row (TLB, CAL, RES, IPI...).',
    ['strategy', 'irq'],
  );
  const flushKind = x.gauge(
    'flush_kind',
    "How a page-table strategy's TLB flushes reached the readers (ipi, broadcast, mixed, unknown; always 1).",
    ['strategy', 'kind'],
  );
  const flushIpis = x.gauge(
    'flush_tlb_ipis_per_call',
    'TLB-shootdown IPIs per call during which the reader stayed on its CPU, averaged over the reader CPUs.',
    ['strategy'],
  );
  const tlbRegime = x.gauge(
    'tlb_regime',
    'The TLB-flush regime inspect derived for this machine (ipi, broadcast, hypercall, mixed, unknown; always 1).',
    ['regime'],
  );
  const warmMiss = x.gauge(
    'tlb_warmup_miss_probability_ratio',
    "Chance that the warm-up gave the kernel's global-ASID check no chance.",
    ['strategy'],
  );

  classSeries(x, report, report.results.cpus.readers.length <= PER_CPU_READERS);

  const check = x.gauge(
    'field_check',
    'Each field check (known deployment traps) with its status: ok, note, warning, problem or unknown (always 1).',
    ['check', 'status'],
  );

  buildInfo([report.tool.name, report.tool.version, String(report.schemaVersion)], 1);
  const t = Date.parse(report.generatedAt);
  reportTime([], Number.isFinite(t) ? t / 1000 : null);

  const r = report.results;
  runDuration([], r.elapsedMs / 1000);
  runCancelled([], r.cancelled);
  readers([], r.cpus.readers.length);

  const pc = report.analysis.positiveControl;
  positiveRelaxed([], pc.relaxed);
  positiveRatio([], pc.trials > 0 ? pc.violations / pc.trials : null);
  horizon([], seconds(r.horizon?.horizonNs));

  const rec = report.recommendation;
  if (rec.strategy === null) recommended([''], 0);
  else recommended([rec.strategy], 1);
  for (const a of rec.acceptable) acceptable([a.strategy], 1);

  // A control is whatever the run lists as one (delay-matched:<id> included); verdicts on
  // controls are kept, labelled, because their shares are the baselines the verdicts cite.
  const isStrategy = (id: string) => id in r.strategies || report.plan.strategies.includes(id);
  const kindOf = (id: string) => (isStrategy(id) ? 'strategy' : 'control');

  for (const [id, v] of Object.entries(report.analysis.verdicts)) {
    verdict([id, kindOf(id), v.verdict], 1);
    violUpper([id], v.stats.violationRateUpper95);
    detectAt([id], v.stats.detectionRateAtLatency);
    interruptedLower([id], v.stats.interruptedShareLower95);
  }
  for (const rk of report.analysis.risks) for (const s of rk.strategies) risk([s, rk.id, rk.severity], 1);
  for (const c of report.analysis.checks ?? []) check([c.id, c.status], 1);

  const perCpu = r.cpus.readers.length <= PER_CPU_READERS;
  const evidence: StrategyEvidence[] = [...Object.values(r.strategies), ...Object.values(r.controls)];
  for (const e of evidence) {
    const id = e.id;
    info([id, kindOf(id), e.readerSide, String(e.remoteInterruption), e.status], 1);
    available([id], e.available);
    // Raw counts come from the evidence; bounds and power (above) from the analysis.
    trials([id], e.sb.trials);
    violations([id], e.sb.violations);
    STATS.forEach((st, i) => {
      latency[i]([id], seconds(e.latencyNs?.[st]));
      latencyOnCpu[i]([id], seconds(e.latencyNs?.onCpu[st]));
    });
    const m = e.mechanism;
    if (!m) continue;
    interrupted([id], m.interruptedShare);
    interruptedRaw([id], m.rawInterruptedShare);
    onCpuCalls([id], m.onCpuCalls);
    deschedCalls([id], m.descheduledCalls);
    for (const p of perCpu ? m.perReader : []) {
      const cpu = String(p.cpu);
      readerInterrupted([id, cpu], p.interruptedShare);
      readerRaw([id, cpu], p.rawInterruptedShare);
      readerMedian([id, cpu], p.gaps > 0 ? seconds(p.medianInterruptionNs) : null);
    }
    for (const [row, n] of Object.entries(m.irqPerCall ?? {})) irq([id, row], n);
    if (m.flush) {
      flushKind([id, m.flush.kind], 1);
      flushIpis([id], m.flush.tlbIpisPerCall);
    }
  }
  if (report.system.tlb) tlbRegime([report.system.tlb.regime], 1);
  if (r.tlbWarmup) warmMiss([r.tlbWarmup.strategy], r.tlbWarmup.missProbability);
  return x.render();
}
