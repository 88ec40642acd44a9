// recommend: the safest strategy that is available and verified, in a fixed order of preference (data),
// with its reasons; the conditional ones (mprotect only on opt-in and with no risk; membarrier-global
// only for rare writers); and what the common runtimes will do here.
import type { Analysis, MachineFacts, Recommendation, Report, RunEvidence } from '../records.js';
import { runtimeAdvice } from './runtimes.js';
import { catalogueOf, isPageTable, strategiesWhere } from '../catalogue.js';
import { finding, type Finding } from '../codes.js';

export const PREFERENCE = ['membarrier-private-expedited', 'membarrier-global-expedited', 'signals', 'symmetric-fence'];
const WHY: Record<string, string> = {
  'membarrier-private-expedited':
    'the kernel interrupts exactly the CPUs running this process and waits for each: documented, and the cheapest ' +
    'verified option',
  'membarrier-global-expedited':
    'documented, and reaches other registered processes too (for barriers across processes)',
  signals: 'portable, but costs a signal delivery per reader per barrier',
  'symmetric-fence': 'always correct, but every read pays a full fence',
};
export const MPROTECT_CAVEAT = 'undocumented kernel behaviour: re-run after every kernel, hypervisor or host change';

export interface RecommendOptions {
  allowMprotect?: boolean;
}

export function recommend(f: MachineFacts, a: Analysis, run: RunEvidence, opts: RecommendOptions = {}): Recommendation {
  const verified = (id: string) => a.verdicts[id]?.verdict === 'verified';
  const pick = PREFERENCE.find(verified) ?? null;
  const reasons: Finding[] = [];
  if (pick) {
    reasons.push(finding('pick-verified', `${pick} is verified here: ${a.verdicts[pick].reasons[0]?.text}`));
    reasons.push(finding('pick-rationale', WHY[pick]));
    for (const better of PREFERENCE.slice(0, PREFERENCE.indexOf(pick))) {
      const v = a.verdicts[better];
      reasons.push(
        finding(
          'preferred-not-chosen',
          `${better} was not chosen: ${v ? `${v.verdict}: ${v.reasons[0]?.text}` : 'not run'}`,
        ),
      );
    }
  } else {
    reasons.push(
      finding('none-verified', 'no strategy is verified here: use full fences on both sides until a run verifies one'),
    );
    if (!a.positiveControl.relaxed)
      reasons.push(
        finding(
          'positive-control-silent',
          'the positive control never relaxed, so this run could not judge any barrier',
        ),
      );
  }
  const acceptable: Recommendation['acceptable'] = [];
  const catalogue = catalogueOf(run);
  // The page-table tricks rest on undocumented kernel behaviour: never the default.
  for (const id of strategiesWhere(catalogue, isPageTable)) {
    const v = a.verdicts[id];
    if (v?.verdict !== 'verified') continue;
    const risky = a.risks.filter((r) => r.strategies.includes(id) && r.severity !== 'note');
    if (risky.length)
      reasons.push(
        finding('page-table-risky', `${id} passed here but is not acceptable: ${risky.map((r) => r.text).join('; ')}`),
      );
    else if (opts.allowMprotect) acceptable.push({ strategy: id, condition: MPROTECT_CAVEAT });
    else {
      reasons.push(
        finding(
          'page-table-opt-in',
          `${id} passed here; it is offered only with --allow-mprotect, which covers both page-table tricks ` +
            `(${MPROTECT_CAVEAT})`,
        ),
      );
    }
  }
  // A slow strategy (an RCU grace period per call) suits rare writers, whatever the preference order says.
  for (const id of strategiesWhere(catalogue, (d) => d.caps.slow)) {
    const g = a.verdicts[id];
    const gl = run.strategies[id]?.latencyNs;
    if (g && g.verdict !== 'refuted' && g.verdict !== 'unavailable' && gl) {
      acceptable.push({
        strategy: id,
        condition:
          `for rare writers only: each call waits for an RCU grace period (p50 ${(gl.p50 / 1e6).toFixed(1)}` +
          ` ms, p99 ${(gl.p99 / 1e6).toFixed(1)} ms)`,
      });
    }
  }
  return { strategy: pick, reasons, acceptable, runtimes: runtimeAdvice(f, a) };
}

/** The recommendation for a saved or fresh report (library API: `recommend(report)`). */
export function recommendFor(
  report: Pick<Report, 'system' | 'analysis' | 'results'>,
  opts: RecommendOptions = {},
): Recommendation {
  return recommend(report.system, report.analysis, report.results, opts);
}
