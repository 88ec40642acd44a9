// `compare`'s text output: the environment facts that changed, then each verdict before and after.
import type { Comparison } from '../compare.js';
import type { Style } from './style.js';

export function renderCompareText(c: Comparison, s: Style): string {
  let out = c.environment.length ? `${s.head('Environment changes')}\n` : 'environment: no change\n';
  for (const e of c.environment) out += `  ${e.field}: ${e.before} -> ${e.after}\n`;
  out += `${s.head('Verdicts')}\n`;
  for (const v of c.verdicts) {
    const tag =
      v.change === 'worse'
        ? s.bad('worse')
        : v.change === 'better'
          ? s.good('better')
          : v.change === 'flaky'
            ? s.warn('flaky')
            : s.dim('same');
    out += `  ${v.strategy.padEnd(40)}${v.before} -> ${v.after}  ${tag}\n`;
    if (v.flakyReason) out += `    ${v.flakyReason}\n`;
  }
  return out;
}
