// The field checklist: one row for every trap real deployments have hit (issue 7), whether or not
// it applies here, each with a one-line finding and the source of the knowledge. A report attached
// to a bug ticket then answers "was membarrier killed, faked, slow to register, contended, throttled,
// emulated, traced...?" without a second round trip. Rows that a risk already describes reuse the
// risk's text, so the two never disagree. Pure: facts (and a run, when there is one) in, rows out.
// The row helpers are in checks-rows.ts, the rows that rest on measurements in checks-measured.ts.
import type { FieldCheck, FieldCheckId, MachineFacts, Risk } from '../records.js';
import { formatCpuList } from '../inspect/cpulist.js';
import { DEFECTS, defectsFor } from './defects.js';
import { risksOf } from './risks.js';
import { finding, type Code, type Finding } from '../codes.js';
import { contention, fatalDenial, registration, silentSuccess } from './checks-measured.js';
import { type CheckRun, fromRisk, row } from './checks-rows.js';

export { CHECK_SOURCES, type CheckRun } from './checks-rows.js';

function hotplug(f: MachineFacts, c?: CheckRun): FieldCheck {
  const o = c?.run.onlineCpus;
  if (o && o.before !== o.after) {
    return row(
      'cpu-hotplug',
      'problem',
      'cpu-set-changed',
      `the online CPU set changed during the run (${o.before} → ${o.after}): every verdict is inconclusive`,
    );
  }
  const offline = f.cpus.offline ?? [];
  const now = offline.length
    ? `CPUs ${formatCpuList(offline)} are offline: a barrier does not wait for them, and one coming online mid-run ` +
      `changes what it must reach`
    : 'no CPU is offline';
  return row(
    'cpu-hotplug',
    offline.length ? 'note' : 'ok',
    offline.length ? 'cpus-offline' : 'no-cpu-offline',
    o
      ? `${now}; the online set was the same before and after the run (${o.after})`
      : `${now}; a run compares the online set before and after and is inconclusive if it changed`,
  );
}

function defects(f: MachineFacts): FieldCheck {
  const hit = defectsFor(f);
  if (!hit.length) {
    return row(
      'known-defects',
      'ok',
      'no-known-defect',
      `none of the ${DEFECTS.length} table entries applies to Linux ${f.kernel.release} on ${f.platform.machine}`,
    );
  }
  const worst = hit.some((d) => d.severity === 'unsafe')
    ? 'problem'
    : hit.some((d) => d.severity === 'warning')
      ? 'warning'
      : 'note';
  return {
    ...row(
      'known-defects',
      worst,
      'known-defects-apply',
      `${hit.length} of ${DEFECTS.length} apply to Linux ${f.kernel.release} on ${f.platform.machine}` +
        `: ${hit.map((d) => `${d.id}: ${d.text}`).join('; ')}`,
    ),
    source: hit
      .map((d) => d.source)
      .filter((s, i, a) => a.indexOf(s) === i)
      .join('; '),
  };
}

function mlock(f: MachineFacts, risks: Risk[]): FieldCheck {
  const r = risks.find((x) => x.id === 'mlock-refused');
  if (r) return fromRisk('mlock', r);
  const m = f.process.memlock;
  if (m.onePageLocked === null) {
    return row(
      'mlock',
      'unknown',
      'mlock-unchecked',
      `not checked: ${f.process.unknown.memlock ?? 'needs the native addon'}`,
    );
  }
  const limit = m.soft === 'unlimited' ? 'unlimited' : m.soft === null ? 'unknown' : `${m.soft} bytes`;
  return row(
    'mlock',
    'ok',
    'mlock-ok',
    `one page locked (RLIMIT_MEMLOCK ${limit}${f.process.capIpcLock ? ', CAP_IPC_LOCK held' : ''}): runtimes whose ` +
      `mprotect fallback locks a page can start`,
  );
}

function signals(f: MachineFacts): FieldCheck {
  const s = f.field?.signalsSelfTest;
  if (!s) {
    return row(
      'signals-self-test',
      'unknown',
      'signals-self-test-unreached',
      'not reached: the field sample stopped before it or did not run',
    );
  }
  return s.ok
    ? row(
        'signals-self-test',
        'ok',
        'signals-self-test-ok',
        'a signals barrier issued by a registered reader thread returned: the writer never signals itself, so it ' +
          'cannot wait on its own handler',
      )
    : row(
        'signals-self-test',
        'problem',
        'signals-self-test-failed',
        `a signals barrier issued by a registered thread failed (errno ${s.errno}): a writer that is also a reader ` +
          `would deadlock or fail`,
      );
}

export function checksOf(f: MachineFacts, c?: CheckRun): FieldCheck[] {
  // Without a run there is no plan: the sample's reader stands for the readers a run would use.
  const risks =
    c?.risks ??
    risksOf(f, { readerCpus: f.field?.cpus ? [f.field.cpus.reader] : f.cpus.onlineList.slice(1), strategies: [] });
  const byRisk = (id: FieldCheckId, riskId: Code, ok: Finding, unknown?: Finding): FieldCheck => {
    const r = risks.find((x) => x.id === riskId);
    if (r) return fromRisk(id, r);
    return unknown ? row(id, 'unknown', unknown.code, unknown.text) : row(id, 'ok', ok.code, ok.text);
  };
  const t = f.traps;
  const noTraps = t ? undefined : finding('traps-unchecked', 'not checked: the report predates environment traps');
  const wsl2 = risks.find((r) => r.id === 'wsl2');
  return [
    fatalDenial(f, risks),
    silentSuccess(f, c),
    registration(f, c),
    contention(f, c),
    byRisk(
      'cpu-quota',
      'cpu-quota',
      finding(
        'no-cpu-quota',
        "no CPU bandwidth limit (cgroup v2 cpu.max or v1 CFS quota) on this process's cgroup path",
      ),
      noTraps,
    ),
    byRisk(
      'single-cpu',
      'single-cpu',
      finding('several-cpus', `${f.cpus.online} CPUs online: a barrier has other CPUs to reach`),
    ),
    hotplug(f, c),
    byRisk(
      'user-mode-emulation',
      'user-mode-emulation',
      finding(
        'native-process',
        t
          ? `the process (${t.emulation.processArch}) runs natively: its arch matches the CPU's ` +
              `(${t.emulation.cpuinfoFamily ?? t.emulation.kernelMachine})`
          : '',
      ),
      noTraps,
    ),
    byRisk(
      'tracer',
      'tracer-attached',
      finding('no-tracer', 'no tracer or record-replay tool is attached (TracerPid 0)'),
      noTraps ??
        (f.process.tracerPid === null ? finding('tracer-unreadable', 'not checked: TracerPid unreadable') : undefined),
    ),
    wsl2
      ? fromRisk('emulated-kernel', wsl2)
      : byRisk(
          'emulated-kernel',
          'emulated-kernel',
          finding('real-kernel', "no sign of gVisor, WSL1 or FreeBSD's Linux emulation: a real Linux kernel answers"),
        ),
    t?.android
      ? byRisk(
          'android',
          'android-old-api',
          finding('android-recent', `Android API level ${t.android.sdk}: runtimes use membarrier here (29 and later)`),
        )
      : byRisk('android', 'android-old-api', finding('not-android', 'not Android'), noTraps),
    defects(f),
    mlock(f, risks),
    signals(f),
  ];
}
