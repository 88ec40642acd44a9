// Turns the run command's raw flags into PlanOptions, refusing bad values with a message that
// names the fix (exit 2). yargs only checks types; ranges and lists are checked here.
import { UserError } from './exit-codes.js';
import { parseCpuList } from './inspect/cpulist.js';
import type { PlanOptions } from './plan/index.js';
import type { ReaderCount } from './plan/readers.js';

export interface RawRunArgs {
  duration?: number;
  /** A whole number or "all" (yargs hands over the text, so "abc" is ours to refuse). */
  readers?: number | string;
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

function readerCount(v: number | string | undefined): ReaderCount | undefined {
  if (v === undefined) return undefined;
  const t = String(v).trim();
  if (t === 'all') return 'all';
  if (!/^\d+$/.test(t) || Number(t) < 1)
    throw new UserError(`--readers takes a positive whole number or "all", got ${JSON.stringify(String(v))}`);
  return Number(t);
}

// parseCpuList merges repeats ("1,1" is one CPU), which would silently run one reader fewer than
// named, or put the writer on its own reader's CPU: a repeat is refused instead.
function duplicateCpus(text: string): number[] {
  const seen = new Map<number, number>();
  for (const part of text.split(',')) for (const c of parseCpuList(part)) seen.set(c, (seen.get(c) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([c]) => c);
}

export function runOptions(a: RawRunArgs): PlanOptions {
  const duration = positive('duration', a.duration, false);
  const readers = readerCount(a.readers);
  let cpus: number[] | undefined;
  if (a.cpus !== undefined) {
    try {
      cpus = parseCpuList(String(a.cpus));
    } catch {
      throw new UserError(`--cpus takes a CPU list such as 0-3,6, got ${JSON.stringify(a.cpus)}`);
    }
    if (!cpus.length) throw new UserError('--cpus names no CPU');
    const twice = duplicateCpus(String(a.cpus));
    if (twice.length)
      throw new UserError(
        `--cpus names CPU ${twice.join(', ')} more than once; name each CPU once (the first is the writer's)`,
      );
  }
  const strategies =
    a.strategies === undefined
      ? undefined
      : String(a.strategies)
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  if (strategies && !strategies.length) throw new UserError('--strategies names no strategy');
  if (a.seed !== undefined && !Number.isInteger(a.seed))
    throw new UserError(`--seed must be a whole number, got ${JSON.stringify(a.seed)}`);
  return { durationMs: duration === undefined ? undefined : duration * 1000, readers, cpus, strategies, seed: a.seed };
}
