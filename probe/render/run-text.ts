// The human summary of `run`: the raw evidence per strategy and control, the horizon and the
// calibration. Verdicts come from a later stage; this view only shows what was measured.
import type { RunReport, StrategyEvidence } from '../records.js';
import { fmtNs as us } from './format.js';
import type { Style } from './style.js';

const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(v >= 0.995 || v < 0.01 ? 1 : 0)}%`);

function row(e: StrategyEvidence, s: Style): string {
  const name = e.id.padEnd(44);
  if (e.status !== 'ok')
    return `  ${name}${s.warn(e.status)} ${s.dim(e.error ? `${e.error.code}: ${e.error.what}` : '')}`;
  const v = e.sb.violations;
  const m = e.mechanism;
  const irq = m?.irqPerCall
    ? Object.entries(m.irqPerCall)
        .filter(([, n]) => n >= 0.01)
        .map(([k, n]) => `${k} ${n.toFixed(2)}`)
        .join(' ')
    : '';
  return (
    `  ${name}${String(e.sb.trials).padStart(9)} ${(v ? s.bad(String(v)) : '0').padStart(9)}  ` +
    `${(e.latencyNs ? us(e.latencyNs.p50) : '-').padStart(9)}` +
    ` ${(e.latencyNs ? us(e.latencyNs.p99) : '-').padStart(9)}  ` +
    `${pct(m?.interruptedShare ?? null).padStart(7)} ${pct(m?.rawInterruptedShare ?? null).padStart(7)}` +
    ` ${String(m?.descheduledCalls ?? '-').padStart(6)}  ${s.dim(irq)}`
  );
}

export function renderRunText(r: RunReport, s: Style): string {
  const res = r.results;
  const out = [
    s.head(`${r.tool.name} ${r.tool.version} run`) + s.dim(`  ${r.system.platform.hostname}  ${r.generatedAt}`),
  ];
  out.push(
    `  writer CPU ${res.cpus.writer}, reader CPUs ${res.cpus.readers.join(', ') || 'none'}` +
      `; ${(res.elapsedMs / 1000).toFixed(1)} s${res.cancelled ? s.warn(' (interrupted)') : ''}`,
  );
  for (const n of res.notes) out.push(`  ${s.warn(n.text)}`);
  const c = res.calibration;
  if (c) {
    out.push(
      `  calibration: ${c.timebase.source} at ${c.timebase.ticksPerNs.toFixed(3)} ticks/ns, ` +
        `skew ${c.skew ? `${c.skew.offsetNs.toFixed(0)} ± ${c.skew.uncertaintyNs.toFixed(0)} ns` : 'unknown'}, ` +
        `K=${c.stuffLines} cold lines, writer offset ${c.offsetNs} ns, gap ` +
        `thresholds ${c.gapThresholdNs.spin.toFixed(0)}/${c.gapThresholdNs.trial.toFixed(0)} ns`,
    );
  }
  const header =
    `  ${'strategy'.padEnd(44)}${'trials'.padStart(9)} ${'00 seen'.padStart(9)}  ${'p50'.padStart(9)}` +
    ` ${'p99'.padStart(9)}  ${'intr'.padStart(7)} ${'raw'.padStart(7)} ${'desch'.padStart(6)}  irq/call`;
  out.push('', s.head('Strategies'), s.dim(header), ...Object.values(res.strategies).map((e) => row(e, s)));
  out.push('', s.head('Controls'), s.dim(header), ...Object.values(res.controls).map((e) => row(e, s)));
  if (res.horizon) {
    out.push('', s.head('Detection horizon') + s.dim(' (positive control with a writer-side delay)'));
    out.push(`  ${res.horizon.points.map((p) => `${us(p.delayNs)}: ${pct(p.rate)}`).join(', ')}`);
    out.push(
      `  largest delay still detected: ${res.horizon.horizonNs === null ? s.bad('none') : us(res.horizon.horizonNs)}`,
    );
  }
  if (res.readerCost)
    out.push(
      '',
      `  read side: ${res.readerCost.compilerBarrierNs.toFixed(2)} ns with a compiler ` +
        `barrier, ${res.readerCost.fullFenceNs.toFixed(2)} ns with a full fence`,
    );
  return out.join('\n') + '\n';
}
