// The strategy catalogue: every strategy and control with its capabilities, as the C++ registry
// declares them (native/strategy.h, StrategyCaps) and engine.strategies() exports them. Every stage
// that decides something per strategy (risks, defects, plan, verdicts, recommendation, rendering)
// asks these flags, the way liburcu's callers read one flavour table (STYLE.md); none compares ids.
//
// CATALOGUE is a copy for the paths that have no addon (inspect, rendering a saved report) and for
// reports saved before results.catalogue existed; test/unit/catalogue.test.ts keeps it equal to
// the engine's own list. A descriptor without caps (an older addon or report) gets them from the
// copy by id; one the copy does not know keeps none and matches no capability: never a guess.
import type { RunEvidence, StrategyCapabilities, StrategyDescriptor } from './records.js';

type Caps = StrategyCapabilities;
const NOT_MEMBARRIER = {
  membarrier: null,
  crossProcess: false,
  mlockedPage: false,
  concurrentWriters: true,
  slow: false,
  controlKind: null,
  registrationOrderSensitive: false,
} as const;
const membarrier = (
  command: string,
  register: string | null,
  sinceKernel: [number, number],
  crossProcess: boolean,
  slow: boolean,
): Caps => ({
  ...NOT_MEMBARRIER,
  family: 'membarrier',
  membarrier: { command, register, sinceKernel },
  crossProcess,
  slow,
});
const pageTable = (mlockedPage: boolean): Caps => ({ ...NOT_MEMBARRIER, family: 'page-table', mlockedPage });
const control = (controlKind: NonNullable<Caps['controlKind']>): Caps => ({
  ...NOT_MEMBARRIER,
  family: 'control',
  controlKind,
});

const entry = (
  id: string,
  isControl: boolean,
  readerSide: StrategyDescriptor['readerSide'],
  remoteInterruption: boolean,
  calls: string,
  caps: Caps,
): Resolved => ({ id, control: isControl, readerSide, remoteInterruption, calls, caps });

/** In report order, as native/registry.cc lists them. */
export const CATALOGUE: readonly Resolved[] = [
  entry(
    'membarrier-private-expedited',
    false,
    'compiler-barrier',
    true,
    'membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)',
    membarrier('MEMBARRIER_CMD_PRIVATE_EXPEDITED', 'MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED', [4, 14], false, false),
  ),
  entry(
    'membarrier-private-expedited-sync-core',
    false,
    'compiler-barrier',
    true,
    'membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE)',
    membarrier(
      'MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE',
      'MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE',
      [4, 16],
      false,
      false,
    ),
  ),
  entry('membarrier-global-expedited', false, 'compiler-barrier', true, 'membarrier(MEMBARRIER_CMD_GLOBAL_EXPEDITED)', {
    ...membarrier('MEMBARRIER_CMD_GLOBAL_EXPEDITED', 'MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED', [4, 16], true, false),
    registrationOrderSensitive: true,
  }),
  entry(
    'membarrier-global',
    false,
    'compiler-barrier',
    false,
    'membarrier(MEMBARRIER_CMD_GLOBAL)',
    membarrier('MEMBARRIER_CMD_GLOBAL', null, [4, 3], true, true),
  ),
  entry(
    'mprotect',
    false,
    'compiler-barrier',
    true,
    'mprotect(PROT_READ|PROT_WRITE); store to the page; mprotect(PROT_READ)',
    pageTable(true),
  ),
  entry(
    'madvise-dontneed',
    false,
    'compiler-barrier',
    true,
    'store to the page (fault it in); madvise(MADV_DONTNEED)',
    pageTable(false),
  ),
  entry(
    'signals',
    false,
    'compiler-barrier',
    true,
    "pthread_kill(reader, SIGRTMIN+7) to every reader; wait for each handler's acknowledgement",
    { ...NOT_MEMBARRIER, family: 'signals', concurrentWriters: false },
  ),
  entry('symmetric-fence', false, 'full-fence', false, 'full fence on writer and readers', {
    ...NOT_MEMBARRIER,
    family: 'fence',
  }),
  entry('none', true, 'compiler-barrier', false, 'compiler barrier only', control('positive')),
  entry('writer-fence-only', true, 'compiler-barrier', false, 'full fence on the writer only', control('negative')),
  entry('null-syscall', true, 'compiler-barrier', true, 'syscall(SYS_getpid)', control('null-call')),
  entry(
    'mprotect-untouched',
    true,
    'compiler-barrier',
    true,
    'mprotect(PROT_READ|PROT_WRITE); mprotect(PROT_READ) on a never-touched page',
    control('negative'),
  ),
  entry(
    'delay-matched',
    true,
    'compiler-barrier',
    true,
    "spin for the strategy's median latency",
    control('delay-matched'),
  ),
];

/** A descriptor whose capabilities are known. */
export type Resolved = StrategyDescriptor & { caps: Caps };

const copyById = new Map(CATALOGUE.map((d) => [d.id, d]));

/** The list with every descriptor's caps filled in from the copy where the source had none. */
export function withCaps(list: readonly StrategyDescriptor[]): StrategyDescriptor[] {
  return list.map((d) => (d.caps || !copyById.has(d.id) ? d : { ...d, caps: copyById.get(d.id)!.caps }));
}

/** The catalogue a run used (saved with it), else the copy. */
export function catalogueOf(run?: Pick<RunEvidence, 'catalogue'> | null): StrategyDescriptor[] {
  return withCaps(run?.catalogue ?? CATALOGUE);
}

const resolved = (d: StrategyDescriptor): d is Resolved => d.caps !== undefined;

/** Capabilities of one id (a strategy, or a control's engine id), or null when unknown. */
export function capsOf(cat: readonly StrategyDescriptor[], id: string): Caps | null {
  const d = cat.find((x) => x.id === id);
  return d?.caps ?? copyById.get(id)?.caps ?? null;
}

/** Ids of the strategies (never controls) whose descriptor satisfies `pred`, in catalogue order. */
export function strategiesWhere(cat: readonly StrategyDescriptor[], pred: (d: Resolved) => boolean): string[] {
  return cat
    .filter(resolved)
    .filter((d) => !d.control && pred(d))
    .map((d) => d.id);
}

/** The engine id of the (first) control of this kind, or null where the catalogue has none. */
export function controlOfKind(
  cat: readonly StrategyDescriptor[],
  kind: NonNullable<Caps['controlKind']>,
): string | null {
  return cat.filter(resolved).find((d) => d.caps.controlKind === kind)?.id ?? null;
}

// The groups risks and defects name, each stated by what the kernel or hardware breaks.
/** Any membarrier(2) command: seccomp, an emulated kernel or rr breaks them all. */
export const isMembarrier = (d: Resolved) => d.caps.family === 'membarrier';
/** The expedited commands: they interrupt CPUs (IPIs), and the kernel serialises them with a mutex. */
export const isExpedited = (d: Resolved) => d.caps.family === 'membarrier' && d.remoteInterruption;
/** A TLB shootdown stands in for the barrier: broken wherever a flush needs no IPI. */
export const isPageTable = (d: Resolved) => d.caps.family === 'page-table';
/** Its reach depends on the order of registration and thread starts (GLOBAL_EXPEDITED's runqueue cache). */
export const isRegistrationOrderSensitive = (d: Resolved) => d.caps.registrationOrderSensitive === true;
/** Its command arrived in `since` or later: absent on an older kernel. */
export const membarrierSince = (major: number, minor: number) => (d: Resolved) => {
  const v = d.caps.membarrier?.sinceKernel;
  return v !== undefined && (v[0] > major || (v[0] === major && v[1] >= minor));
};

/** The evidence of the run's control of this kind (the positive control, the null call), if it ran. */
export function controlEvidence<E>(
  run: Pick<RunEvidence, 'catalogue'> & { controls: Record<string, E> },
  kind: NonNullable<Caps['controlKind']>,
): E | undefined {
  const id = controlOfKind(catalogueOf(run), kind);
  return id === null ? undefined : run.controls[id];
}

/** What kind of control an engine id is (null for a strategy or an unknown id). */
export const controlKindOf = (run: Pick<RunEvidence, 'catalogue'> | null | undefined, engineId: string) =>
  capsOf(catalogueOf(run), engineId)?.controlKind ?? null;
