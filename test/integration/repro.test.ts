// `repro`: the C reproducers, written by the CLI, built with the system cc and run on this kernel
// with a small attempt count and a deadline. Each asserts its exit class and the summary line's
// documented format (README "Found a kernel bug?"); setup failures (a seccomp filter on
// membarrier, one usable CPU) are produced for real and must exit 2. No cc or too few CPUs: the
// rows that need them are skipped, saying so.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCpuList } from '../../probe/inspect/cpulist.js';
import { supportedStrategies } from '../../probe/repro/index.js';
import { buildHelper, ROOT, runCli } from '../helpers/run-cli.js';
import { SUMMARY } from '../helpers/repro-summary.js';
import { testUnless } from '../helpers/skip.js';

const works = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0;
};
const allowed = parseCpuList(/^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '');
const noCc = works('cc', ['--version']) ? null : 'no C compiler (cc) on PATH';
const noTwo = noCc ?? (allowed.length >= 2 ? null : `only ${allowed.length} usable CPU: a reproducer needs two`);
const noTaskset =
  noCc ?? (works('taskset', ['-c', String(allowed[0]), 'true']) ? null : 'taskset cannot restrict this process');

const dir = mkdtempSync(join(tmpdir(), 'mbp-repro-test-'));
const built = new Map<string, string>();
/** Writes the reproducer through the CLI and builds it with cc -O2 -pthread (once per strategy). */
function build(id: string): string {
  const have = built.get(id);
  if (have) return have;
  const w = runCli(['repro', id, '--out', dir]);
  assert.is(w.status, 0, w.stderr);
  const c = join(dir, `repro-${id}.c`),
    exe = join(dir, `repro-${id}`);
  assert.match(w.stdout, `wrote ${c}`);
  assert.match(w.stdout, `build: cc -O2 -pthread -o ${exe} ${c}`);
  const cc = spawnSync('cc', ['-O2', '-pthread', '-Wall', '-Werror', '-o', exe, c], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.is(cc.status, 0, cc.stderr);
  built.set(id, exe);
  return exe;
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
  summary: RegExpExecArray | null;
}
/** Runs a reproducer: small N, 2,000 calls an attempt, a hard deadline well above 10 s an attempt. */
function run(id: string, n: number, wrap: string[] = []): Ran {
  const exe = build(id);
  const argv = [...wrap, exe, '-n', String(n)];
  const r = spawnSync(argv[0], argv.slice(1), {
    encoding: 'utf8',
    timeout: (n * 10 + 20) * 1000,
    killSignal: 'SIGKILL',
  });
  assert.is(r.error, undefined, `${id} did not finish by its deadline`);
  const lines = r.stdout.trim().split('\n').filter(Boolean);
  if (r.status !== 2) assert.is(lines.length, 1, `one summary line: ${r.stdout}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, summary: SUMMARY.exec(lines[0] ?? '') };
}

testUnless(noTwo, 'mprotect-untouched: a demonstration, exits 1 here (an untouched page sends no IPI)', () => {
  const r = run('mprotect-untouched', 3);
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.ok(r.summary, r.stdout);
  assert.is(r.summary![1], 'mprotect-untouched');
  assert.match(r.stdout, /a demonstration: .*exit 1 by design/);
  // Every attempt that had a result missed more than a tenth of its calls.
  assert.is(r.summary![2], r.summary![3]);
});

testUnless(noTwo, 'membarrier-private-expedited reaches the reader on this kernel: exit 0', () => {
  const r = run('membarrier-private-expedited', 5);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.ok(r.summary, r.stdout);
  assert.ok(r.summary![4], 'defect not shown');
});

testUnless(
  noTwo,
  'membarrier-global-expedited: exit 1 or 0 with its summary line (the defect shows in some attempts here)',
  () => {
    const r = run('membarrier-global-expedited', 20);
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stdout}${r.stderr}`);
    assert.ok(r.summary, r.stdout);
    // Calls judged per attempt: those made while the reader was running, the writer's target 2,000.
    assert.ok(Number(r.summary![8] ?? r.summary![7]) <= 2000 * 8, r.stdout);
    assert.is(r.status === 1, r.summary![2] !== undefined);
    console.log(`  global-expedited here: ${r.stdout.trim()}`);
  },
);

testUnless(noTwo, 'signals always interrupt the reader (the handler runs there): exit 0', () => {
  const r = run('signals', 3);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.ok(r.summary, r.stdout);
});

testUnless(noTwo, 'every other supported strategy builds, runs and prints its summary', () => {
  for (const id of supportedStrategies().filter((s) => !['mprotect-untouched', 'signals'].includes(s))) {
    const r = run(id, 2);
    assert.ok(r.status === 0 || r.status === 1, `${id}: exit ${r.status}: ${r.stdout}${r.stderr}`);
    assert.is(r.stderr, '', id);
    assert.ok(r.summary, `${id}: ${r.stdout}`);
    assert.is(r.summary![1], id);
  }
});

testUnless(noTwo, 'a seccomp filter answering EPERM or ENOSYS to membarrier: exit 2, one line naming the errno', () => {
  const helper = buildHelper('seccomp-exec');
  for (const [action, code] of [
    ['eperm', 'EPERM'],
    ['enosys', 'ENOSYS'],
  ]) {
    for (const id of ['membarrier-private-expedited', 'membarrier-global-expedited']) {
      const r = run(id, 2, [helper, action]);
      assert.is(r.status, 2, `${id} under ${action}: ${r.stdout}${r.stderr}`);
      assert.is(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^cannot set up: membarrier\\(MEMBARRIER_CMD_QUERY\\) failed: ${code} `));
      assert.is(r.stderr.trim().split('\n').length, 1);
    }
  }
});

testUnless(
  noTwo,
  'a sandbox whose PRIVATE_EXPEDITED returns 0 without running it: the success that does nothing, exit 1',
  () => {
    const r = run('membarrier-private-expedited', 3, [buildHelper('seccomp-exec'), 'zero-private']);
    assert.is(r.status, 1, r.stdout + r.stderr);
    assert.ok(r.summary?.[2], r.stdout);
  },
);

testUnless(noTaskset, 'one usable CPU (taskset): exit 2 with the reason', () => {
  for (const id of ['membarrier-global-expedited', 'mprotect-untouched']) {
    const r = run(id, 2, ['taskset', '-c', String(allowed[0])]);
    assert.is(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^cannot set up: needs 2 CPUs, this process may use 1\n$/);
  }
});

testUnless(noCc, 'the reproducer refuses bad flags with exit 2', () => {
  const exe = build('signals');
  for (const bad of [['-n', 'x'], ['-q'], ['extra']]) {
    const r = spawnSync(exe, bad, { encoding: 'utf8', timeout: 10_000 });
    assert.is(r.status, 2, bad.join(' '));
    assert.match(r.stderr, /^usage: /);
  }
});

test(
  'CLI: an unknown or unsupported strategy, a folder that cannot be made, a file for a folder: one line, ' + 'exit 2',
  () => {
    const one = (args: string[], re: RegExp) => {
      const r = runCli(args);
      assert.is(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.is(r.stdout, '');
      assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, re);
    };
    const supported = supportedStrategies().join(', ');
    one(['repro', 'bogus'], new RegExp(`unknown strategy "bogus"; repro supports ${supported}\\.`));
    one(
      ['repro', 'symmetric-fence'],
      /symmetric-fence has no reproducer \(its call is not meant to interrupt other CPUs\); repro supports /,
    );
    one(
      ['repro', 'mprotect', '--out', '/proc/membarrier-probe-test'],
      /--out \/proc\/membarrier-probe-test cannot be created/,
    );
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    one(['repro', 'mprotect', '--out', file], /is a file; give a folder/);
    one(['repro', 'mprotect', 'extra'], /unknown command or flag: extra/);
    one(['repro'], /missing argument/);
    one(['repro', 'mprotect', '--attempts', '0', '--out', dir], /--attempts takes a whole number from 1 to 1000/);
    one(['repro', 'mprotect', '--from', 'x.json', '--out', dir], /--from goes with --report/);
  },
);

const SECTIONS = [
  '## What the reproducer shows',
  '## Environment',
  '- Kernel release: ',
  '- /proc/version: `Linux version ',
  '- CPU: ',
  '- Hypervisor: ',
  '## Reproducer',
  '```c\n',
  '### Output here',
  '## Evidence from membarrier-probe',
  '## Where to send it',
];

testUnless(
  noTwo,
  "repro --report --from a saved report: the bug report has every section, the reproducer's output and the evidence",
  () => {
    const from = join(ROOT, 'test', 'fixtures', 'reports', 'kvm-intel-xeon-2vcpu-default.json');
    const r = runCli([
      'repro',
      'membarrier-global-expedited',
      '--report',
      '--from',
      from,
      '--attempts',
      '3',
      '--out',
      dir,
    ]);
    assert.is(r.status, 0, r.stderr);
    const md = readFileSync(join(dir, 'repro-membarrier-global-expedited.md'), 'utf8');
    assert.match(r.stdout, `wrote ${join(dir, 'repro-membarrier-global-expedited.md')} (the reproducer here: `);
    for (const s of SECTIONS) assert.ok(md.includes(s), `missing ${JSON.stringify(s)}`);
    // A machine so loaded that no attempt had its reader on its CPU says so (exit 2) instead of a summary.
    assert.match(
      md,
      /\$ \.\/repro-membarrier-global-expedited -n 3\n(membarrier-global-expedited: defect |cannot set up: )/,
    );
    assert.match(md, /From saved report .*kvm-intel-xeon-2vcpu-default\.json: host /);
    assert.match(md, /\| latency p50 \/ p99 \(all calls\) \| [\d.]+ (ns|us|ms) \/ [\d.]+ (ns|us|ms) \|/);
    assert.match(md, /\| interrupts per call on the reader CPUs \(\/proc\/interrupts\) \| .*CAL \d/);
    assert.match(md, /MEMBARRIER SUPPORT/);
    // The source in the report is the file written next to it.
    assert.ok(md.includes(readFileSync(join(dir, 'repro-membarrier-global-expedited.c'), 'utf8').trim()));
    const cfg = existsConfig();
    if (cfg) assert.match(md, /CONFIG_MEMBARRIER=y/);
    else assert.match(md, /Kernel configuration: not readable here/);
  },
);

function existsConfig(): boolean {
  const rel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  return ['/proc/config.gz', `/boot/config-${rel}`].some((p) => works('test', ['-r', p]));
}

testUnless(noTwo, 'repro --report without --from runs a short probe and quotes it', () => {
  const r = runCli(['repro', 'mprotect-untouched', '--report', '--attempts', '2', '--out', dir]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /running a short probe \(8 s\) for mprotect-untouched/);
  const md = readFileSync(join(dir, 'repro-mprotect-untouched.md'), 'utf8');
  for (const s of SECTIONS) assert.ok(md.includes(s), `missing ${JSON.stringify(s)}`);
  assert.match(md, /From a short probe run \(8 s\): host /);
  assert.match(md, /^# mprotect-untouched on Linux \S+: reproduced \(exit 1\)$/m);
  assert.match(md, /To nobody: this program is a demonstration/);
});

test.run();
