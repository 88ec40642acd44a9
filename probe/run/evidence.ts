// The RunEvidence record around run/index.ts's phase loop: the empty record it fills, the check that
// a phase's earlier strategy ran ok, the notes on a short or failed calibration sweep, and the wrap-up
// after the last phase (the late-run note, latency over reader counts, CPUs online, a silent positive
// control). Apart from index.ts so that file holds the loop that carries out the plan's phases.
import type { Calibration, ExperimentPlan, PhasePlan, PhaseSkip, RunEvidence, StrategyEvidence } from '../records.js';
import { parseCpuList } from '../inspect/cpulist.js';
import { readText } from '../inspect/read.js';
import { controlEvidence } from '../catalogue.js';
import { finding } from '../codes.js';

/** The run never goes past --duration by more than this share: later phases are skipped instead. */
export const LATE_SLACK = 0.1;

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function emptyEvidence(readers: number[], writer: number): RunEvidence {
  return {
    cpus: { writer, readers },
    calibration: null,
    strategies: {},
    controls: {},
    horizon: null,
    scaling: {},
    readerCost: null,
    phases: [],
    cancelled: false,
    elapsedMs: 0,
    notes: [],
  };
}

/** Why a phase that needs an earlier strategy's result cannot run, or null. */
export function dependency(p: PhasePlan, results: RunEvidence): PhaseSkip | null {
  if (!p.delayFrom) return null;
  const e = results.strategies[p.delayFrom];
  if (e?.status === 'ok' && e.latencyNs) return null;
  return { code: 'depends', reason: `not run: ${p.delayFrom} ${e ? `did not run ok (${e.status})` : 'was not run'}` };
}

/** Notes for a calibration sweep cut short by its deadline (`points` tried of the grid), or not finished at all. */
export function calibrationNotes(results: RunEvidence, cal: Calibration | null, points: number, stopped: boolean) {
  if (cal && cal.sweep.length < points) {
    results.notes.push(
      finding(
        'calibration-short',
        `calibration tried ${cal.sweep.length} of its ${points} sweep points before its deadline (the ` +
          `machine was slower than planned)`,
      ),
    );
  }
  if (!cal && !stopped) {
    results.notes.push(
      finding(
        'calibration-failed',
        'calibration did not finish: its first sweep point timed out, so no phase could run (the machine ' +
          'was far slower than planned)',
      ),
    );
  }
}

/**
 * After the last phase: the late-run note (`late` phases skipped), each strategy's latency over reader counts
 * (`scaled` holds the scaling phases; the full set is the strategy's own phase), the CPUs online before and after,
 * and the note that a silent positive control means no broken barrier could have been seen.
 */
export async function finishEvidence(
  results: RunEvidence,
  plan: ExperimentPlan,
  late: number,
  scaled: Map<string, StrategyEvidence>,
  onlineBefore: string,
): Promise<void> {
  if (late) {
    results.notes.push(
      finding(
        'running-late',
        `the run was running late: ${late} phase${late === 1 ? ' was' : 's were'} skipped to stay within ` +
          `--duration ${secs(plan.durationMs)} + ${LATE_SLACK * 100}%`,
      ),
    );
  }
  // Latency over reader counts: the full set is each strategy's own phase.
  for (const [id, e] of Object.entries(results.strategies)) {
    if (e.status !== 'ok' || !e.latencyNs) continue;
    results.scaling[id] = plan.scalingReaders.flatMap((r) => {
      const ev = r === plan.readerCpus.length ? e : scaled.get(`scaling:${id}:${r}`);
      return ev?.latencyNs ? [{ readers: r, latencyNs: ev.latencyNs }] : [];
    });
  }
  const online = await readText('/sys/devices/system/cpu/online');
  const onlineAfter = online.ok ? parseCpuList(online.text).join(',') : onlineBefore;
  // Judged in analyse: a CPU that came or went mid-run makes every verdict inconclusive.
  results.onlineCpus = { before: onlineBefore, after: onlineAfter };
  if (controlEvidence(results, 'positive')?.sb.violations === 0) {
    results.notes.push(
      finding(
        'positive-control-silent',
        'the positive control never relaxed: this run could not have seen a broken barrier',
      ),
    );
  }
}
