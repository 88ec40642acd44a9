// Kernel release and the boot parameters that change what heavy barriers can do:
// nohz_full makes MEMBARRIER_CMD_GLOBAL refuse to run; isolcpus and rcu_nocbs shape where
// readers can run and how grace periods behave.
import type { KernelFacts, Unknowns } from '../records.js';
import { parseCpuList } from './cpulist.js';
import { readText } from './read.js';

/** "6.18.44-fc-v669" → 6, 18, 44. Missing parts are null ("6.1-rc3" has no patch). */
export function parseRelease(release: string): { major: number | null; minor: number | null; patch: number | null } {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(release.trim());
  if (!m) return { major: null, minor: null, patch: null };
  const n = (s: string | undefined) => (s === undefined ? null : Number(s));
  return { major: n(m[1]), minor: n(m[2]), patch: n(m[3]) };
}

/** Release from /proc/version's "Linux version <release> (...)". */
export function releaseFromVersion(version: string): string | null {
  return /^Linux version (\S+)/.exec(version.trim())?.[1] ?? null;
}

/**
 * Splits a kernel command line into parameters. Double quotes group a value with spaces; a
 * parameter given twice keeps its last value, as the kernel does; "--" ends kernel parameters.
 */
export function parseCmdline(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const tokens = text.trim().match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  for (const raw of tokens) {
    if (raw === '--') break;
    // A whole parameter may be quoted ("foo=a b"); the kernel (next_arg) drops those quotes too.
    const tok = raw.replace(/^"(.*?)"?$/, '$1');
    const i = tok.indexOf('=');
    const key = i < 0 ? tok : tok.slice(0, i);
    const value = i < 0 ? '' : tok.slice(i + 1).replace(/"/g, '');
    params.set(key, value);
  }
  return params;
}

export async function readKernel(): Promise<KernelFacts> {
  const unknown: Unknowns = {};
  const [osrelease, version, cmdline, nohz, isolated] = await Promise.all([
    readText('/proc/sys/kernel/osrelease'),
    readText('/proc/version'),
    readText('/proc/cmdline'),
    readText('/sys/devices/system/cpu/nohz_full'),
    readText('/sys/devices/system/cpu/isolated'),
  ]);
  const versionText = version.ok ? version.text.trim() : null;
  if (!version.ok) unknown.version = version.reason;
  const release = osrelease.ok ? osrelease.text.trim() : versionText ? releaseFromVersion(versionText) : null;
  if (release === null) unknown.release = osrelease.ok ? 'unparsable' : osrelease.reason;
  const params = cmdline.ok ? parseCmdline(cmdline.text) : new Map<string, string>();
  if (!cmdline.ok) unknown.bootParams = cmdline.reason;
  const param = (k: string) => (cmdline.ok ? (params.get(k) ?? null) : null);
  // The nohz_full file exists only in kernels built with CONFIG_NO_HZ_FULL; without it no CPU
  // can be nohz_full, which is a fact, not an unknown.
  let nohzFull: number[] | null = null;
  if (nohz.ok) nohzFull = parseCpuList(nohz.text);
  else if (nohz.reason.endsWith('ENOENT')) nohzFull = [];
  else unknown.nohzFull = nohz.reason;
  if (!isolated.ok) unknown.isolated = isolated.reason;
  return {
    release,
    version: versionText,
    ...(release ? parseRelease(release) : { major: null, minor: null, patch: null }),
    bootParams: { nohz_full: param('nohz_full'), isolcpus: param('isolcpus'), rcu_nocbs: param('rcu_nocbs') },
    nohzFull,
    isolated: isolated.ok ? parseCpuList(isolated.text) : null,
    unknown,
  };
}
