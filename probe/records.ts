// The typed records that flow one way through the pipeline:
//   MachineFacts (inspect) → ExperimentPlan (plan) → RunEvidence (run) → Analysis → Recommendation → Report
// A stage imports only the records of the stages before it. Names here are part of the JSON
// report format: rename nothing without bumping SCHEMA_VERSION.
// Version 2: reasons, notes and check findings carry codes (probe/codes.ts); report-file.ts migrates version 1.
export const SCHEMA_VERSION = 2;
export * from './records/machine.js';
export * from './records/tlb.js';
export * from './records/plan.js';
export * from './records/run.js';
export * from './records/verdict.js';
export * from './records/repro.js';
