// repro: writes one standalone C program (libc and pthreads only) that shows, outside the probe,
// what the probe measured for one strategy: whether its heavy barrier call interrupts a reader
// spinning on another CPU. Which C block a strategy gets derives from its capabilities
// (catalogue.ts), never from its id; strategies whose call is not meant to interrupt anyone
// (fences, MEMBARRIER_CMD_GLOBAL's grace period) cannot be judged this way and are refused.
import { CATALOGUE, type Resolved } from '../catalogue.js';
import { UserError } from '../exit-codes.js';
import { C_PRELUDE } from './c-prelude.js';
import { C_MAIN } from './c-main.js';
import { C_SKELETON } from './c-skeleton.js';
import { MEMBARRIER_COMMANDS, membarrierBlock, pageBlock, SIGNALS_BLOCK } from './c-strategies.js';

export const DEFAULT_ATTEMPTS = 20;
export const DEFAULT_CALLS = 2000;

export interface ReproPlan {
  strategy: string;
  /** What the program shows, one paragraph (the C file's header and the bug report say it). */
  what: string;
  /** Appended to the summary line (the demonstration says that its missed calls are by design). */
  note: string;
  block: string;
  /** A known-broken control shown on purpose: its exit 1 is by design. */
  demonstration: boolean;
  /** Where a report of this defect goes, in words (render/repro-markdown.ts prints it). */
  sendTo: string;
}

// Who maintains what, per the kernel's MAINTAINERS file: its "MEMBARRIER SUPPORT" entry covers
// kernel/sched/membarrier.c (two maintainers, list linux-kernel@vger.kernel.org);
// scripts/get_maintainer.pl names the current people for any file.
const SEND_MEMBARRIER =
  'the maintainers of kernel/sched/membarrier.c (MAINTAINERS entry "MEMBARRIER SUPPORT"; ' +
  '`scripts/get_maintainer.pl -f kernel/sched/membarrier.c` prints them), copying linux-kernel@vger.kernel.org';
const SEND_MM =
  'the memory-management and architecture TLB maintainers: `scripts/get_maintainer.pl -f mm/mprotect.c ' +
  'arch/x86/mm/tlb.c` (arm64: arch/arm64/include/asm/tlbflush.h), copying linux-mm@kvack.org and ' +
  'linux-kernel@vger.kernel.org';
const SEND_SIGNALS =
  'the signal-handling maintainers: `scripts/get_maintainer.pl -f kernel/signal.c`, copying ' +
  'linux-kernel@vger.kernel.org';
const SEND_NOBODY = 'nobody: this program is a demonstration, and its exit 1 is by design';

const known = (c: string | null) => c === null || MEMBARRIER_COMMANDS.includes(c);

/** The C block for a descriptor, or null when its call cannot be judged by interrupting a reader. */
export function planFor(d: Resolved): ReproPlan | null {
  if (!d.remoteInterruption) return null;
  const c = d.caps;
  const base = { strategy: d.id, note: '', sendTo: SEND_MEMBARRIER, demonstration: false };
  if (c.family === 'membarrier' && c.membarrier && known(c.membarrier.command) && known(c.membarrier.register)) {
    const { command, register } = c.membarrier;
    return {
      ...base,
      block: membarrierBlock(command, register),
      what:
        `Calls membarrier(${command}) from the writer's CPU while a reader thread of the same process spins on ` +
        `another ` +
        'CPU, and counts the calls that did not interrupt the reader. The order is the one that exposes a stale ' +
        "runqueue membarrier state: a helper thread runs briefly on the reader's CPU and exits (that CPU idles, " +
        'still ' +
        `holding the process's mm), then ${register ?? 'nothing'} is registered, then the reader starts. ` +
        'Every expedited ' +
        'call must interrupt every CPU running a thread of the process: a missed call is a kernel defect, or a ' +
        'sandbox ' +
        'that answers 0 without running the command.',
    };
  }
  if (c.family === 'page-table') {
    // The strategy that keeps its page (mlocked) downgrades it; the other drops it.
    const downgrade = c.mlockedPage;
    return {
      ...base,
      sendTo: SEND_MM,
      block: pageBlock(downgrade, true),
      what:
        (downgrade
          ? 'Touches a page, then downgrades it with mprotect(PROT_READ)'
          : 'Touches a page, then drops it with madvise(MADV_DONTNEED)') +
        ", from the writer's CPU, while a reader thread spins on another CPU; the TLB shootdown must interrupt " +
        'every CPU ' +
        'that may cache the mapping. A missed call means the flush needed no IPI here (a broadcast TLB flush such as ' +
        'INVLPGB, or a hypervisor that flushes for the guest), so this strategy is no barrier on this machine.',
    };
  }
  if (c.family === 'signals') {
    return {
      ...base,
      sendTo: SEND_SIGNALS,
      block: SIGNALS_BLOCK,
      what:
        'Sends a signal to a reader thread spinning on another CPU and waits ' +
        "for its handler's acknowledgement; the handler runs on the reader's CPU, so every call must interrupt it.",
    };
  }
  if (c.family === 'control' && c.controlKind === 'negative') {
    // The negative control that makes a call: the shootdown's look-alike on a page nothing mapped.
    return {
      ...base,
      sendTo: SEND_NOBODY,
      demonstration: true,
      block: pageBlock(true, false),
      note:
        '; a demonstration: an untouched page has no TLB entry to flush, so no call interrupts the reader ' +
        '(exit 1 by design)',
      what:
        'A DEMONSTRATION, not a defect: downgrades a page that was never touched with mprotect(PROT_READ). Nothing ' +
        'is mapped, so there is nothing to flush and no IPI: the reader is never interrupted, and the program ' +
        'exits 1 ' +
        'by design. It shows what a barrier that reaches nobody looks like to this reproducer.',
    };
  }
  return null;
}

/** The ids repro accepts, in catalogue order. */
export const supportedStrategies = (cat: readonly Resolved[] = CATALOGUE) =>
  cat.filter((d) => planFor(d) !== null).map((d) => d.id);

/** The plan for `id`, or a one-line UserError (exit 2) listing the ids that have one. */
export function reproPlan(id: string, cat: readonly Resolved[] = CATALOGUE): ReproPlan {
  const d = cat.find((x) => x.id === id);
  const plan = d ? planFor(d) : null;
  if (!plan) {
    const why = d
      ? `${id} has no reproducer (its call is not meant to interrupt other CPUs)`
      : `unknown strategy ${JSON.stringify(id)}`;
    throw new UserError(`${why}; repro supports ${supportedStrategies(cat).join(', ')}`);
  }
  return plan;
}

export const reproFileName = (id: string) => `repro-${id}.c`;
export const buildCommand = (cFile: string, exe: string) => `cc -O2 -pthread -o ${exe} ${cFile}`;

const wrap = (text: string, width = 96) =>
  text.split(' ').reduce<string[]>((lines, w) => {
    const last = lines[lines.length - 1];
    if (last !== undefined && (last + ' ' + w).length <= width) lines[lines.length - 1] = `${last} ${w}`;
    else lines.push(w);
    return lines;
  }, []);

/** The complete C source for a plan. */
export function reproSource(p: ReproPlan, tool: string): string {
  const exe = `repro-${p.strategy}`;
  const header = [
    `${tool} repro: ${p.strategy}`,
    '',
    ...wrap(p.what),
    '',
    `Build: ${buildCommand(reproFileName(p.strategy), exe)}`,
    `Run:   ./${exe} [-n ATTEMPTS (${DEFAULT_ATTEMPTS})] [-c CALLS (${DEFAULT_CALLS})]`,
    '       [-w WRITER_CPU] [-r READER_CPU] [-v (one line per attempt on stderr)]',
    'Prints one summary line. Exit 1: the defect showed (in some attempt the reader missed more than a tenth of the',
    'calls); 0: it did not in any attempt; 2: cannot set up (ENOSYS, EPERM, fewer than 2 CPUs, affinity refused).',
    'Each attempt runs in a fresh child process with a 10 s deadline; every wait has a deadline.',
  ];
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return [
    `/* ${header.join('\n   ').replace(/\*\//g, '* /')}\n*/`,
    `#define REPRO_STRATEGY "${esc(p.strategy)}"`,
    `#define REPRO_NOTE "${esc(p.note)}"`,
    `#define REPRO_DEFAULT_ATTEMPTS ${DEFAULT_ATTEMPTS}`,
    `#define REPRO_DEFAULT_CALLS ${DEFAULT_CALLS}`,
    C_PRELUDE,
    p.block,
    C_SKELETON,
    C_MAIN,
  ].join('\n');
}
