// Opt-in crash traces (MEMBARRIER_PROBE_GUEST_CRASHTRACE=1, x86 guests only; never in the tests):
// the guest's node runs with mbp-crashtrace.so preloaded and Node's SIGSEGV handler off, so a
// native crash prints its return addresses as module+offset on the console (crashtrace.c). The
// x86 guest runs the host's own node and libraries and this checkout's addon, so the host's
// addr2line resolves them to functions and lines. arm64 is left out: its prebuilt addon is
// stripped, so there is nothing to resolve it against.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE, ROOT, must, type Arch } from './host.js';

export const CRASHTRACE = process.env.MEMBARRIER_PROBE_GUEST_CRASHTRACE === '1';
export const CRASHTRACE_GUEST_PATH = '/lib/mbp-crashtrace.so';

/** The preload library for ARCH, or null when crash traces are off or unsupported there. */
export function crashtraceLib(arch: Arch): string | null {
  if (!CRASHTRACE || arch !== 'x86') return null;
  const src = join(ROOT, 'scripts', 'guest', 'crashtrace.c');
  const out = join(CACHE, 'mbp-crashtrace-x86.so');
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    must('cc', ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-o', out, src], 120_000);
  }
  return out;
}

/** What precedes node's path on the suite's command line. */
export function crashtracePrefix(arch: Arch): { before: string[]; nodeFlags: string[] } {
  if (!CRASHTRACE || arch !== 'x86') return { before: [], nodeFlags: [] };
  return { before: ['/bin/env', `LD_PRELOAD=${CRASHTRACE_GUEST_PATH}`], nodeFlags: ['--disable-wasm-trap-handler'] };
}

/** The console's "mbp-crashtrace:" lines, each frame resolved to "function at file:line". */
export function resolveCrashtrace(consoleText: string): string[] {
  const out: string[] = [];
  for (const raw of consoleText.replace(/\r/g, '\n').split('\n')) {
    const l = raw.trim();
    if (!l.startsWith('mbp-crashtrace:')) continue;
    const m = /#(\d+) (\S+)\+0x([0-9a-f]+)$/.exec(l);
    if (!m) {
      out.push(l.slice('mbp-crashtrace: '.length));
      continue;
    }
    const [, n, guestPath, off] = m;
    const file = guestPath.startsWith('/app/') ? join(ROOT, guestPath.slice(5)) : guestPath;
    let fn = '';
    if (existsSync(file) && !file.endsWith('mbp-crashtrace.so')) {
      const r = spawnSync('addr2line', ['-f', '-C', '-e', file, `0x${off}`], { encoding: 'utf8', timeout: 30_000 });
      if (r.status === 0) fn = r.stdout.trim().split('\n').join(' at ');
    }
    out.push(`#${n} ${guestPath.split('/').pop()}+0x${off}${fn ? ` ${fn}` : ''}`);
  }
  return out;
}
