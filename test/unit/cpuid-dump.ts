// Reads the raw CPUID dumps in test/fixtures/cpuid-*/ into a lookup that decodeHypervisor takes.
// The captures keep their sources' formats verbatim, so this reads each of them:
// - `cpuid -r` lines ("   0x40000000 0x00: eax=0x... ebx=0x... ecx=0x... edx=0x..."), also behind a
//   Rust doc-comment prefix ("///") and inside quoted-printable mail text (=3D, soft line breaks);
// - the "CPUID 40000000:00 = eax ebx ecx edx | ascii" dump format.
// A leaf the dump lacks reads as all zeros, which is what a hypervisor range past its maximum gives.
import type { CpuidRegs } from '../../probe/native.js';

function decodeQuotedPrintable(text: string): string {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

const REG = (name: string) => String.raw`${name}=0x([0-9a-f]{8})`;
const CPUID_LINE = new RegExp(
  String.raw`^\s*0x([0-9a-f]{8}) 0x([0-9a-f]{2}): ${REG('eax')} ${REG('ebx')} ${REG('ecx')} ${REG('edx')}\s*$`,
  'i',
);

export function parseCpuidDump(raw: string): Map<string, CpuidRegs> {
  const text = /=3D/.test(raw) ? decodeQuotedPrintable(raw) : raw;
  const leaves = new Map<string, CpuidRegs>();
  const put = (leaf: string, sub: string, regs: string[]) => {
    const key = `${parseInt(leaf, 16)}:${parseInt(sub, 16)}`;
    // Dumps of several CPUs repeat every leaf: the first CPU's values are kept.
    if (!leaves.has(key)) {
      const [eax, ebx, ecx, edx] = regs.map((r) => parseInt(r, 16) >>> 0);
      leaves.set(key, { eax, ebx, ecx, edx });
    }
  };
  for (const line of text.split('\n').map((l) => l.replace(/^\/\/\/\s?/, ''))) {
    let m = CPUID_LINE.exec(line);
    if (m) put(m[1], m[2], m.slice(3, 7));
    m = /^CPUID ([0-9a-f]{8}):([0-9a-f]{2}) = ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8}) ([0-9a-f]{8}) \|/i.exec(line);
    if (m) put(m[1], m[2], m.slice(3, 7));
  }
  if (leaves.size === 0) throw new Error('no CPUID leaves found in the dump');
  return leaves;
}

export function cpuidFrom(dump: Map<string, CpuidRegs>) {
  return (leaf: number, sub: number): CpuidRegs => dump.get(`${leaf}:${sub}`) ?? { eax: 0, ebx: 0, ecx: 0, edx: 0 };
}
