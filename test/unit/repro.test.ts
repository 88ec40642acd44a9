// repro's pure parts: the kernel-config parser on a captured config, the choice of C block from a
// descriptor's capabilities (never its id), the generated source's own contract (libc and pthreads
// only, every placeholder filled), and the bug report's Markdown from a record.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { CATALOGUE, type Resolved } from '../../probe/catalogue.js';
import { parseKernelConfig } from '../../probe/inspect/kernel-config.js';
import type { ReproReport } from '../../probe/records.js';
import { renderReproMarkdown } from '../../probe/render/repro-markdown.js';
import { planFor, reproPlan, reproSource, supportedStrategies } from '../../probe/repro/index.js';

const fixture = (p: string) => readFileSync(new URL(`../../../test/fixtures/${p}`, import.meta.url), 'utf8');

test('kernel config: the wanted items, "is not set" as n, nothing else', () => {
  const items = parseKernelConfig(fixture('kernel-config-6.18-kvm/config'));
  const get = (n: string) => items.find((i) => i.name === n)?.value;
  assert.is(get('CONFIG_MEMBARRIER'), 'y');
  assert.is(get('CONFIG_PREEMPT_DYNAMIC'), 'y');
  assert.is(get('CONFIG_PREEMPT'), 'n');
  assert.is(get('CONFIG_NO_HZ_FULL'), 'n');
  assert.is(get('CONFIG_NO_HZ_IDLE'), 'y');
  assert.is(get('CONFIG_PARAVIRT'), 'y');
  assert.is(get('CONFIG_BROADCAST_TLB_FLUSH'), 'y');
  assert.is(get('CONFIG_HZ'), '250');
  // Exact names do not take their longer relatives; unrelated items are left out.
  assert.is(get('CONFIG_HZ_250'), undefined);
  assert.is(get('CONFIG_KVM_GUEST_MEMFD'), undefined);
  assert.is(get('CONFIG_NET'), undefined);
  assert.equal(parseKernelConfig('CONFIG_MEMBARRIER=y\n# CONFIG_RSEQ is not set\nCONFIG_X="a"\n'), [
    { name: 'CONFIG_MEMBARRIER', value: 'y' },
    { name: 'CONFIG_RSEQ', value: 'n' },
  ]);
});

test('which strategies get a reproducer follows their capabilities', () => {
  for (const d of CATALOGUE) {
    const p = planFor(d);
    const expected =
      d.remoteInterruption &&
      (['membarrier', 'page-table', 'signals'].includes(d.caps.family ?? '') || d.caps.controlKind === 'negative');
    assert.is(p !== null, expected, d.id);
  }
  // A strategy the copy does not know, with a membarrier command's caps, gets that command's block.
  const base = CATALOGUE.find((d) => d.caps.membarrier?.command === 'MEMBARRIER_CMD_PRIVATE_EXPEDITED')!;
  const renamed: Resolved = { ...base, id: 'my-barrier' };
  const src = reproSource(planFor(renamed)!, 'membarrier-probe test');
  assert.match(src, /mb\(MEMBARRIER_CMD_PRIVATE_EXPEDITED\)/);
  assert.match(src, /mb\(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED\)/);
  assert.match(src, /#define REPRO_STRATEGY "my-barrier"/);
  // A command the C enum does not define is refused rather than written into a file that cannot build.
  const odd: Resolved = {
    ...base,
    id: 'odd',
    caps: { ...base.caps, membarrier: { ...base.caps.membarrier!, command: 'MEMBARRIER_CMD_NEW' } },
  };
  assert.is(planFor(odd), null);
  assert.ok(reproPlan('mprotect-untouched').demonstration);
  assert.not.ok(reproPlan('membarrier-global-expedited').demonstration);
  assert.throws(() => reproPlan('membarrier-global'), /membarrier-global has no reproducer .*; repro supports /);
  assert.throws(() => reproPlan('nope'), /unknown strategy "nope"/);
});

test('the generated source: libc and pthreads only, placeholders filled, an attempt deadline', () => {
  const LIBC = new Set([
    'errno.h',
    'pthread.h',
    'sched.h',
    'signal.h',
    'stdint.h',
    'stdio.h',
    'stdlib.h',
    'string.h',
    'sys/mman.h',
    'sys/resource.h',
    'sys/syscall.h',
    'sys/wait.h',
    'time.h',
    'unistd.h',
  ]);
  for (const id of supportedStrategies()) {
    const src = reproSource(reproPlan(id), 'membarrier-probe test');
    for (const m of src.matchAll(/#include <([^>]+)>/g)) assert.ok(LIBC.has(m[1]), `${id}: #include <${m[1]}>`);
    assert.not.match(src, /\$\{|undefined|null\b/, id);
    assert.match(src, /alarm\(10\)/);
    assert.match(src, new RegExp(`Build: cc -O2 -pthread -o repro-${id} repro-${id}\\.c`));
  }
});

const record = (over: Partial<ReproReport> = {}): ReproReport => ({
  kind: 'repro-report',
  tool: { name: 'membarrier-probe', version: '0.0.0' },
  generatedAt: '2026-12-01T00:00:00.000Z',
  strategy: 'membarrier-global-expedited',
  what: 'What it does.',
  sendTo: 'the maintainers',
  kernel: { release: '6.18.44', version: 'Linux version 6.18.44 (x) #1 SMP' },
  config: {
    source: '/proc/config.gz',
    items: [
      { name: 'CONFIG_MEMBARRIER', value: 'y' },
      { name: 'CONFIG_PREEMPT', value: 'n' },
    ],
    unknown: null,
  },
  cpu: { vendor: 'GenuineIntel', model: 'Xeon', online: 2, allowed: [0, 1] },
  hypervisor: { vendor: 'KVM', kvmFeatures: ['pv_tlb_flush'] },
  program: {
    fileName: 'repro-membarrier-global-expedited.c',
    source: 'int main(void) { return 0; } /* ``` */',
    buildCommand: 'cc -O2 -pthread -o repro repro.c',
    runCommand: './repro -n 3',
    compiler: 'cc 12',
    build: {
      command: 'cc -O2 -pthread -o repro repro.c',
      exitCode: 0,
      signal: null,
      timedOut: false,
      output: '',
      elapsedMs: 300,
    },
    run: {
      command: './repro -n 3',
      exitCode: 1,
      signal: null,
      timedOut: false,
      elapsedMs: 900,
      output: 'membarrier-global-expedited: defect shown in 2 of 3 attempts: reader missed 0-1990 of 2000 calls',
    },
    notRun: null,
  },
  evidence: null,
  evidenceMissing: 'no report',
  ...over,
});

test(
  'the bug report: every section, the summary quoted, config as .config lines, a fence nothing inside ' + 'closes',
  () => {
    const md = renderReproMarkdown(record());
    assert.match(md, /^# membarrier-global-expedited on Linux 6\.18\.44: reproduced \(exit 1\)\n/);
    assert.match(md, /Its summary here:\n\n```\nmembarrier-global-expedited: defect shown in 2 of 3 attempts/);
    assert.match(md, /CONFIG_MEMBARRIER=y\n# CONFIG_PREEMPT is not set/);
    assert.match(md, /````c\nint main\(void\) \{ return 0; \} \/\* ``` \*\/\n````/);
    assert.match(md, /\$ \.\/repro -n 3\nmembarrier-global-expedited: defect shown .*\n\[exit 1, 0\.9 s\]/);
    assert.match(md, /## Evidence from membarrier-probe\n\nMissing: no report\./);
    const none = renderReproMarkdown(
      record({
        config: { source: null, items: [], unknown: '/proc/config.gz: ENOENT' },
        program: { ...record().program, compiler: null, build: null, run: null, notRun: 'no C compiler (cc) on PATH' },
      }),
    );
    assert.match(none, /: not run\n/);
    assert.match(none, /Kernel configuration: not readable here \(\/proc\/config\.gz: ENOENT\)\./);
    assert.match(none, /Not run: no C compiler \(cc\) on PATH\./);
  },
);

test.run();
