// The prebuilt binaries must load wherever the official Node 20 binaries run, back to glibc 2.28
// (RHEL 8, Debian 10, Ubuntu 20.04), although they are built on Debian 12 (glibc 2.36, GCC 12).
// No such old system is at hand, so this reads what the dynamic loader would check: every symbol
// version each binary imports, and the libraries it needs. The x64 one is then loaded for real.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli } from '../helpers/run-cli.js';

// What glibc 2.28 and GCC 8's libstdc++ (RHEL 8's) provide.
const LIMITS: Record<string, string> = { GLIBC: '2.28', GLIBCXX: '3.4.25', CXXABI: '1.3.11' };

const PREBUILDS = [
  { arch: 'x64', readelf: 'readelf', machine: 'X86-64' },
  { arch: 'arm64', readelf: 'aarch64-linux-gnu-readelf', machine: 'AArch64' },
].map((p) => ({ ...p, file: join(ROOT, 'prebuilds', `linux-${p.arch}`, 'node.napi.node') }));

function run(cmd: string, args: string[], timeout = 60_000): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout, killSignal: 'SIGKILL', maxBuffer: 1 << 26 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return r.stdout;
}

function newer(version: string, limit: string): boolean {
  const a = version.split('.').map(Number),
    b = limit.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return false;
}

// -- Build (once, before any test: every test below needs it). The script installs the aarch64
// cross toolchain itself when it is missing, which can take a few minutes on a fresh machine.
const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'prebuild.mjs')], {
  cwd: ROOT,
  encoding: 'utf8',
  timeout: 600_000,
  killSignal: 'SIGKILL',
  maxBuffer: 1 << 26,
});
if (build.error || build.status !== 0) {
  throw new Error(`scripts/prebuild.mjs failed (${build.error?.message ?? `exit ${build.status}`}):\n${build.stderr}`);
}

for (const p of PREBUILDS) {
  test(`${p.arch}: built, stripped, an ${p.machine} ELF shared object`, () => {
    assert.ok(existsSync(p.file), p.file);
    const header = run(p.readelf, ['-h', '-W', p.file]);
    assert.match(header, /Type:\s+DYN/);
    assert.match(header, new RegExp(`Machine:.*\\b${p.machine}$`, 'm'));
    assert.not.match(run(p.readelf, ['-S', '-W', p.file]), /\.symtab\b/, 'stripped: no static symbol table');
  });

  test(
    `${p.arch}: needs nothing newer than glibc ${LIMITS.GLIBC}, GLIBCXX_${LIMITS.GLIBCXX}, ` +
      `CXXABI_${LIMITS.CXXABI}`,
    () => {
      // The version-needs section is what the loader checks; the per-symbol list names the culprit.
      const needs = [...run(p.readelf, ['-V', '-W', p.file]).matchAll(/Name:\s+([A-Z]+)_([\d.]+)\s+Flags/g)].map(
        (m) => ({
          lib: m[1],
          version: m[2],
          symbol: '(version needed)',
        }),
      );
      const symbols = [
        ...run(p.readelf, ['--dyn-syms', '-W', p.file]).matchAll(/\sUND\s+(\S+?)@+([A-Z]+)_([\d.]+)/g),
      ].map((m) => ({ lib: m[2], version: m[3], symbol: m[1] }));
      assert.ok(
        needs.some((n) => n.lib === 'GLIBC'),
        'readelf -V lists the glibc versions needed',
      );
      assert.ok(symbols.length > 20, 'readelf --dyn-syms lists versioned imports');
      const bad = [...needs, ...symbols]
        .filter((s) => s.lib in LIMITS && newer(s.version, LIMITS[s.lib]))
        .map((s) => `${s.symbol}@${s.lib}_${s.version}`);
      assert.equal(bad, [], `imports too new for glibc ${LIMITS.GLIBC} / GCC 8: ${bad.join(', ')}`);
    },
  );

  test(`${p.arch}: links the C++ runtime in (no libstdc++.so, no libgcc_s.so)`, () => {
    const needed = [...run(p.readelf, ['-d', '-W', p.file]).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map(
      (m) => m[1],
    );
    assert.ok(needed.includes('libc.so.6'), `needs ${needed.join(', ')}`);
    assert.equal(
      needed.filter((l) => /^lib(stdc\+\+|gcc_s)\./.test(l)),
      [],
      `needs ${needed.join(', ')}`,
    );
    const versions = run(p.readelf, ['-V', '-W', p.file]);
    assert.not.match(versions, /\b(GLIBCXX|CXXABI|GCC)_[\d.]+/, 'no libstdc++ or libgcc_s symbol version needed');
  });

  test(`${p.arch}: exports the N-API entry point, and little else`, () => {
    const exported = [
      ...run(p.readelf, ['--dyn-syms', '-W', p.file]).matchAll(
        /^\s*\d+:\s+\S+\s+\d+\s+\w+\s+(?:GLOBAL|WEAK)\s+DEFAULT\s+(?!UND)\S+\s+(\S+)$/gm,
      ),
    ].map((m) => m[1]);
    assert.ok(exported.includes('napi_register_module_v1'), `exports ${exported.join(', ')}`);
    assert.equal(
      exported.filter((s) => !/^n(api|ode_api)_/.test(s)),
      [],
      'only Node-API entry points are exported',
    );
  });
}

test(`${process.arch}: the prebuild for this machine loads in this Node and passes the install-time gate`, () => {
  const own = PREBUILDS.find((p) => p.arch === process.arch);
  assert.ok(own, `no prebuild is made for ${process.arch}`);
  // `check` needs the native engine: without a loadable addon it fails (exit 3), so exit 0 means
  // this very file was loaded and ran the engine (std::thread, affinity, membarrier). runCli kills
  // the child after 30 s.
  const r = runCli(['check', '--require', 'membarrier-private-expedited'], {
    env: { MEMBARRIER_PROBE_ADDON: own.file },
  });
  assert.equal(r.status, 0, `exit ${r.status}\n${r.stdout}\n${r.stderr}`);
});

test.run();
