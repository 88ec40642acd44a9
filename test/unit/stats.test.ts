// probe/analyse/stats.ts (Clopper-Pearson bounds by the regularised incomplete beta) against
// reference numbers computed independently, not with the same method: exact binomial sums in
// Python's standard library (math.comb), the bound found by bisection on the binomial CDF:
//   upper: P(X <= k; n, p) = 0.05     lower: P(X >= k; n, p) = 0.05
//   I_x(a, b) = P(Binomial(a + b - 1, x) >= a) for integer a, b
// (one-off script, 2026-12-01; python3 3.x, 200 bisection steps). upper95(0, 1000) also matches the
// published "rule of three" (about 3/n) and upper95(0, 10) the table value 0.2589.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { betaInc, lower95, upper95 } from '../../probe/analyse/stats.js';

const near = (got: number | null, want: number, what: string) =>
  assert.ok(
    got !== null && Math.abs(got - want) <= 1e-9 + 1e-7 * want,
    `${what}: ${got} against the reference ${want}`,
  );

const UPPER: [number, number, number][] = [
  [0, 10, 0.2588655508930523],
  [1, 10, 0.3941633024365049],
  [3, 20, 0.3436638043142818],
  [5, 100, 0.10225337764327452],
  [50, 100, 0.5863782853690882],
  [10, 1000, 0.016903175120562552],
  [0, 1000, 0.002991249545095276],
  [999, 1000, 0.9999487080210909],
  [20, 21, 0.9975604427403311],
];
const LOWER: [number, number, number][] = [
  [1, 10, 0.005116196891823688],
  [3, 20, 0.042169407885778554],
  [5, 100, 0.019905563662171832],
  [50, 100, 0.4136217146309117],
  [999, 1000, 0.9952650064245001],
  [10, 10, 0.7411344491069478],
  [20, 21, 0.7932746209919299],
  [100, 100, 0.9704869503929601],
];
const BETA: [number, number, number, number][] = [
  [2, 3, 0.4, 0.5248],
  [5, 5, 0.5, 0.5],
  [1, 10, 0.1, 0.6513215599],
  [10, 2, 0.9, 0.6973568802000001],
  [30, 70, 0.25, 0.13581490428342735],
];

test('upper95: one-sided 95% Clopper-Pearson upper bound matches exact binomial references', () => {
  for (const [k, n, want] of UPPER) near(upper95(k, n), want, `upper95(${k}, ${n})`);
});

test('lower95: one-sided 95% Clopper-Pearson lower bound matches exact binomial references', () => {
  for (const [k, n, want] of LOWER) near(lower95(k, n), want, `lower95(${k}, ${n})`);
});

test('betaInc: the regularised incomplete beta matches binomial tails', () => {
  for (const [a, b, x, want] of BETA) near(betaInc(a, b, x), want, `I_${x}(${a}, ${b})`);
});

test('edges: no trials is no bound; all events bound the rate at 1, no successes the share at 0', () => {
  assert.is(upper95(0, 0), null);
  assert.is(lower95(0, 0), null);
  assert.is(upper95(7, 7), 1);
  assert.is(lower95(0, 7), 0);
});

test.run();
