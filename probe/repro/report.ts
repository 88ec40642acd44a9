// repro --report, the gathering half: builds one ReproReport record from the machine facts
// (inspect), the kernel configuration, the reproducer built and run here, and the probe's
// evidence for the same strategy. render/repro-markdown.ts turns the record into Markdown.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlEvidence } from '../catalogue.js';
import { readKernelConfig } from '../inspect/kernel-config.js';
import type { MachineFacts, Report, ReproCommandRun, ReproEvidence, ReproReport } from '../records.js';
import { TOOL } from '../version.js';
import { buildCommand, reproFileName, type ReproPlan } from './index.js';

/** The reproducer's own deadline is 10 s an attempt; this bounds the whole run for the report. */
export const RUN_DEADLINE_MS = 180_000;

function runOne(cmd: string, args: string[], cwd: string, timeoutMs: number): ReproCommandRun {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: timeoutMs });
  const output = [r.stdout, r.stderr, r.error && !r.stdout && !r.stderr ? String(r.error.message) : '']
    .filter(Boolean)
    .join('')
    .trim();
  return {
    command: [cmd, ...args].join(' '),
    exitCode: r.status,
    signal: r.signal ?? null,
    timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT',
    output,
    elapsedMs: Math.round(performance.now() - t0),
  };
}

/** The first line of `cc --version`, or null when there is no cc on PATH. */
export function compilerVersion(): string | null {
  const r = spawnSync('cc', ['--version'], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0 ? r.stdout.split('\n')[0].trim() : null;
}

/** Builds the source with the system cc and runs it (attempts as given), in a temporary folder. */
export function buildAndRun(p: ReproPlan, source: string, attempts: number): ReproReport['program'] {
  const fileName = reproFileName(p.strategy),
    exe = `repro-${p.strategy}`;
  const runArgs = ['-n', String(attempts)];
  const runCommand = `./${exe} ${runArgs.join(' ')}`;
  const base = { fileName, source, buildCommand: buildCommand(fileName, exe), runCommand };
  const compiler = compilerVersion();
  if (!compiler) {
    return { ...base, compiler, build: null, run: null, notRun: 'no C compiler (cc) on PATH: not built or run here' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'membarrier-probe-repro-'));
  try {
    writeFileSync(join(dir, fileName), source);
    const build = runOne('cc', ['-O2', '-pthread', '-o', exe, fileName], dir, 60_000);
    if (build.exitCode !== 0) return { ...base, compiler, build, run: null, notRun: 'the build failed: not run' };
    const run = runOne(`./${exe}`, runArgs, dir, RUN_DEADLINE_MS);
    return { ...base, compiler, build, run, notRun: null };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The strategy's evidence in a report, or a reason it has none. */
export function evidenceFrom(r: Report, id: string, origin: string): ReproEvidence | string {
  const e = r.results.strategies[id] ?? r.results.controls[id];
  if (!e) return `${origin} has no results for ${id} (run the probe with --strategies ${id})`;
  const v = r.analysis.verdicts[id];
  const m = e.mechanism,
    l = e.latencyNs;
  const nul = controlEvidence(r.results, 'null-call');
  return {
    origin,
    generatedAt: r.generatedAt,
    host: r.system.platform.hostname,
    kernelRelease: r.system.kernel.release,
    verdict: v?.verdict ?? null,
    reasons: v?.reasons ?? [],
    latencyNs: l
      ? {
          p50: l.p50,
          p99: l.p99,
          calls: l.calls,
          onCpuP50: l.onCpu?.calls ? l.onCpu.p50 : null,
          onCpuP99: l.onCpu?.calls ? l.onCpu.p99 : null,
        }
      : null,
    interruptedShare: m?.interruptedShare ?? null,
    rawInterruptedShare: m?.rawInterruptedShare ?? null,
    onCpuCalls: m?.onCpuCalls ?? null,
    descheduledCalls: m?.descheduledCalls ?? null,
    irqPerCall: m?.irqPerCall ?? null,
    readerCpus: r.results.cpus.readers,
    writerCpu: r.results.cpus.writer,
    nullCall: nul
      ? { interruptedShare: nul.mechanism?.interruptedShare ?? null, p50Ns: nul.latencyNs?.p50 ?? null }
      : null,
  };
}

export interface GatherInput {
  plan: ReproPlan;
  source: string;
  facts: MachineFacts;
  /** The evidence, or why there is none. */
  evidence: ReproEvidence | string;
  attempts: number;
}

export async function gatherReproReport(g: GatherInput): Promise<ReproReport> {
  const f = g.facts;
  const config = await readKernelConfig(f.kernel.release);
  return {
    kind: 'repro-report',
    tool: { name: TOOL.name, version: TOOL.version },
    generatedAt: new Date().toISOString(),
    strategy: g.plan.strategy,
    what: g.plan.what,
    sendTo: g.plan.sendTo,
    kernel: { release: f.kernel.release, version: f.kernel.version },
    config,
    cpu: { vendor: f.cpus.vendor, model: f.cpus.modelName, online: f.cpus.online, allowed: f.cpus.allowed },
    hypervisor: { vendor: f.hypervisor.vendor, kvmFeatures: f.hypervisor.kvm?.names ?? null },
    program: buildAndRun(g.plan, g.source, g.attempts),
    evidence: typeof g.evidence === 'string' ? null : g.evidence,
    evidenceMissing: typeof g.evidence === 'string' ? g.evidence : null,
  };
}
