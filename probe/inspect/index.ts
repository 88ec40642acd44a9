// inspect: the first pipeline stage. Reads every machine fact that decides which heavy-barrier
// strategy can work here and returns them as one MachineFacts record. Each domain module has a
// pure parser (tested on captured fixtures) and a reader; this file only composes them.
import { hostname } from 'node:os';
import { machine } from 'node:os';
import type { MachineFacts, PlatformFacts } from '../records.js';
import { loadNative, type NativeLoad } from '../native.js';
import { readCpus } from './cpus.js';
import { readField } from './field.js';
import { readHypervisor } from './hypervisor.js';
import { interruptFacts } from './interrupts.js';
import { readKernel } from './kernel.js';
import { readMembarrier } from './membarrier.js';
import { readProcess } from './process.js';
import { readText } from './read.js';
import { readSandbox } from './sandbox.js';
import { readTimebase } from './timebase.js';
import { readTlb } from './tlb.js';
import { readTraps } from './traps.js';

function platformFacts(): PlatformFacts {
  return { os: process.platform, arch: process.arch, machine: machine(), node: process.version, hostname: hostname() };
}

export interface InspectOptions {
  /** Ignored, kept for callers written before inspect read DMI itself instead of systeminformation. */
  systeminformation?: boolean;
  /** false: no field sample (the gate's run measures what it needs itself); default true. */
  field?: boolean;
}

export async function inspect(native: NativeLoad = loadNative(), opts: InspectOptions = {}): Promise<MachineFacts> {
  // Read once: the CPU facts and the emulation check both parse it.
  const cpuinfo = readText('/proc/cpuinfo');
  const [cpus, kernel, sandbox, proc, interruptsText] = await Promise.all([
    readCpus(native, cpuinfo),
    readKernel(),
    readSandbox(),
    readProcess(native),
    readText('/proc/interrupts'),
  ]);
  const platform = platformFacts();
  const hypervisor = readHypervisor(native, cpus.flags.hypervisor);
  const [timebase, traps, tlb] = await Promise.all([
    readTimebase(native, cpus.flags),
    readTraps(native, proc.tracerPid, kernel.version, await cpuinfo),
    readTlb(native, { platform, cpus, kernel, hypervisor }),
  ]);
  // Last and alone: its threads spin on two CPUs, and nothing else of ours should compete with them.
  const field = opts.field === false ? null : readField(native, cpus.allowed, cpus.onlineList);
  return {
    platform,
    native: { available: native.ok, reason: native.ok ? null : native.reason, path: native.path },
    cpus,
    kernel,
    hypervisor,
    sandbox,
    membarrier: readMembarrier(native, kernel.nohzFull),
    process: proc,
    interrupts: interruptFacts(
      interruptsText.ok ? interruptsText.text : null,
      interruptsText.ok ? null : interruptsText.reason,
    ),
    timebase,
    traps,
    ...(field ? { field } : {}),
    tlb,
  };
}
