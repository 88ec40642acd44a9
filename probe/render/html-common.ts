// What every part of the HTML report shares: verdict colours, the page width, number formats, and
// the order of strategies and controls.
import type { Report, StrategyEvidence, Verdict, VerdictClass } from '../records.js';
import { type Safe, h } from './svg.js';

export const COLOR: Record<VerdictClass, string> = {
  verified: '#1a7f37',
  refuted: '#cf222e',
  inconclusive: '#b58100',
  unavailable: '#6e7781',
};
export const SEVERITY: Record<string, string> = { unsafe: '#cf222e', warning: '#b58100', note: '#0969da' };
export const NULL_MARK = '#8250df';
export const W = 1200;

export const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : NaN);
export const count = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '?');
export const short = (v: number): string =>
  v >= 1e6 ? `${+(v / 1e6).toPrecision(3)}M` : v >= 1e4 ? `${Math.round(v / 1e3)}k` : count(v);
export function ns(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const [d, u] = v >= 1e9 ? [1e9, 's'] : v >= 1e6 ? [1e6, 'ms'] : v >= 1e3 ? [1e3, 'µs'] : [1, 'ns'];
  const x = v / d;
  return `${x >= 100 || (d === 1 && x >= 10) ? x.toFixed(0) : x >= 10 || d === 1 ? x.toFixed(1) : x.toFixed(2)} ${u}`;
}
export function pct(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const p = v * 100;
  const digits = (): string => {
    if (p === 0 || p === 100) return p.toFixed(0);
    if (p >= 99.9 || p < 0.1) return p.toPrecision(p < 0.1 ? 2 : 5);
    return p < 10 ? p.toFixed(2) : p.toFixed(1);
  };
  return `${digits()}%`;
}
export const tick = (v: number): string => ns(v).replace(/\.0+ /, ' ');
export const verdictOf = (r: Report, key: string): Verdict | undefined => r.analysis?.verdicts?.[key];
export const colorOf = (r: Report, key: string): string =>
  COLOR[verdictOf(r, key)?.verdict ?? 'unavailable'] ?? COLOR.unavailable;
export const badge = (v: string): Safe => h`<span class="badge v-${v}">${v}</span>`;

// Strategies first, then controls, in the run's order: the same order in every table and chart.
export function entries(r: Report): { key: string; e: StrategyEvidence; control: boolean }[] {
  const s = Object.entries(r.results?.strategies ?? {}).map(([key, e]) => ({ key, e, control: false }));
  return [...s, ...Object.entries(r.results?.controls ?? {}).map(([key, e]) => ({ key, e, control: true }))];
}

export const VERDICT_LEGEND = (['verified', 'refuted', 'inconclusive', 'unavailable'] as VerdictClass[]).map((v) => ({
  label: v,
  color: COLOR[v],
  kind: 'box' as const,
}));
