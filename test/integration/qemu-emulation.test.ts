// User-mode emulation is caught by the real `inspect`: the whole CLI (dist/probe/cli.js inspect --json)
// runs in Debian's arm64 node under qemu-aarch64 on this x86 host, with the arm64 addon cross-built
// from this checkout (MEMBARRIER_PROBE_ADDON). Under emulation a memory-ordering result describes
// qemu's translation, not the CPU, so the probe must say so. qemu-user answers uname with the guest's
// "aarch64" but passes the host's /proc/cpuinfo through: the mismatch between the process's arch and
// the CPUs is what gives it away. No QEMU_* variable is set, so that the arch evidence alone has to
// carry the detection (a run under binfmt has no such variable either). The same command run natively
// is the control. What the analysis does with it is checked on the host, from the facts the emulated
// inspect gathered: running the engine under qemu would take minutes and only measure the emulator.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { CLI } from '../helpers/run-cli.js';
import { testUnless } from '../helpers/skip.js';
import { arm64, howEnded, runArm64Node } from '../helpers/arm64.js';
import type { InspectReport, MachineFacts } from '../../probe/records.js';
import { buildPlan, loadNative } from '../../probe/index.js';
import { risksOf } from '../../probe/analyse/risks.js';

const INSPECT_TIMEOUT_MS = 120_000; // about 3 s under qemu here; the limit only turns a hang into a failure

// On an arm64 host the emulated process's arch is the CPU's: there is no mismatch to detect.
const x86Host = process.arch === 'x64';

function parseInspect(r: SpawnSyncReturns<string>, label: string, timeoutMs: number): InspectReport {
  if (r.status !== 0)
    throw new Error(
      `${label} inspect --json: ${howEnded(r, timeoutMs)}\nstdout: ${r.stdout?.slice(0, 2000)}\nstderr: ${r.stderr}`,
    );
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`${label} inspect --json printed no JSON\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr}`);
  }
}

// Each inspect runs once, in the first test that needs it, so that every test stands on its own.
let emulated: Promise<{ report: InspectReport; addon: string; seconds: number }> | undefined;
function emulatedInspect() {
  emulated ??= (async () => {
    const a = await arm64();
    const t0 = Date.now();
    const r = runArm64Node(a, [CLI, 'inspect', '--json'], {
      env: { MEMBARRIER_PROBE_ADDON: a.addon },
      timeoutMs: INSPECT_TIMEOUT_MS,
    });
    return {
      report: parseInspect(r, 'qemu-aarch64 node', INSPECT_TIMEOUT_MS),
      addon: a.addon,
      seconds: (Date.now() - t0) / 1000,
    };
  })();
  return emulated;
}

// traps is optional in the record type only because reports saved before it existed lack it.
function emulationOf(f: MachineFacts) {
  if (!f.traps) throw new Error('inspect reported no traps section');
  return f.traps.emulation;
}

let native: InspectReport | undefined;
function nativeInspect(): InspectReport {
  // The same clean environment as under qemu, so that only the emulation differs.
  native ??= parseInspect(
    spawnSync(process.execPath, [CLI, 'inspect', '--json'], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
      timeout: 60_000,
      killSignal: 'SIGKILL',
      maxBuffer: 1 << 24,
    }),
    'native node',
    60_000,
  );
  return native;
}

const notX86 = x86Host ? null : `host is ${process.arch}, not x64: an arm64 process on arm64 CPUs is no arch mismatch`;

testUnless(notX86, 'inspect under qemu-aarch64 reports user-mode emulation, from the arch mismatch alone', async () => {
  const { report, addon, seconds } = await emulatedInspect();
  const s = report.system;
  assert.is(s.platform.arch, 'arm64', 'the CLI really ran in the arm64 node');
  // The cross-built addon was loaded, so its arch took part in the check too.
  assert.is(s.native.available, true, `the arm64 addon loaded under qemu: ${s.native.reason}`);
  assert.is(s.native.path, addon);
  const e = emulationOf(s);
  console.log(
    `  [qemu-emulation] inspect under qemu took ${seconds.toFixed(1)} s (Node ${s.platform.node}` +
      `): ${JSON.stringify(e)}`,
  );
  assert.is(e.processArch, 'arm64');
  assert.is(e.addonArch, 'aarch64');
  assert.is(e.cpuinfoFamily, 'x86', "qemu-user passes the host's /proc/cpuinfo through");
  assert.is(e.userModeEmulation, true, `userModeEmulation under qemu-aarch64: ${JSON.stringify(e)}`);
  assert.ok(e.evidence.length > 0, 'evidence is given');
  assert.ok(
    e.evidence.some((x) => /\barm64\b|\baarch64\b/.test(x) && /\bx86/.test(x)),
    `an evidence line names arm64 against x86: ${JSON.stringify(e.evidence)}`,
  );
  assert.not.ok(
    e.evidence.some((x) => /QEMU_/.test(x)),
    `no QEMU_* variable was set, yet evidence cites one: ${JSON.stringify(e.evidence)}`,
  );
});

test('the same inspect run natively reports no emulation (control)', () => {
  const s = nativeInspect().system;
  const e = emulationOf(s);
  assert.is(s.native.available, true, `the host's addon loaded: ${s.native.reason}`);
  assert.is(e.processArch, process.arch);
  assert.is(e.kernelMachine, s.platform.machine);
  assert.ok(
    e.addonArch !== null && e.cpuinfoFamily !== null,
    `every input of the check was read natively: ${JSON.stringify(e)}`,
  );
  assert.is(e.userModeEmulation, false, `userModeEmulation natively: ${JSON.stringify(e)}`);
  assert.equal(e.evidence, []);
});

// risksOf is what run and check use; the plan is the planner's default for those facts, with the
// host addon's strategy list (the same registry the arm64 build lists, see qemu-arm64.test.ts).
testUnless(
  notX86,
  'the emulated facts make every planned strategy unsafe; the native facts raise no such risk',
  async () => {
    const load = loadNative();
    if (!load.ok) throw new Error(`the host's addon is needed for the strategy list: ${load.reason}`);
    const catalogue = load.addon.engine.strategies();
    const risk = (f: MachineFacts) => {
      const plan = buildPlan(f, catalogue);
      return { plan, risk: risksOf(f, plan).find((r) => r.id === 'user-mode-emulation') };
    };

    const facts = (await emulatedInspect()).report.system;
    const { plan, risk: r } = risk(facts);
    assert.ok(r, 'a user-mode-emulation risk is raised');
    assert.is(r!.severity, 'unsafe');
    const missed = plan.strategies.filter((id) => !r!.strategies.includes(id));
    assert.equal(missed, [], 'every planned strategy carries the risk');
    for (const x of emulationOf(facts).evidence) assert.ok(r!.text.includes(x), `the risk quotes its evidence: ${x}`);

    assert.is(risk(nativeInspect().system).risk, undefined, 'no emulation risk natively');
  },
);

test.run();
