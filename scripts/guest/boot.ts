// Boots one guest under full-system emulation (multi-threaded TCG) and collects what it said.
// The console (first serial port) is captured as the probe's terminal; the results channel (a
// second serial port on x86, a virtio console on arm64: the virt board has one PL011) is a file
// the guest writes JSON lines to. Every boot has two host-side deadlines: init must report
// "ready" in time, and the whole boot must end in time; past either, qemu gets SIGKILL.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Arch } from './host.js';

export interface BootSpec {
  arch: Arch;
  kernel: string;
  initrd: string;
  vcpus: number;
  memMb?: number;
  /** Files the boot writes: console log and results channel. */
  consoleLog: string;
  resultsFile: string;
  readyTimeoutMs: number;
  totalTimeoutMs: number;
}

export interface BootOutcome {
  /** init reported ready: the emulator booted the kernel into user space. */
  ready: boolean;
  /** From qemu's start to the ready line, as the host saw it. */
  bootMs: number | null;
  /** The ready line's fields (nproc, release, machine, uptimeS). */
  readyInfo: Record<string, unknown> | null;
  /** init reached the end of the suite. */
  done: boolean;
  /** Every JSON line after "ready" but "done": one per command. */
  records: Record<string, unknown>[];
  /** Lines on the results channel that were not JSON (a truncated line at a kill, say). */
  garbage: string[];
  console: string;
  wallMs: number;
  qemuExit: number | null;
  qemuSignal: string | null;
  /** Which deadline killed qemu, if one did. */
  killedBy: 'ready-deadline' | 'total-deadline' | null;
  command: string[];
}

export function qemuCommand(s: BootSpec): string[] {
  const common = [
    '-accel',
    'tcg,thread=multi',
    '-smp',
    String(s.vcpus),
    '-m',
    String(s.memMb ?? 4096),
    '-nographic',
    '-monitor',
    'none',
    '-no-reboot',
    '-net',
    'none',
    '-kernel',
    s.kernel,
    '-initrd',
    s.initrd,
  ];
  // panic=-1 reboots at once on a panic, and -no-reboot turns that into qemu exiting: a dead
  // guest ends the boot instead of idling to the deadline.
  if (s.arch === 'x86') {
    return [
      'qemu-system-x86_64',
      '-cpu',
      'max',
      ...common,
      '-serial',
      'stdio',
      '-serial',
      `file:${s.resultsFile}`,
      '-append',
      'console=ttyS0 mbp_results=ttyS1 panic=-1 quiet',
    ];
  }
  // pauth-impdef: qemu's cheap pointer-authentication hash instead of QARMA, which TCG spends
  // most of its time in otherwise; the guest still has pointer authentication.
  return [
    'qemu-system-aarch64',
    '-M',
    'virt',
    '-cpu',
    'max,pauth-impdef=on',
    ...common,
    '-serial',
    'stdio',
    '-device',
    'virtio-serial-pci',
    '-chardev',
    `file,id=mbpres,path=${s.resultsFile}`,
    '-device',
    'virtconsole,chardev=mbpres',
    '-append',
    'console=ttyAMA0 mbp_results=hvc0 panic=-1 quiet',
  ];
}

function parseResults(text: string) {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
  const out = {
    ready: null as Record<string, unknown> | null,
    done: false,
    records: [] as Record<string, unknown>[],
    garbage: [] as string[],
  };
  for (const l of lines) {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(l);
    } catch {
      out.garbage.push(l.length > 200 ? `${l.slice(0, 200)}... (${l.length} chars)` : l);
      continue;
    }
    if (v.ready === true) out.ready = v;
    else if (v.done === true) out.done = true;
    else out.records.push(v);
  }
  return out;
}

export function bootGuest(s: BootSpec, echo?: (chunk: string) => void): Promise<BootOutcome> {
  for (const f of [s.kernel, s.initrd]) if (!existsSync(f)) throw new Error(`boot: ${f} does not exist`);
  rmSync(s.resultsFile, { force: true });
  writeFileSync(s.resultsFile, '');
  const cmd = qemuCommand(s);
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const q = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let consoleText = '';
    let bootMs: number | null = null;
    let killedBy: BootOutcome['killedBy'] = null;
    const onData = (d: Buffer) => {
      const t = d.toString('latin1');
      consoleText += t;
      echo?.(t);
    };
    q.stdout.on('data', onData);
    q.stderr.on('data', onData);
    const kill = (why: NonNullable<BootOutcome['killedBy']>) => {
      if (killedBy) return;
      killedBy = why;
      q.kill('SIGKILL');
    };
    // Poll the results file for the ready line: the file backend has no event to wait on.
    const poll = setInterval(() => {
      if (bootMs !== null) return;
      let text = '';
      try {
        text = readFileSync(s.resultsFile, 'utf8');
      } catch {
        /* not yet created by qemu */
      }
      if (/"ready":true/.test(text)) bootMs = Date.now() - t0;
      else if (Date.now() - t0 > s.readyTimeoutMs) kill('ready-deadline');
    }, 100);
    const total = setTimeout(() => kill('total-deadline'), s.totalTimeoutMs);
    q.on('error', (e) => {
      clearInterval(poll);
      clearTimeout(total);
      reject(new Error(`boot: cannot start ${cmd[0]}: ${e.message}`));
    });
    q.on('close', (code, signal) => {
      clearInterval(poll);
      clearTimeout(total);
      const r = parseResults(readFileSync(s.resultsFile, 'utf8'));
      writeFileSync(s.consoleLog, consoleText);
      resolve({
        ready: r.ready !== null,
        bootMs: r.ready ? (bootMs ?? Date.now() - t0) : null,
        readyInfo: r.ready,
        done: r.done,
        records: r.records,
        garbage: r.garbage,
        console: consoleText,
        wallMs: Date.now() - t0,
        qemuExit: code,
        qemuSignal: signal,
        killedBy,
        command: cmd,
      });
    });
  });
}
