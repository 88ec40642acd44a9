// Turns the run command's raw flags into PlanOptions, refusing bad values with a message that
// names the fix (exit 2). yargs only checks types; ranges and lists are checked here.
import { UserError } from './exit-codes.js';
import { parseCpuList } from './inspect/cpulist.js';
import type { PlanOptions } from './plan/index.js';

export interface RawRunArgs {
  duration?: number;
  readers?: number;
  cpus?: string;
  strategies?: string;
  seed?: number;
}

function positive(name: string, v: number | undefined, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new UserError(`--${name} must be a positive ${integer ? 'whole ' : ''}number, got ${JSON.stringify(v)}`);
  }
  return v;
}

export function runOptions(a: RawRunArgs): PlanOptions {
  const duration = positive('duration', a.duration, false);
  const readers = positive('readers', a.readers, true);
  let cpus: number[] | undefined;
  if (a.cpus !== undefined) {
    try {
      cpus = parseCpuList(String(a.cpus));
    } catch {
      throw new UserError(`--cpus takes a CPU list such as 0-3,6, got ${JSON.stringify(a.cpus)}`);
    }
    if (!cpus.length) throw new UserError('--cpus names no CPU');
  }
  const strategies = a.strategies === undefined ? undefined : String(a.strategies).split(',').map((s) => s.trim()).filter(Boolean);
  if (strategies && !strategies.length) throw new UserError('--strategies names no strategy');
  if (a.seed !== undefined && !Number.isInteger(a.seed)) throw new UserError(`--seed must be a whole number, got ${JSON.stringify(a.seed)}`);
  return { durationMs: duration === undefined ? undefined : duration * 1000, readers, cpus, strategies, seed: a.seed };
}
