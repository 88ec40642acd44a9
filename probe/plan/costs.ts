// The phase list's numbers: each phase's measured fixed cost beyond its budget, the fixed budgets
// (registration, the registration-order test, reader cost, contention, the TLB warm-up), the sweep
// grids and the relative weights that share --duration out. Apart from phases.ts, which builds the
// list from them; phases.ts re-exports every name here, so importers need not know the split.
/**
 * Fixed cost of one engine phase beyond its budget: starting and pinning the threads, Prepare,
 * the readers' wind-down after the budget ends, /proc/interrupts before and after, converting the
 * evidence. Measured on the 2-vCPU KVM guest with one reader (other builds running): 1-20 ms over
 * the budget, p50 4 ms; 15 ms covers the p90. Per reader: a thread to start, pin and join and its
 * gaps to match, estimated (no machine here has more than one reader) at 0.1 ms.
 */
export const PHASE_FIXED_MS = 15;
export const PER_READER_MS = 0.1;
/**
 * One calibration sweep point (no evidence kept): 1-7 ms over its budget alone; a 4 s run's 36 points came to 8 ms
 * each.
 */
export const SWEEP_POINT_FIXED_MS = 8;
/** A sweep point's shortest budget: below it a point sees too few trials to rank. */
export const MIN_SWEEP_POINT_MS = 5;
/** The cross-CPU skew measurement before the sweep: 2-6 ms here. */
export const SKEW_MS = 10;
/** measureRegistration: two forked children and an RCU grace period: 26 ms here. */
export const REGISTRATION_MS = 60;
/** The registration-order test's budget (rounds stop starting after it; it ends sooner once a failing order shows):
 * a share of --duration within these bounds, and the gate's. A round is three forked children, 25-75 ms here on a
 * quiet machine, where the defect shows in the first rounds; under load a round takes longer and fewer attempts show
 * it. A larger floor took that time from the strategies of short runs (a 3 s run's PRIVATE_EXPEDITED came out
 * inconclusive), so long runs get the longer test, short ones keep their evidence. */
export const ORDER_SHARE = 0.05;
export const ORDER_MIN_MS = 300;
export const ORDER_MAX_MS = 1000;
export const CHECK_ORDER_MS = 300;
/** The last child runs at least 250 ms (registration_order.cc), whatever budget is left, and is reaped after. */
export const ORDER_ROUND_MS = 260;
/** readerCost's 2e6 iterations of each read side: 56-158 ms here. */
export const READER_COST_MS = 160;
export const READER_COST_ITERATIONS = 2e6;
/** Left at the end: a phase stopped by its capped hard deadline still joins its threads and converts its
 * evidence (up to 60 ms past the cap under load 7 on the 2-vCPU guest), then the online CPUs are re-read. */
export const FINISH_RESERVE_MS = 150;
/** Per writer count: enough calls of a ~30 us barrier for a stable p99. */
export const CONTENTION_BUDGET_MS = 150;

/**
 * The page-table phases' warm-up (issue 14). Linux 6.15+ on AMD gives a process a global ASID, and
 * from then on flushes it with INVLPGB and no IPI, only from consider_global_asid(), which runs after
 * an IPI flush, only in the one jiffy of 32 where (pid & 31) == (jiffies & 31), and only while the mm
 * is active on 4 or more CPUs. 32 jiffies last 320 ms at HZ=100, the slowest tick Linux builds with,
 * so calls made at least once a millisecond (one jiffy at HZ=1000, the fastest) for 4 x 320 ms give
 * the check at least 4 chances at any HZ; sparser calls are judged in the run from their count
 * (run/tlb-warmup.ts). A global ASID stays with the process, so one warm-up serves every later phase.
 */
export const TLB_WINDOW_MS_AT_HZ100 = 320;
export const TLB_WARMUP_WINDOWS = 4;
export const TLB_WARMUP_MS = TLB_WINDOW_MS_AT_HZ100 * TLB_WARMUP_WINDOWS;
/** CPUs the process must be active on for a global ASID (mm_active_cpus_exceeds(mm, 3)). */
export const TLB_GLOBAL_ASID_CPUS = 4;

/** Strategies measured under contention (when their own phase was ok), and the writer counts. */
export const CONTENTION_STRATEGIES = [
  'membarrier-private-expedited',
  'membarrier-global-expedited',
  'mprotect',
  'madvise-dontneed',
];
export const CONTENTION_WRITERS = [1, 2, 4];

/** Calibration's sweep: every pair of cold-line count and writer start offset is tried. */
export interface SweepGrid {
  stuffLines: number[];
  offsetsNs: number[];
}
export const FULL_GRID: SweepGrid = {
  stuffLines: [0, 8, 16, 32],
  offsetsNs: [-200, -100, 0, 100, 200, 300, 400, 600, 800],
};
/**
 * For `check`: four points (each costs ~13 ms), around where the full sweep lands (2-vCPU KVM: 8/200, 16/200, 8/100;
 * TCG: 16/200); its verdict needs the positive control to relax, not the best point.
 */
export const QUICK_GRID: SweepGrid = { stuffLines: [8, 16], offsetsNs: [100, 200] };

// Relative phase lengths; calibration takes a fixed share of the whole run.
export const WEIGHT = {
  control: 1,
  strategy: 1.5,
  slowStrategy: 2,
  delayMatched: 0.6,
  horizonPoint: 0.25,
  scalingPoint: 0.25,
};
export const CALIBRATION_SHARE = 0.07;
/** A control's budget below which the essential phases get too few calls to judge (a strategy gets 1.5x). */
export const MIN_UNIT_MS = 50;
/**
 * Extras (reader cost, contention, scaling) may shrink the essential phases to this share of what they would get alone.
 */
export const EXTRAS_FLOOR = 0.6;
/** The gate's phases (ms): limits only, on a slow machine; they stop at a number of calls first (run/gate.ts). */
export const CHECK_UNIT_MS = 80;
/**
 * The gate's sweep: each point its shortest budget (MIN_SWEEP_POINT_MS); the verdict needs the positive control to
 * relax, not the best point.
 */
export const CHECK_CALIBRATION_MS = 45;

export const phaseFixedMs = (readers: number) => PHASE_FIXED_MS + PER_READER_MS * readers;
