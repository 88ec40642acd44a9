// The strategy catalogue's capabilities are complete and agree with themselves and with what the
// stages do with them: a flag that contradicts another, or a risk that names strategies the flags
// do not, fails here. (That the copy equals the engine's own list is checked in
// test/integration/engine.test.ts, which has the addon.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Report } from '../../probe/records.js';
import {
  CATALOGUE,
  catalogueOf,
  controlOfKind,
  isPageTable,
  strategiesWhere,
  withCaps,
} from '../../probe/catalogue.js';
import { risksOf } from '../../probe/analyse/risks.js';
import { DEFECTS, defectsFor } from '../../probe/analyse/defects.js';
import { BASE_CONTROLS, CHECK_CONTROLS } from '../../probe/plan/index.js';
import { CONTENTION_STRATEGIES } from '../../probe/plan/phases.js';
import { PREFERENCE } from '../../probe/recommend/index.js';
import { localReport } from './fixtures.js';

const FAMILIES = ['membarrier', 'page-table', 'signals', 'fence', 'control'];
const strategies = CATALOGUE.filter((d) => !d.control);
const controls = CATALOGUE.filter((d) => d.control);

test('every entry has a family, and control, family and control kind agree', () => {
  assert.equal(new Set(CATALOGUE.map((d) => d.id)).size, CATALOGUE.length, 'ids are unique');
  for (const d of CATALOGUE) {
    assert.ok(FAMILIES.includes(d.caps.family), `${d.id}: family ${d.caps.family}`);
    assert.is(d.caps.family === 'control', d.control, `${d.id}: family control iff a control`);
    assert.is(d.caps.controlKind !== null, d.control, `${d.id}: a control kind iff a control`);
  }
  for (const kind of ['positive', 'null-call', 'delay-matched'] as const) {
    assert.is(controls.filter((d) => d.caps.controlKind === kind).length, 1, `exactly one ${kind} control`);
  }
});

test('membarrier commands: named in the call, registration per command, kernel version, cross-process', () => {
  for (const d of CATALOGUE) {
    const m = d.caps.membarrier;
    assert.is(m !== null, d.caps.family === 'membarrier', `${d.id}: a command iff membarrier`);
    if (!m) continue;
    assert.ok(d.calls.includes(m.command), `${d.id}: calls names ${m.command}`);
    const expedited = m.command.includes('EXPEDITED');
    // Expedited commands need their own REGISTER_ command; GLOBAL needs none.
    assert.is(m.register, expedited ? m.command.replace('MEMBARRIER_CMD_', 'MEMBARRIER_CMD_REGISTER_') : null, d.id);
    assert.is(d.remoteInterruption, expedited, `${d.id}: only expedited commands interrupt CPUs`);
    assert.is(
      d.caps.crossProcess,
      m.command.startsWith('MEMBARRIER_CMD_GLOBAL'),
      `${d.id}: cross-process iff a GLOBAL command`,
    );
    assert.ok(m.sinceKernel[0] === 4 && m.sinceKernel[1] >= 3, `${d.id}: membarrier exists from 4.3`);
  }
});

test('fence, signals, slow, mlock and concurrency flags are consistent', () => {
  for (const d of strategies) {
    assert.is(d.caps.family === 'fence', d.readerSide === 'full-fence', `${d.id}: fence family iff the reader fences`);
    if (d.caps.family === 'fence') assert.not.ok(d.remoteInterruption, `${d.id}: a fence reaches nothing remote`);
    if (d.caps.family === 'signals' || d.caps.family === 'page-table')
      assert.ok(d.remoteInterruption, `${d.id}: works by interrupting readers`);
    if (d.caps.slow) assert.not.ok(d.remoteInterruption, `${d.id}: a slow (grace-period) strategy sends no IPI`);
    if (d.caps.mlockedPage) assert.is(d.caps.family, 'page-table', `${d.id}: only a page trick needs a locked page`);
    if (!d.caps.concurrentWriters)
      assert.not.ok(
        CONTENTION_STRATEGIES.includes(d.id),
        `${d.id}: planned for contention but cannot run concurrently`,
      );
  }
  assert.ok(
    strategies.some((d) => !d.caps.concurrentWriters),
    'signals cannot run with concurrent writers',
  );
  assert.ok(
    strategies.some((d) => d.caps.slow),
    'membarrier-global is slow',
  );
});

test("the stages' data lists name catalogue entries of the right sort", () => {
  const ids = new Set(strategies.map((d) => d.id)),
    ctl = new Set(controls.map((d) => d.id));
  for (const id of [...PREFERENCE, ...CONTENTION_STRATEGIES]) assert.ok(ids.has(id), `${id} is a strategy`);
  for (const id of [...BASE_CONTROLS, ...CHECK_CONTROLS]) assert.ok(ctl.has(id), `${id} is a control`);
  assert.ok(
    CHECK_CONTROLS.includes(controlOfKind(CATALOGUE, 'positive')!) &&
      CHECK_CONTROLS.includes(controlOfKind(CATALOGUE, 'null-call')!),
    'the gate runs the positive and null-call controls',
  );
});

const recorded: Report = localReport('reports', 'kvm-intel-xeon-2vcpu-default.json');
const riskOf = (id: string, edit: (r: Report) => void) => {
  const r = structuredClone(recorded);
  edit(r);
  return risksOf(r.system, r.plan).find((x) => x.id === id)?.strategies;
};

test('page-table strategies are exactly the ones the broadcast-flush risks and defects name', () => {
  const page = strategiesWhere(CATALOGUE, isPageTable);
  assert.ok(page.length >= 2);
  assert.equal(
    riskOf('broadcast-tlbi', (x) => {
      x.system.platform.arch = 'arm64';
      x.system.platform.machine = 'aarch64';
    }),
    page,
  );
  const amd = (x: Report) => {
    x.system.cpus.vendor = 'AuthenticAMD';
    x.system.cpus.flags.invlpgb = true;
    x.system.kernel.major = 6;
    x.system.kernel.minor = 15;
  };
  assert.equal(riskOf('amd-invlpgb', amd), page);
  assert.equal(
    riskOf('hyperv-hypercall-flush', (x) => {
      x.system.hypervisor.hyperv = { remoteTlbFlushByHypercall: true } as never;
    }),
    page,
  );
  const f = structuredClone(recorded);
  amd(f);
  f.system.kernel.release = '6.15.0';
  f.system.platform.machine = 'x86_64';
  assert.equal(defectsFor(f.system).find((d) => d.id === 'amd-invlpgb')?.strategies, page);
  assert.equal(
    riskOf('mlock-refused', (x) => {
      x.system.process.memlock.onePageLocked = false;
    }),
    strategiesWhere(CATALOGUE, (d) => d.caps.mlockedPage),
  );
});

test('missing-command defects name the commands newer than their kernel range', () => {
  const at = (release: string) => {
    const f = structuredClone(recorded);
    f.system.kernel.release = release;
    return Object.fromEntries(defectsFor(f.system).map((d) => [d.id, d.strategies]));
  };
  const since = (ok: (v: [number, number]) => boolean) =>
    strategies.filter((d) => d.caps.membarrier && ok(d.caps.membarrier.sinceKernel)).map((d) => d.id);
  assert.equal(
    at('4.2.0')['kernel-no-membarrier'],
    since(() => true),
  );
  assert.equal(
    at('4.9.0')['kernel-no-private-expedited'],
    since(([a, b]) => a > 4 || b >= 14),
  );
  assert.equal(
    at('4.15.0')['kernel-no-sync-core'],
    since(([a, b]) => a > 4 || b >= 16),
  );
  assert.ok(DEFECTS.every((d) => typeof d.appliesTo === 'function'));
});

test('descriptors without caps (older addons and reports) get them from the copy; unknown ids get none', () => {
  const old = [
    { id: 'mprotect', control: false, readerSide: 'compiler-barrier' as const, remoteInterruption: true, calls: '' },
    {
      id: 'from-the-future',
      control: false,
      readerSide: 'compiler-barrier' as const,
      remoteInterruption: true,
      calls: '',
    },
  ];
  const [m, u] = withCaps(old);
  assert.is(m!.caps?.family, 'page-table');
  assert.is(u!.caps, undefined);
  assert.equal(
    strategiesWhere(withCaps(old), () => true),
    ['mprotect'],
  );
  assert.equal(
    catalogueOf({ catalogue: old }).map((d) => d.id),
    ['mprotect', 'from-the-future'],
  );
  assert.equal(
    catalogueOf(undefined).map((d) => d.id),
    CATALOGUE.map((d) => d.id),
  );
});

test.run();
