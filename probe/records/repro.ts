// The record `repro --report` gathers (probe/repro/report.ts) and renders as a kernel bug report
// (render/repro-markdown.ts): the machine, the reproducer with what building and running it
// printed, and the probe's evidence for the same strategy. Not part of the saved run report.
import type { Finding } from '../codes.js';

/** Kernel build configuration items (inspect/kernel-config.ts reads them). */
export interface KernelConfigFacts {
  /** The file the items came from, or null when none was readable. */
  source: string | null;
  /** Matching items in file order; "is not set" lines have the value "n". */
  items: { name: string; value: string }[];
  /** Why no file was read (each place tried, with its error). */
  unknown: string | null;
}

/** One command run for the report: what was typed, how it ended, what it printed. */
export interface ReproCommandRun {
  command: string;
  /** null when it did not exit by itself (signal, or killed at the deadline). */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** stdout and stderr, in that order, trimmed. */
  output: string;
  elapsedMs: number;
}

/** The probe's evidence for the strategy, from a saved report or a short run. */
export interface ReproEvidence {
  /** Where it came from, in words ("saved report reports/x.json", "a short probe run"). */
  origin: string;
  generatedAt: string;
  host: string;
  kernelRelease: string | null;
  verdict: string | null;
  reasons: Finding[];
  /** Latency over all calls and over the calls with every reader on its CPU (ns). */
  latencyNs: { p50: number; p99: number; onCpuP50: number | null; onCpuP99: number | null; calls: number } | null;
  interruptedShare: number | null;
  rawInterruptedShare: number | null;
  onCpuCalls: number | null;
  descheduledCalls: number | null;
  /** /proc/interrupts rows per call on the reader CPUs (CAL, TLB, RES...). */
  irqPerCall: Record<string, number> | null;
  readerCpus: number[];
  writerCpu: number | null;
  /** The null-syscall control of the same run: what "interrupts nobody" looks like there. */
  nullCall: { interruptedShare: number | null; p50Ns: number | null } | null;
}

export interface ReproReport {
  kind: 'repro-report';
  tool: { name: string; version: string };
  generatedAt: string;
  strategy: string;
  /** What the reproducer does, one paragraph. */
  what: string;
  /** Where to send the report, in words. */
  sendTo: string;
  kernel: { release: string | null; version: string | null };
  config: KernelConfigFacts;
  cpu: { vendor: string | null; model: string | null; online: number | null; allowed: number[] | null };
  hypervisor: { vendor: string | null; kvmFeatures: string[] | null };
  program: {
    fileName: string;
    source: string;
    buildCommand: string;
    runCommand: string;
    /** The compiler found on PATH (its --version first line), or null. */
    compiler: string | null;
    build: ReproCommandRun | null;
    run: ReproCommandRun | null;
    /** Why it was not built or run, when it was not. */
    notRun: string | null;
  };
  evidence: ReproEvidence | null;
  /** Why there is no probe evidence, when there is none. */
  evidenceMissing: string | null;
}
