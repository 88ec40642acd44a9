// The summary table's rows, built once for the text, Markdown and HTML views: strategy, verdict,
// latency, SB trials and violations with the 95% bound, interrupted share, risks.
import type { Report } from '../records.js';
import { fmtNs, fmtRate, fmtShare } from './format.js';

export interface SummaryRow {
  strategy: string;
  verdict: string;
  p50: string;
  p99: string;
  sb: string;
  interrupted: string;
  risks: string;
  reason: string;
}

export function summaryRows(r: Report): SummaryRow[] {
  return r.plan.strategies.map((id) => {
    const v = r.analysis.verdicts[id];
    const s = v?.stats;
    // The interrupted share means something only where the strategy works by interrupting readers.
    const remote = r.results.strategies[id]?.remoteInterruption ?? true;
    return {
      strategy: id,
      verdict: v?.verdict ?? 'not run',
      p50: fmtNs(s?.latencyNs?.p50),
      p99: fmtNs(s?.latencyNs?.p99),
      sb: s ? `${s.violations}/${s.trials} (<= ${fmtRate(s.violationRateUpper95)})` : '-',
      interrupted: remote ? fmtShare(s?.interruptedShare) : 'n/a',
      risks: (v?.risks ?? []).join(', '),
      reason: v?.reasons[0]?.text ?? '',
    };
  });
}
