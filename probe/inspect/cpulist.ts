// The kernel's CPU list format ("0-3,8,10-11"), used by /sys cpu lists, *_list files,
// Cpus_allowed_list and boot parameters such as nohz_full= and isolcpus=.
// Boot parameters also accept the group form "lo-hi:used/group" (the first `used` CPUs of every
// `group` CPUs in the range) and "N" for the last CPU (lib/bitmap.c, bitmap_parselist).

/**
 * Parses a CPU list; throws on anything that is not one, so bad input is never half-read.
 * `lastCpu` resolves "N"; a list using N without it throws.
 */
export function parseCpuList(text: string, lastCpu?: number): number[] {
  const s = text.trim();
  if (s === '' || s === '(null)') return [];
  const bad = () => new Error(`not a CPU list: ${JSON.stringify(text)}`);
  const num = (t: string): number => {
    if (t === 'N') {
      if (lastCpu === undefined) throw bad();
      return lastCpu;
    }
    return Number(t);
  };
  const out = new Set<number>();
  for (const part of s.split(',')) {
    const m = /^(\d+|N)(?:-(\d+|N)(?::(\d+)\/(\d+))?)?$/.exec(part.trim());
    if (!m) throw bad();
    const lo = num(m[1]);
    const hi = m[2] === undefined ? lo : num(m[2]);
    const used = m[3] === undefined ? 1 : Number(m[3]);
    const group = m[4] === undefined ? 1 : Number(m[4]);
    if (hi < lo || used < 1 || group < 1 || used > group) throw bad();
    for (let g = lo; g <= hi; g += group) {
      for (let c = g; c < g + used && c <= hi; c++) out.add(c);
    }
  }
  return [...out].sort((a, b) => a - b);
}

/** The compact form of a list: [0,1,2,3,8] → "0-3,8". */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
