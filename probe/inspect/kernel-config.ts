// The kernel's build configuration items that decide what a heavy barrier does, for a bug report:
// whether membarrier is built in, the preemption and tick models (they change when CPUs idle and
// switch mm lazily), paravirtual TLB flush and IPI paths, and broadcast TLB flush (INVLPGB: an
// mprotect that needs no IPI). Read from /proc/config.gz (CONFIG_IKCONFIG_PROC) or
// /boot/config-<release>; neither is always there, and then the report says why.
import { gunzipSync } from 'node:zlib';
import { readFile } from 'node:fs/promises';
import type { KernelConfigFacts } from '../records.js';

/** Names reported: exact names, or prefixes ending in "_" that take every item under them. */
export const CONFIG_WANTED = [
  'CONFIG_MEMBARRIER',
  'CONFIG_SMP',
  'CONFIG_RSEQ',
  'CONFIG_PREEMPT',
  'CONFIG_PREEMPT_',
  'CONFIG_PREEMPTION',
  'CONFIG_NO_HZ',
  'CONFIG_NO_HZ_',
  'CONFIG_HZ',
  'CONFIG_PARAVIRT',
  'CONFIG_PARAVIRT_',
  'CONFIG_HYPERVISOR_GUEST',
  'CONFIG_KVM_GUEST',
  'CONFIG_XEN_PV',
  'CONFIG_HYPERV',
  'CONFIG_BROADCAST_TLB_FLUSH',
  'CONFIG_ARCH_HAS_MEMBARRIER_',
] as const;

const wanted = (name: string, list: readonly string[]) =>
  list.some((w) => (w.endsWith('_') ? name.startsWith(w) : name === w));

/** The wanted items of a .config text ("CONFIG_X=v" and "# CONFIG_X is not set" lines). */
export function parseKernelConfig(text: string, list: readonly string[] = CONFIG_WANTED): KernelConfigFacts['items'] {
  const items: KernelConfigFacts['items'] = [];
  for (const line of text.split('\n')) {
    const set = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    const unset = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/.exec(line);
    const name = set?.[1] ?? unset?.[1];
    if (name && wanted(name, list)) items.push({ name, value: set ? set[2].replace(/^"(.*)"$/, '$1') : 'n' });
  }
  return items;
}

/** The config's text from the first readable place, or why none was (inspect/tlb.ts reads one option of it). */
export async function readKernelConfigText(
  release: string | null,
): Promise<{ source: string; text: string } | { source: null; unknown: string }> {
  const tried: string[] = [];
  const places = ['/proc/config.gz', ...(release ? [`/boot/config-${release}`] : [])];
  for (const path of places) {
    try {
      const raw = await readFile(path);
      return { source: path, text: path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8') };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      tried.push(`${path}: ${e.code ?? e.message}`);
    }
  }
  return { source: null, unknown: tried.join('; ') };
}

export async function readKernelConfig(release: string | null): Promise<KernelConfigFacts> {
  const c = await readKernelConfigText(release);
  return c.source === null
    ? { source: null, items: [], unknown: c.unknown }
    : { source: c.source, items: parseKernelConfig(c.text), unknown: null };
}
