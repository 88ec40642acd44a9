// Builds the guests' initramfs: an uncompressed newc cpio (the kernel unpacks it without any
// decompressor) holding busybox, node with every library it loads, the app as it is in this
// checkout, the mbp-measure helper, and an /init that mounts proc, sys and devtmpfs, says "ready"
// on the results channel, runs /suite.sh and powers off. The suite travels in a second, tiny cpio
// appended per boot (the kernel unpacks concatenated archives in order), so one base image per
// arch serves every guest and command list.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  openSync,
  closeSync,
  writeSync,
  readSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { CACHE, ROOT, fetched, must, type Arch } from './host.js';
import { CRASHTRACE_GUEST_PATH, crashtraceLib } from './crashtrace.js';

// Why each mount: /proc for the probe's CPU, interrupt and process facts, /sys for topology and
// online sets, devtmpfs for the serial ports and /dev/null, tmpfs for the commands' output files.
// A guest that never gets this far never writes "ready": the host counts that as an emulator
// failure, not as a result.
const INIT = `#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
export PATH=/bin:/usr/bin HOME=/tmp TERM=linux
[ -f /etc/guest-env ] && . /etc/guest-env
RES=/dev/\${mbp_results:-ttyS1}
# raw: no CR inserted before LF, no echo of anything the host side might send back.
stty -F "$RES" raw -echo 2>/dev/null
ready="\\"ready\\":true,\\"nproc\\":$(nproc),\\"release\\":\\"$(uname -r)\\",\\"machine\\":\\"$(uname -m)\\""
echo "{$ready,\\"uptimeS\\":$(cut -d' ' -f1 /proc/uptime)}" >"$RES"
# The boot log is kept apart, so that each command's segment shows only its own kernel messages.
dmesg -c >/tmp/boot-dmesg.log
cd /app
. /suite.sh
echo "{\\"done\\":true,\\"uptimeS\\":$(cut -d' ' -f1 /proc/uptime)}" >"$RES"
sync
poweroff -f
`;

/** The production dependency closure of the app: every package `import`ed at run time. */
function prodPackages(): string[] {
  const seen = new Set<string>();
  const visit = (fromDir: string, name: string, optional = false) => {
    // Node's resolution: the nearest node_modules/<name> walking up from the requiring package.
    for (let d = fromDir; ; d = dirname(d)) {
      const p = join(d, 'node_modules', name);
      if (existsSync(join(p, 'package.json'))) {
        if (seen.has(p)) return;
        seen.add(p);
        const pj = JSON.parse(readFileSync(join(p, 'package.json'), 'utf8'));
        for (const dep of Object.keys(pj.dependencies ?? {})) visit(p, dep);
        // An optional dependency npm did not install (another platform's binary) is not needed.
        for (const dep of Object.keys(pj.optionalDependencies ?? {})) visit(p, dep, true);
        return;
      }
      if (d === ROOT || dirname(d) === d) {
        if (optional) return;
        throw new Error(`initramfs: dependency ${name} (needed by ${fromDir}) is not installed: run npm ci`);
      }
    }
  };
  const pj = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  for (const dep of Object.keys(pj.dependencies ?? {})) visit(ROOT, dep);
  for (const dep of Object.keys(pj.optionalDependencies ?? {})) visit(ROOT, dep, true);
  return [...seen];
}

/** Libraries an x86-64 executable or shared object loads, from the host's ldd. */
function lddPaths(file: string): string[] {
  const out = must('ldd', [file], 30_000);
  const libs: string[] = [];
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (m) libs.push(m[1]);
    else if (/not found/.test(line)) throw new Error(`initramfs: ldd ${file}: ${line.trim()}`);
  }
  return libs;
}

function copyIn(stage: string, from: string, to = from) {
  const dst = join(stage, to);
  mkdirSync(dirname(dst), { recursive: true });
  cpSync(from, dst, { dereference: true, recursive: true });
}

/** The arm64 addon: the project's own prebuild script, rebuilt only when a native source is newer. */
function arm64Addon(): string {
  const out = join(ROOT, 'prebuilds', 'linux-arm64', 'node.napi.node');
  const newest = Math.max(
    ...must('find', [join(ROOT, 'native'), join(ROOT, 'binding.gyp'), '-type', 'f', '-printf', '%T@\n'], 30_000)
      .trim()
      .split('\n')
      .map(Number),
  );
  if (!existsSync(out) || statSync(out).mtimeMs / 1000 < newest) {
    console.error('guest: cross-building the arm64 addon (scripts/prebuild.mjs arm64)');
    must(process.execPath, [join(ROOT, 'scripts', 'prebuild.mjs'), 'arm64'], 600_000);
  }
  if (!existsSync(out)) throw new Error(`initramfs: scripts/prebuild.mjs arm64 left no ${out}`);
  return out;
}

/** Compiles mbp-measure statically for the guest's arch (cached beside the images). */
function measureHelper(arch: Arch): string {
  const src = join(ROOT, 'scripts', 'guest', 'measure.c');
  const out = join(CACHE, `mbp-measure-${arch}`);
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    must(
      arch === 'x86' ? 'cc' : 'aarch64-linux-gnu-gcc',
      ['-static', '-O2', '-Wall', '-Wextra', '-o', out, src],
      120_000,
    );
  }
  return out;
}

const built = new Map<Arch, string>();

/**
 * The base image for ARCH, built once per process from the checkout as it is now (dist/, the
 * addon, node_modules), so that a test exercises exactly the code it ships with.
 */
export function baseInitramfs(arch: Arch): string {
  const have = built.get(arch);
  if (have) return have;
  const f = fetched(arch);
  const stage = join(CACHE, `stage-${arch}`);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  if (!existsSync(join(ROOT, 'dist', 'probe', 'cli.js')))
    throw new Error('initramfs: dist/probe/cli.js is missing: run npm run build:ts');
  mkdirSync(join(stage, 'etc'), { recursive: true });

  if (arch === 'x86') {
    const addon = join(ROOT, 'build', 'Release', 'membarrier_probe.node');
    if (!existsSync(addon)) throw new Error(`initramfs: ${addon} is missing: run npm run build:native`);
    copyIn(stage, process.execPath, '/usr/bin/node');
    for (const lib of new Set([...lddPaths(process.execPath), ...lddPaths(addon)])) copyIn(stage, lib);
    copyIn(stage, addon, '/app/build/Release/membarrier_probe.node');
    copyIn(stage, f['busybox-x86'], '/bin/busybox');
  } else {
    // Debian's arm64 node (bookworm: Node 18) with its whole dependency closure, as unpacked.
    cpSync(f['arm64-sysroot'], stage, { recursive: true, verbatimSymlinks: true });
    // The shipped binary, loaded the way users load it: node-gyp-build's prebuilds/ lookup.
    copyIn(stage, arm64Addon(), '/app/prebuilds/linux-arm64/node.napi.node');
    copyIn(stage, f['busybox-arm64'], '/bin/busybox');
    writeFileSync(
      join(stage, 'etc', 'guest-env'),
      'export LD_LIBRARY_PATH=/lib/aarch64-linux-gnu:/usr/lib/aarch64-linux-gnu\n',
    );
  }
  for (const p of ['package.json', 'dist/probe', 'probe/report.schema.json'])
    copyIn(stage, join(ROOT, p), join('/app', p));
  for (const p of prodPackages()) copyIn(stage, p, join('/app', p.slice(ROOT.length)));
  copyIn(stage, measureHelper(arch), '/bin/mbp-measure');
  const trace = crashtraceLib(arch);
  if (trace) copyIn(stage, trace, CRASHTRACE_GUEST_PATH);
  writeFileSync(join(stage, 'etc', 'passwd'), 'root:x:0:0:root:/tmp:/bin/sh\n');
  writeFileSync(join(stage, 'etc', 'group'), 'root:x:0:\n');
  writeFileSync(join(stage, 'init'), INIT);
  chmodSync(join(stage, 'init'), 0o755);

  const out = join(CACHE, `initramfs-${arch}.cpio`);
  cpio(stage, out);
  rmSync(stage, { recursive: true, force: true });
  built.set(arch, out);
  return out;
}

function cpio(dir: string, out: string) {
  const r = spawnSync(
    'sh',
    ['-c', 'find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet > "$1"', 'sh', out],
    {
      cwd: dir,
      encoding: 'utf8',
      timeout: 300_000,
      killSignal: 'SIGKILL',
    },
  );
  if (r.status !== 0)
    throw new Error(`initramfs: cpio in ${dir}: exit ${r.status ?? r.signal} ${r.error?.message ?? ''}\n${r.stderr}`);
}

/** The base image plus a cpio holding only /suite.sh, written to OUT. */
export function initramfsWithSuite(arch: Arch, suite: string, out: string): string {
  const base = baseInitramfs(arch);
  const stage = `${out}.stage`;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  writeFileSync(join(stage, 'suite.sh'), suite);
  cpio(stage, `${out}.suite`);
  rmSync(stage, { recursive: true, force: true });
  // Concatenate: streaming copy, so that no 200 MB buffer is held.
  const fd = openSync(out, 'w');
  try {
    for (const part of [base, `${out}.suite`]) {
      const src = openSync(part, 'r');
      const chunk = Buffer.allocUnsafe(1 << 20);
      for (let n; (n = readSync(src, chunk, 0, chunk.length, null)) > 0;) writeSync(fd, chunk, 0, n);
      closeSync(src);
    }
  } finally {
    closeSync(fd);
  }
  rmSync(`${out}.suite`, { force: true });
  return out;
}
