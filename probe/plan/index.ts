// plan: from the machine's facts and the user's options to an ExperimentPlan: which CPUs, which
// strategies and controls, how long each may run. Nothing runs here; a plan that cannot be
// carried out (one usable CPU) says why in `blocked`, and the run stage reports that honestly.
import type { ExperimentPlan, MachineFacts, StrategyDescriptor } from '../records.js';
import { UserError } from '../exit-codes.js';
import { withCaps } from '../catalogue.js';
import { formatCpuList } from '../inspect/cpulist.js';
import { chooseCpus, type ReaderCount } from './readers.js';
import {
  CONTENTION_STRATEGIES,
  CONTENTION_WRITERS,
  FULL_GRID,
  planPhases,
  QUICK_GRID,
  TLB_GLOBAL_ASID_CPUS,
} from './phases.js';

export interface PlanOptions {
  /** Whole run, in ms (default 15 s: the 20 s ceiling with margin). */
  durationMs?: number;
  /**
   * Reader threads (default: readers.ts's DEFAULT_READERS, spread over topology classes); 'all': every usable CPU but
   * the writer's.
   */
  readers?: ReaderCount;
  cpus?: number[];
  strategies?: string[];
  seed?: number;
  /** 'check': the install-time gate's short run (two controls, short phases, no extras). */
  profile?: 'full' | 'check';
  /** Time already spent (inspect) that counts against durationMs. */
  spentMs?: number;
}

/** The gate's controls: the positive control and the null syscall. */
export const CHECK_CONTROLS = ['none', 'null-syscall'];

export const DEFAULT_DURATION_MS = 15_000;
/** The controls every run needs, whatever strategies were asked for. */
export const BASE_CONTROLS = ['none', 'writer-fence-only', 'null-syscall', 'mprotect-untouched'];
/** Writer-side delays of the detection horizon (ns): geometric from 50 ns to 20 us, and 0. */
export const HORIZON_DELAYS_NS = [0, 50, 100, 200, 400, 800, 1600, 3200, 6400, 12800, 20000];

export function buildPlan(
  facts: MachineFacts,
  catalogue: StrategyDescriptor[],
  opts: PlanOptions = {},
): ExperimentPlan {
  const allowed = facts.cpus.allowed ?? facts.cpus.onlineList;
  const online = new Set(facts.cpus.onlineList);
  if (opts.cpus) {
    const bad = opts.cpus.filter((c) => !allowed.includes(c) || !online.has(c));
    if (bad.length) {
      throw new UserError(
        `CPU ${formatCpuList(bad)} is offline or outside this process's CPUs (${formatCpuList(allowed)}); choose ` +
          `from those`,
      );
    }
  }
  const usable = (opts.cpus ?? allowed).filter((c) => online.has(c));
  // The one place a --strategies id is checked: every later stage finds it in the catalogue.
  const byId = new Map(catalogue.map((s) => [s.id, s]));
  const wanted = opts.strategies ?? catalogue.filter((s) => !s.control).map((s) => s.id);
  const unknown = wanted.filter((s) => byId.get(s)?.control !== false);
  if (unknown.length) {
    const names = catalogue
      .filter((s) => !s.control)
      .map((s) => s.id)
      .join(', ');
    throw new UserError(`unknown strategy ${unknown.join(', ')}; known strategies: ${names}`);
  }
  if (typeof opts.readers === 'number' && opts.readers > usable.length - 1) {
    throw new UserError(
      `--readers ${opts.readers} needs ${opts.readers + 1} CPUs but only ${usable.length} are usable ` +
        `(${formatCpuList(usable)})`,
    );
  }
  const placement = chooseCpus(usable, facts.cpus.topology, opts.readers ?? null);
  const blocked =
    placement.readers.length === 0
      ? `cannot place a reader on another CPU: only CPU ${formatCpuList(usable)} is usable here`
      : null;
  const scaling: number[] = [];
  for (let r = 1; r < placement.readers.length; r *= 2) scaling.push(r);
  if (placement.readers.length) scaling.push(placement.readers.length);
  const check = opts.profile === 'check';
  const plan: ExperimentPlan = {
    writerCpu: placement.writer,
    readerCpus: placement.readers,
    readerClasses: placement.classes,
    topologyClasses: placement.coverage,
    topologyLimits: placement.limits,
    placement: placement.order,
    blocked,
    strategies: wanted,
    controls: check ? CHECK_CONTROLS : BASE_CONTROLS,
    durationMs: opts.durationMs ?? DEFAULT_DURATION_MS,
    seed: opts.seed ?? Math.floor(Math.random() * 2 ** 31),
    horizonDelaysNs: check ? [0] : HORIZON_DELAYS_NS,
    scalingReaders: check ? [] : scaling,
    timebase: facts.timebase.source === 'clock_gettime' ? 'clock_gettime' : 'cycles',
  };
  if (blocked) return plan;
  const grid = check ? QUICK_GRID : FULL_GRID;
  // system.tlb says broadcast flushing is possible or unknown here: the warm-up keeps the writer and
  // 3 or more readers busy (the plan's readers, then other usable CPUs) so the process is active on 4+.
  const others = usable.filter((c) => c !== placement.writer && !placement.readers.includes(c));
  const warmCount = Math.max(placement.readers.length, TLB_GLOBAL_ASID_CPUS - 1);
  const warmReaders = [...placement.readers, ...others].slice(0, warmCount);
  const tlbWarmupReaders = facts.tlb?.exercise && warmReaders.length + 1 >= TLB_GLOBAL_ASID_CPUS ? warmReaders : null;
  const { phases, budget } = planPhases({
    profile: check ? 'check' : 'full',
    durationMs: plan.durationMs,
    spentMs: opts.spentMs ?? 0,
    readers: plan.readerCpus.length,
    // The main writer is idle while contention runs, so its CPU is the first spare one.
    spareCpus: [placement.writer, ...usable.filter((c) => c !== placement.writer && !placement.readers.includes(c))],
    strategies: plan.strategies,
    controls: plan.controls,
    horizonDelaysNs: plan.horizonDelaysNs,
    scalingReaders: plan.scalingReaders,
    sweepPoints: grid.stuffLines.length * grid.offsetsNs.length,
    contentionStrategies: CONTENTION_STRATEGIES,
    contentionWriters: CONTENTION_WRITERS,
    catalogue: withCaps(catalogue),
    tlbWarmupReaders,
  });
  if (check) plan.durationMs = budget.durationMs;
  return { ...plan, phases, phaseBudget: budget };
}
