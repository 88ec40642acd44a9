// `check`'s output: one line per requirement in text, or the gate's result as JSON (the requirements
// and the host they were checked on, not the whole report).
import type { CheckResult } from '../check.js';
import { renderJson } from './json.js';
import type { Style } from './style.js';

export function renderCheckText(res: CheckResult, s: Style): string {
  return res.requirements
    .map((r) => {
      const tag =
        r.verdict === 'verified'
          ? s.good('met')
          : r.verdict === 'inconclusive'
            ? s.warn('inconclusive')
            : s.bad('not met');
      return `${r.strategy}: ${tag} (${r.verdict}): ${r.reason.text}\n`;
    })
    .join('');
}

export function renderCheckJson(res: CheckResult): string {
  const system = { host: res.report.system.platform.hostname, kernel: res.report.system.kernel.release };
  return renderJson({ met: res.met, exitCode: res.exitCode, requirements: res.requirements, system });
}
