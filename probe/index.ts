// The library entry point. What is exported here is the public API (test/unit/exports.test.ts
// pins it): the pipeline stages and the record types they exchange.
export { inspect } from './inspect/index.js';
export { buildPlan } from './plan/index.js';
export type { PlanOptions } from './plan/index.js';
export { runProbe } from './run/index.js';
export type { Progress, RunOptions } from './run/index.js';
export { renderRunText } from './render/run-text.js';
export { check } from './check.js';
export type { CheckResult } from './check.js';
export { compareReports } from './compare.js';
export type { Comparison } from './compare.js';
export { buildReport, inspectReport } from './report.js';
export { loadReport } from './report-file.js';
export { redactReport } from './redact.js';
export { render, FORMATS } from './render/index.js';
export type { Format } from './render/index.js';
export { analyse } from './analyse/index.js';
export { recommendFor as recommend } from './recommend/index.js';
export { loadNative } from './native.js';
export type { NativeLoad } from './native.js';
export { EXIT, UserError } from './exit-codes.js';
export { renderInspectText } from './render/inspect-text.js';
export { renderJson } from './render/json.js';
export { parseCpuList, formatCpuList } from './inspect/cpulist.js';
// The reason-code registry: code → one-line meaning (README "Reason codes").
export { CODES } from './codes.js';
export * from './records.js';
