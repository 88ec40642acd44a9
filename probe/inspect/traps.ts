// Environment traps: conditions that real deployments hit and that change what a heavy barrier
// means here (a CPU quota, user-mode emulation, a tracer, an emulated kernel, Android). One pure
// parser per input, tested on captured or documented text; readTraps() only does the I/O.
import { machine } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { TrapFacts, Unknowns } from '../records.js';
import type { NativeLoad } from '../native.js';
import { readText, readTrimmed, type ReadResult } from './read.js';

/** /proc/self/cgroup: the v2 path ("0::/path") and each v1 controller's path. */
export function parseProcCgroup(text: string): { v2: string | null; v1: Map<string, string> } {
  let v2: string | null = null;
  const v1 = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === '0' && m[2] === '') v2 = m[3];
    else for (const c of m[2].split(',')) if (c) v1.set(c, m[3]);
  }
  return { v2, v1 };
}

export interface CgroupMount {
  root: string;
  mountPoint: string;
  fstype: string;
  superOptions: string[];
}

/** /proc/self/mountinfo rows of cgroup and cgroup2 file systems (root is the mount's cgroup-relative root). */
export function parseCgroupMounts(text: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right) continue;
    const f = left.split(' ');
    const [fstype, , superOpts] = right.split(' ');
    if (fstype === 'cgroup' || fstype === 'cgroup2') {
      out.push({
        root: unescape(f[3]),
        mountPoint: unescape(f[4]),
        fstype,
        superOptions: (superOpts ?? '').split(','),
      });
    }
  }
  return out;
}
// mountinfo escapes space, tab, newline and backslash as octal.
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/**
 * The directory holding this process's cpu controller files, and the mount it lies under. v1's cpu
 * controller wins when mounted (a hybrid host keeps cpu there); else the v2 mount. The cgroup path
 * is relative to the mount's root, which differs inside a cgroup namespace.
 */
export function cpuCgroupDir(
  cgroupText: string,
  mountinfoText: string,
): { dir: string; mountPoint: string; version: 1 | 2 } | null {
  const cg = parseProcCgroup(cgroupText);
  const mounts = parseCgroupMounts(mountinfoText);
  const within = (path: string, root: string) => {
    const rel = relative(root, path);
    return rel.startsWith('..') ? null : rel;
  };
  const v1Path = cg.v1.get('cpu');
  const v1 = mounts.find((m) => m.fstype === 'cgroup' && m.superOptions.includes('cpu'));
  if (v1Path !== undefined && v1) {
    const rel = within(v1Path, v1.root);
    if (rel !== null) return { dir: join(v1.mountPoint, rel), mountPoint: v1.mountPoint, version: 1 };
  }
  const v2 = mounts.find((m) => m.fstype === 'cgroup2');
  if (cg.v2 !== null && v2) {
    const rel = within(cg.v2, v2.root);
    if (rel !== null) return { dir: join(v2.mountPoint, rel), mountPoint: v2.mountPoint, version: 2 };
  }
  return null;
}

/** cgroup v2 cpu.max: "max 100000" is no limit; "20000 100000" is 20 ms per 100 ms. */
export function parseCpuMax(text: string): { quotaUs: number | null; periodUs: number } | null {
  const m = /^(max|\d+)\s+(\d+)\s*$/.exec(text.trim());
  if (!m) return null;
  return { quotaUs: m[1] === 'max' ? null : Number(m[1]), periodUs: Number(m[2]) };
}

/** cgroup v1 cpu.cfs_quota_us (-1 is no limit) and cpu.cfs_period_us. */
export function parseCfs(quotaText: string, periodText: string): { quotaUs: number | null; periodUs: number } | null {
  const q = quotaText.trim();
  const p = periodText.trim();
  if (!/^-?\d+$/.test(q) || !/^\d+$/.test(p)) return null;
  return { quotaUs: Number(q) < 0 ? null : Number(q), periodUs: Number(p) };
}

/** The CPU family named by /proc/cpuinfo, to compare with the process's own arch. */
export function cpuinfoFamily(text: string): string | null {
  if (/^vendor_id\s*:\s*(GenuineIntel|AuthenticAMD|HygonGenuine|CentaurHauls)/m.test(text)) return 'x86';
  if (/^CPU implementer\s*:/m.test(text)) return 'arm';
  if (/^isa\s*:\s*rv/m.test(text)) return 'riscv';
  if (/^cpu\s*:\s*POWER/m.test(text)) return 'ppc';
  if (/^vendor_id\s*:\s*IBM\/S390/m.test(text)) return 's390';
  return null;
}

/** Arch family of a Node arch, a uname machine or the addon's arch: 32-bit compat mode is no emulation. */
export function archFamily(arch: string): string | null {
  if (/^(x64|ia32|x86_64|i[3-6]86|amd64)$/.test(arch)) return 'x86';
  if (/^(arm64|arm|aarch64|armv\d.*|armhf)$/.test(arch)) return 'arm';
  if (/^riscv/.test(arch)) return 'riscv';
  if (/^(ppc|ppc64|ppc64le)$/.test(arch)) return 'ppc';
  if (/^s390/.test(arch)) return 's390';
  return null;
}

export function detectEmulation(i: {
  processArch: string;
  addonArch: string | null;
  kernelMachine: string;
  cpuinfo: string | null;
  env: Record<string, string | undefined>;
}): TrapFacts['emulation'] {
  const evidence: string[] = [];
  const proc = archFamily(i.processArch);
  const kern = archFamily(i.kernelMachine);
  const cpu = i.cpuinfo === null ? null : cpuinfoFamily(i.cpuinfo);
  if (proc && kern && proc !== kern)
    evidence.push(`process arch ${i.processArch} differs from the kernel's ${i.kernelMachine}`);
  // qemu-user answers uname with the guest arch but passes most of /proc/cpuinfo through from the host.
  if (proc && cpu && proc !== cpu)
    evidence.push(`process arch ${i.processArch} differs from the CPUs /proc/cpuinfo describes (${cpu})`);
  const addon = i.addonArch && i.addonArch !== 'other' ? archFamily(i.addonArch) : null;
  if (addon && kern && addon !== kern)
    evidence.push(`the addon was built for ${i.addonArch}, the kernel is ${i.kernelMachine}`);
  for (const k of ['QEMU_LD_PREFIX', 'QEMU_CPU', 'QEMU_GUEST_BASE'])
    if (i.env[k] !== undefined) evidence.push(`${k} is set (a qemu-user setting)`);
  return {
    processArch: i.processArch,
    addonArch: i.addonArch,
    kernelMachine: i.kernelMachine,
    cpuinfoFamily: cpu,
    userModeEmulation: evidence.length > 0,
    evidence,
  };
}

/** linprocfs writes "Linux version <release> (des@freebsd.org) ..." (sys/compat/linprocfs/linprocfs.c). */
export function isFreebsdLinuxulator(procVersion: string | null): boolean {
  return procVersion !== null && /\(des@freebsd\.org\)|FreeBSD/i.test(procVersion);
}

/** ro.build.version.sdk from /system/build.prop. */
export function parseBuildPropSdk(text: string): number | null {
  const m = /^ro\.build\.version\.sdk=(\d+)\s*$/m.exec(text);
  return m ? Number(m[1]) : null;
}

export function detectAndroid(env: Record<string, string | undefined>, buildProp: string | null): TrapFacts['android'] {
  const evidence: string[] = [];
  for (const k of ['ANDROID_ROOT', 'ANDROID_DATA']) if (env[k]) evidence.push(`${k}=${env[k]}`);
  const sdk = buildProp === null ? null : parseBuildPropSdk(buildProp);
  if (buildProp !== null)
    evidence.push(
      `/system/build.prop exists${sdk === null ? ' (no ro.build.version.sdk)' : ` (ro.build.version.sdk=${sdk})`}`,
    );
  return evidence.length ? { sdk, evidence } : null;
}

async function readQuota(unknown: Unknowns): Promise<TrapFacts['cpuQuota']> {
  const [cgroup, mountinfo] = await Promise.all([readText('/proc/self/cgroup'), readText('/proc/self/mountinfo')]);
  if (!cgroup.ok || !mountinfo.ok) {
    unknown.cpuQuota = !cgroup.ok ? cgroup.reason : (mountinfo as { reason: string }).reason;
    return null;
  }
  const where = cpuCgroupDir(cgroup.text, mountinfo.text);
  if (!where) {
    unknown.cpuQuota =
      "no cpu controller mount holds this process's cgroup (see /proc/self/cgroup and /proc/self/mountinfo)";
    return null;
  }
  // A parent's limit binds its children too: walk up to the mount and keep the tightest.
  let best: TrapFacts['cpuQuota'] = null;
  let readAny = false;
  for (let dir = where.dir; ; dir = dirname(dir)) {
    const q =
      where.version === 2
        ? await readTrimmed(join(dir, 'cpu.max')).then((t) => (t === null ? null : parseCpuMax(t)))
        : await Promise.all([
            readTrimmed(join(dir, 'cpu.cfs_quota_us')),
            readTrimmed(join(dir, 'cpu.cfs_period_us')),
          ]).then(([q, p]) => (q === null || p === null ? null : parseCfs(q, p)));
    if (q) readAny = true;
    if (q?.quotaUs != null && q.periodUs > 0) {
      const cpus = q.quotaUs / q.periodUs;
      if (!best || cpus < best.cpus)
        best = { quotaUs: q.quotaUs, periodUs: q.periodUs, cpus, cgroup: dir, version: where.version };
    }
    if (dir === where.mountPoint || dir === dirname(dir)) break;
  }
  if (!readAny)
    unknown.cpuQuota =
      `no readable ${where.version === 2 ? 'cpu.max' : 'cpu.cfs_quota_us'} under ${where.dir} (cpu ` +
      `controller not enabled there?)`;
  return best;
}

/** Takes what other modules already read: /proc/cpuinfo, and /proc/version (kernel.version). */
export async function readTraps(
  native: NativeLoad,
  tracerPid: number | null,
  version: string | null,
  cpuinfo: ReadResult,
): Promise<TrapFacts> {
  const unknown: Unknowns = {};
  const [cpuQuota, buildProp] = await Promise.all([readQuota(unknown), readText('/system/build.prop')]);
  if (!cpuinfo.ok) unknown.cpuinfoFamily = cpuinfo.reason;
  if (!native.ok) unknown.addonArch = `needs the native addon: ${native.reason}`;
  let tracer: TrapFacts['tracer'] = null;
  if (tracerPid === null) unknown.tracer = 'no TracerPid in /proc/self/status';
  else if (tracerPid > 0) {
    const comm = await readTrimmed(`/proc/${tracerPid}/comm`);
    if (comm === null) unknown.tracerComm = `/proc/${tracerPid}/comm not readable (another PID namespace or user?)`;
    tracer = { pid: tracerPid, comm, rr: comm !== null && /^rr$/.test(comm) };
  }
  return {
    cpuQuota,
    emulation: detectEmulation({
      processArch: process.arch,
      addonArch: native.ok ? native.addon.arch : null,
      kernelMachine: machine(),
      cpuinfo: cpuinfo.ok ? cpuinfo.text : null,
      env: process.env,
    }),
    tracer,
    freebsdLinuxulator: isFreebsdLinuxulator(version),
    android: detectAndroid(process.env, buildProp.ok ? buildProp.text : null),
    unknown,
  };
}
