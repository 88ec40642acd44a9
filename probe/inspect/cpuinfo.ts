// /proc/cpuinfo: blocks of "key : value" lines, one block per processor. x86 names the vendor,
// family/model/stepping and flags; arm64 gives "CPU implementer"/"CPU part" and "Features"
// instead, and older arm64 kernels add a trailing block with "Hardware".
import type { CpuFacts } from '../records.js';

export type CpuinfoBlock = Record<string, string>;

export function parseCpuinfo(text: string): CpuinfoBlock[] {
  const blocks: CpuinfoBlock[] = [];
  let cur: CpuinfoBlock = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (line.trim() === '') {
      if (Object.keys(cur).length) blocks.push(cur);
      cur = {};
      continue;
    }
    if (i < 0) continue;
    cur[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  if (Object.keys(cur).length) blocks.push(cur);
  return blocks;
}

/** Processor blocks only (those with a numeric "processor" field). */
export function processorBlocks(blocks: CpuinfoBlock[]): CpuinfoBlock[] {
  return blocks.filter((b) => /^\d+$/.test(b.processor ?? ''));
}

// ARM's registry of implementer codes (MIDR_EL1[31:24]); the ones seen on Linux servers/boards.
const ARM_IMPLEMENTERS: Record<number, string> = {
  0x41: 'ARM',
  0x42: 'Broadcom',
  0x43: 'Cavium',
  0x46: 'Fujitsu',
  0x48: 'HiSilicon',
  0x4e: 'NVIDIA',
  0x50: 'APM',
  0x51: 'Qualcomm',
  0x61: 'Apple',
  0x6d: 'Microsoft',
  0xc0: 'Ampere',
};

/** The identity fields of CpuFacts, plus every flag word for flags CpuFlagFacts does not name. */
export type CpuIdentity = Pick<
  CpuFacts,
  'vendor' | 'modelName' | 'family' | 'model' | 'stepping' | 'microcode' | 'implementer' | 'part' | 'flags'
> & {
  flagWords: Set<string>;
};

const int = (v: string | undefined): number | null => {
  if (v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isInteger(n) ? n : null;
};

export function cpuIdentity(blocks: CpuinfoBlock[]): CpuIdentity {
  const procs = processorBlocks(blocks);
  const first = procs[0] ?? blocks[0] ?? {};
  const extra = blocks.find((b) => b.Hardware !== undefined) ?? {};
  const words = (first.flags ?? first.Features ?? '').split(/\s+/).filter(Boolean);
  const flagWords = new Set(words);
  const isX86 = first.flags !== undefined;
  const has = (f: string): boolean | null => (isX86 ? flagWords.has(f) : null);
  const implCode = int(first['CPU implementer']);
  return {
    vendor:
      first.vendor_id ??
      (implCode !== null ? (ARM_IMPLEMENTERS[implCode] ?? `implementer 0x${implCode.toString(16)}`) : null),
    modelName: first['model name'] ?? first.Processor ?? extra.Hardware ?? null,
    family: int(first['cpu family']),
    model: int(first.model),
    stepping: int(first.stepping),
    microcode: first.microcode ?? null,
    implementer: first['CPU implementer'] ?? null,
    part: first['CPU part'] ?? null,
    // On arm64 these x86 flags do not exist; null says "not applicable here", not "absent".
    flags: {
      invlpgb: has('invlpgb'),
      pcid: has('pcid'),
      invpcid: has('invpcid'),
      hypervisor: has('hypervisor'),
      constant_tsc: has('constant_tsc'),
      nonstop_tsc: has('nonstop_tsc'),
    },
    flagWords,
  };
}
