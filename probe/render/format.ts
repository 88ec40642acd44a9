import { formatCpuList } from '../inspect/cpulist.js';

// Number formatting shared by the text, Markdown and HTML views, so they never disagree.
export const fmtNs = (ns: number | null | undefined): string =>
  ns === null || ns === undefined
    ? '-'
    : ns >= 1e6
      ? `${(ns / 1e6).toFixed(1)} ms`
      : ns >= 1000
        ? `${(ns / 1000).toFixed(1)} us`
        : `${ns.toFixed(0)} ns`;

export const fmtShare = (v: number | null | undefined): string =>
  v === null || v === undefined ? '-' : `${(v * 100).toFixed(v > 0.999 || v < 0.01 ? 2 : 1)}%`;

export const fmtRate = (v: number | null | undefined): string =>
  v === null || v === undefined ? '-' : v === 0 ? '0' : v < 1e-4 ? v.toExponential(1) : `${(v * 100).toFixed(3)}%`;

/** A reader list as given while short; compacted ("1-383") beyond 16, where the order no longer reads. */
export const fmtCpus = (cpus: readonly number[], sep = ', '): string =>
  cpus.length > 16 ? formatCpuList(cpus) : cpus.join(sep);
