// The published package, end to end: what `npm pack` puts in it, and a fresh project that installs
// the tarball with npm's defaults and with --ignore-scripts, with every compiler and make hidden
// from PATH (and proven hidden: the same tarball without prebuilds fails there). Then the
// install-gate use: a project whose own install script runs `check`, failing for real under a
// seccomp filter that blocks membarrier, and passing without it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHelper, ROOT } from '../helpers/run-cli.js';

const work = mkdtempSync(join(tmpdir(), 'mbp-package-'));
const sh = (cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}) =>
  spawnSync(cmd, args, {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? process.env,
    encoding: 'utf8',
    timeout: opts.timeout ?? 600_000,
    maxBuffer: 1 << 26,
  });

// A PATH with everything the system has except compilers, linkers and make.
const COMPILERS = new RegExp(
  String.raw`^(cc|c\+\+|c89|c99|cpp|gcc|g\+\+|clang|clang\+\+|tcc|make|gmake|ld|ld\.\w+|` +
    String.raw`[\w.-]*-(gcc|g\+\+|cc|c\+\+|cpp|ld)(-\d+)?|(gcc|g\+\+|cpp)-\d+)$`,
);
const bin = join(work, 'bin');
mkdirSync(bin);
for (const dir of ['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    if (COMPILERS.test(name) || existsSync(join(bin, name))) continue;
    symlinkSync(join(dir, name), join(bin, name));
  }
}
const noCompiler = {
  ...process.env,
  FORCE_COLOR: undefined,
  NO_COLOR: '1',
  PATH: bin,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
};

const pack = sh('npm', ['pack', '--pack-destination', work, '--json']);
if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
const packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
const tarball = join(work, packed.filename);
const files: string[] = packed.files.map((f: { path: string }) => f.path);

test('the package holds exactly what is needed, with both prebuilds', () => {
  for (const f of [
    'dist/probe/cli.js',
    'dist/probe/index.js',
    'dist/probe/index.d.ts',
    'probe/report.schema.json',
    'binding.gyp',
    'native/addon.cc',
    'prebuilds/linux-x64/node.napi.node',
    'prebuilds/linux-arm64/node.napi.node',
    'package.json',
    'README.md',
  ]) {
    assert.ok(files.includes(f), `missing ${f}`);
  }
  const bad = files.filter((f) =>
    /^(test|dist\/test|dist\/bench|bench|reports|build|scripts|node_modules)\/|\.map$|\.ts$(?<!\.d\.ts$)/.test(f),
  );
  assert.equal(bad, [], 'no tests, benches, build folders, reports or sources of the TypeScript');
  const dry = sh('npm', ['pack', '--dry-run', '--json', '--ignore-scripts']);
  assert.is(dry.status, 0, dry.stderr);
  assert.equal(
    JSON.parse(dry.stdout.slice(dry.stdout.indexOf('[')))[0]
      .files.map((f: { path: string }) => f.path)
      .sort(),
    [...files].sort(),
  );
});

test('compilers and make are really hidden from that PATH', () => {
  const r = sh(
    'sh',
    ['-c', 'command -v g++ || command -v gcc || command -v cc || command -v c++ || command -v make || exit 7'],
    { env: noCompiler },
  );
  assert.is(r.status, 7, `found: ${r.stdout}`);
  assert.is(sh('sh', ['-c', 'command -v node && command -v npm'], { env: noCompiler }).status, 0);
});

function project(name: string, deps: Record<string, string> = {}, scripts: Record<string, string> = {}) {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', private: true, dependencies: deps, scripts }, null, 2),
  );
  return dir;
}

for (const variant of [[], ['--ignore-scripts']]) {
  test(
    `installed ${variant.length ? 'with --ignore-scripts' : "with npm's defaults"} and no compiler: ` +
      `check and the library use the prebuilt binary`,
    () => {
      const dir = project(`consumer${variant.length ? '-ignore-scripts' : '-defaults'}`);
      const inst = sh('npm', ['install', tarball, ...variant], { cwd: dir, env: noCompiler });
      assert.is(inst.status, 0, inst.stderr);
      const c = sh('npx', ['membarrier-probe', 'check', '--require', 'membarrier-private-expedited'], {
        cwd: dir,
        env: noCompiler,
        timeout: 60_000,
      });
      assert.is(c.status, 0, c.stdout + c.stderr);
      assert.match(c.stdout, /membarrier-private-expedited: met/, c.stdout + c.stderr);
      const lib = sh(
        'node',
        [
          '--input-type=module',
          '-e',
          `
      import { inspect, check } from 'membarrier-probe';
      const f = await inspect();
      const g = await check(['membarrier-private-expedited']);
      console.log(JSON.stringify({ native: f.native, met: g.met }));`,
        ],
        { cwd: dir, env: noCompiler, timeout: 60_000 },
      );
      assert.is(lib.status, 0, lib.stderr);
      const out = JSON.parse(lib.stdout);
      assert.is(out.native.available, true);
      assert.match(out.native.path, /prebuilds\/linux-x64\/node\.napi\.node$/);
      assert.is(out.met, true);
    },
  );
}

test('a tarball without prebuilds fails to install there (so the compilers were really out of reach)', () => {
  const x = join(work, 'unpacked');
  mkdirSync(x);
  assert.is(sh('tar', ['xzf', tarball, '-C', x]).status, 0);
  rmSync(join(x, 'package', 'prebuilds'), { recursive: true, force: true });
  const bare = join(work, 'no-prebuilds.tgz');
  assert.is(sh('tar', ['czf', bare, '-C', x, 'package']).status, 0);
  const dir = project('consumer-no-prebuilds');
  const inst = sh('npm', ['install', bare], { cwd: dir, env: noCompiler });
  assert.is.not(inst.status, 0, 'installing without prebuilds and without a compiler must fail');
});

test(
  'install gate: the project installs where membarrier works, and fails with the reason where seccomp ' + 'blocks it',
  () => {
    const gate = { install: 'membarrier-probe check --require membarrier-private-expedited' };
    const ok = sh('npm', ['install'], {
      cwd: project('gate-pass', { 'membarrier-probe': `file:${tarball}` }, gate),
      env: noCompiler,
    });
    assert.is(ok.status, 0, ok.stdout + ok.stderr);
    const seccomp = buildHelper('seccomp-exec');
    const blocked = sh(seccomp, ['eperm', 'npm', 'install'], {
      cwd: project('gate-fail', { 'membarrier-probe': `file:${tarball}` }, gate),
      env: noCompiler,
    });
    assert.is.not(blocked.status, 0);
    assert.match(
      blocked.stdout + blocked.stderr,
      /membarrier-private-expedited: not met \(unavailable\).*blocked by seccomp/,
      blocked.stdout + blocked.stderr,
    );
  },
);

test.run();
