// The detection horizon: how long a writer-side delay SB can still see through. The positive
// control runs with the writer spinning for each delay between its store and its load; past the
// horizon, a broken barrier that merely takes that long finds no violation either, so SB alone
// says nothing about strategies slower than it.
import type { HorizonEvidence } from '../records.js';

export function horizonDelays(base: number[], medians: number[]): number[] {
  return [...new Set([...base, ...medians.filter((m) => m > 0).map((m) => Math.round(m))])].sort((a, b) => a - b);
}

export function summariseHorizon(points: HorizonEvidence['points']): HorizonEvidence {
  const detected = points.filter((p) => p.violations > 0).map((p) => p.delayNs);
  return { points, horizonNs: detected.length ? Math.max(...detected) : null };
}

/** SB detection rate at `delayNs`, interpolated on the measured curve (0 past its last point). */
export function detectionRateAt(h: HorizonEvidence, delayNs: number): number {
  const pts = [...h.points].sort((a, b) => a.delayNs - b.delayNs);
  if (!pts.length) return 0;
  if (delayNs <= pts[0].delayNs) return pts[0].rate;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1],
      b = pts[i];
    if (delayNs <= b.delayNs) return a.rate + ((b.rate - a.rate) * (delayNs - a.delayNs)) / (b.delayNs - a.delayNs);
  }
  return pts[pts.length - 1].rate;
}
