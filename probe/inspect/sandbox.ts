// Containers, gVisor and WSL: environments where membarrier may be filtered, emulated or
// forwarded, and where the CPUs we see are not the host's. Every conclusion lists its evidence;
// a marker that images carry into VMs (/.dockerenv copied from a Docker image) counts as weak.
import type { SandboxFacts, Unknowns } from '../records.js';
import { readText, readTrimmed } from './read.js';
import { existsSync } from 'node:fs';

export interface SandboxInputs {
  dockerenv: boolean;
  containerenv: boolean;
  /** /run/systemd/container, written by nspawn, podman, lxc and others. */
  systemdContainer: string | null;
  /** container= from PID 1's environment (readable as root). */
  pid1Container: string | null;
  cgroup: string | null;
  procVersion: string | null;
  wslInterop: boolean;
  env: Record<string, string | undefined>;
}

const CGROUP_MARKERS: [RegExp, string][] = [
  [/\/docker[-/]/, 'docker'],
  [/\/libpod-|\/machine\.slice\/libpod/, 'podman'],
  [/\/kubepods/, 'kubernetes'],
  [/\/lxc(\.payload)?[./]/, 'lxc'],
  [/\/machine\.slice\/machine-/, 'systemd-nspawn'],
];

// gVisor reports a fixed, made-up kernel build (its own proc/version implementation).
const GVISOR_VERSION = /^Linux version 4\.4\.0 #1 SMP Sun Jan 10 15:06:54 PST 2016/;

export function detectSandbox(i: SandboxInputs): Omit<SandboxFacts, 'dmi' | 'systeminformation' | 'unknown'> {
  const strong: [string, string][] = [];
  const weak: [string, string][] = [];
  if (i.pid1Container) strong.push([i.pid1Container, `PID 1 environment has container=${i.pid1Container}`]);
  if (i.systemdContainer) strong.push([i.systemdContainer, `/run/systemd/container says ${i.systemdContainer}`]);
  if (i.containerenv) strong.push(['podman', '/run/.containerenv exists']);
  for (const line of (i.cgroup ?? '').split('\n')) {
    const hit = CGROUP_MARKERS.find(([re]) => re.test(line));
    if (hit) {
      strong.push([hit[1], `cgroup path ${line.trim()}`]);
      break;
    }
  }
  if (i.dockerenv) weak.push(['docker', '/.dockerenv exists (images carry it into VMs too)']);
  const pick = strong.length ? strong : weak;
  const container = pick.length
    ? {
        kind: pick[0][0],
        strength: strong.length ? ('strong' as const) : ('weak' as const),
        evidence: pick.map(([, e]) => e),
      }
    : null;

  const evidence: string[] = [];
  const gvisor = i.procVersion !== null && GVISOR_VERSION.test(i.procVersion);
  if (gvisor) evidence.push("/proc/version is gVisor's fixed 4.4.0 string");
  let wsl: SandboxFacts['wsl'] = null;
  const v = i.procVersion ?? '';
  if (/microsoft-standard-WSL2|-microsoft-standard/i.test(v)) wsl = 'wsl2';
  else if (/Microsoft/.test(v))
    wsl = 'wsl1'; // WSL1's emulated kernel: "4.4.0-19041-Microsoft"
  else if (i.wslInterop || i.env.WSL_DISTRO_NAME) wsl = 'wsl2';
  if (wsl)
    evidence.push(
      `WSL: ${/microsoft/i.test(v) ? '/proc/version names Microsoft' : 'WSL interop or WSL_DISTRO_NAME present'}`,
    );
  return { container, gvisor, wsl, evidence };
}

const DMI = '/sys/class/dmi/id';

/** The firmware's vendor and product strings; null when neither is readable (no DMI tables). */
async function readDmi(unknown: Unknowns): Promise<SandboxFacts['dmi']> {
  const [vendor, product] = await Promise.all([readText(`${DMI}/sys_vendor`), readText(`${DMI}/product_name`)]);
  if (!vendor.ok && !product.ok) {
    unknown.dmi = `${vendor.reason} (no DMI tables here)`;
    return null;
  }
  const text = (r: typeof vendor) => (r.ok ? r.text.trim() || null : null);
  return { sysVendor: text(vendor), productName: text(product) };
}

export async function readSandbox(): Promise<SandboxFacts> {
  const unknown: Unknowns = {};
  const [systemdContainer, environ, cgroup, version, dmi] = await Promise.all([
    readTrimmed('/run/systemd/container'),
    readText('/proc/1/environ'),
    readTrimmed('/proc/self/cgroup'),
    readTrimmed('/proc/version'),
    readDmi(unknown),
  ]);
  if (!environ.ok) unknown.pid1Container = environ.reason;
  const pid1Container = environ.ok ? (/(?:^|\0)container=([^\0]*)/.exec(environ.text)?.[1] ?? null) : null;
  const facts = detectSandbox({
    dockerenv: existsSync('/.dockerenv'),
    containerenv: existsSync('/run/.containerenv'),
    systemdContainer,
    pid1Container,
    cgroup,
    procVersion: version,
    wslInterop: existsSync('/proc/sys/fs/binfmt_misc/WSLInterop'),
    env: process.env,
  });
  return { ...facts, dmi, unknown };
}
