#!/usr/bin/env node
// Builds the Node-API prebuilds prebuilds/linux-x64/node.napi.node and
// prebuilds/linux-arm64/node.napi.node (the names node-gyp-build looks for) that load wherever the
// official Node 20 binaries run: glibc 2.28 or newer (RHEL 8, Debian 10, Ubuntu 20.04), any
// libstdc++ or none. Usage: node scripts/prebuild.mjs [x64] [arm64] (default: both).
//
// Why g++ by hand and not prebuildify or node-gyp:
// - prebuildify runs `node-gyp rebuild` in the project's build/, which would wipe the developer's
//   build/Release (what the CLI and the tests load) and leave a foreign-arch addon in its place;
// - the glibc shims (native/platform/glibc_compat.h) need a translation unit of their own, which
//   would mean adding it to binding.gyp's source list for every build;
// - cross-building through gyp needs CC/CXX/LINK overrides and still renames by hand.
// Compiling binding.gyp's sources directly (as build-sanitized.mjs does) keeps the source list in
// one place and touches nothing outside build/Prebuild/ and prebuilds/.
//
// How the binaries stay loadable on old systems:
// - libstdc++ and libgcc are linked statically (-static-libstdc++ -static-libgcc): no dependency on
//   the host's libstdc++ (GCC 12's would need GLIBCXX_3.4.29+), and --exclude-libs,ALL keeps their
//   symbols private, so Node's own libstdc++ cannot be mixed with ours at run time;
// - glibc_compat.h pins the glibc symbols that 2.32+ gave new versions back to the old ones;
// - after linking, every imported symbol version is checked and the build fails naming the
//   offenders, so a newer toolchain cannot silently produce a binary that old systems refuse.
// Never downloads anything: Node headers are looked up exactly as scripts/build-native.mjs does
// (the addon uses Node-API only, and those headers are the same for every arch).
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const compat = join(root, 'native', 'platform', 'glibc_compat.h');

// Debian's triplet-named tools, so the same commands work from an x64 or an arm64 host.
const TARGETS = {
  x64: { triplet: 'x86_64-linux-gnu', machine: 'X86-64', debs: ['g++-x86-64-linux-gnu', 'binutils-x86-64-linux-gnu'] },
  arm64: {
    triplet: 'aarch64-linux-gnu',
    machine: 'AArch64',
    debs: ['g++-aarch64-linux-gnu', 'binutils-aarch64-linux-gnu'],
  },
};
// What glibc 2.28 and GCC 8's libstdc++ (RHEL 8's) provide.
const LIMITS = { GLIBC: '2.28', GLIBCXX: '3.4.25', CXXABI: '1.3.11' };
// References from libstdc++.a and libgcc_eh.a to symbols newer than glibc 2.28, found with
// readelf on a build without them; each is sent to its __wrap_ shim in glibc_compat.h.
const WRAPPED = [
  'pthread_create',
  'pthread_join',
  'pthread_detach',
  'pthread_once',
  '__pthread_key_create',
  '__libc_single_threaded',
  'arc4random',
  '_dl_find_object',
];

const fail = (msg) => {
  console.error(`prebuild: ${msg}`);
  process.exit(1);
};

const has = (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore', timeout: 30_000 }).status === 0;

const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, timeout: 120_000, ...opts });
  if (r.error) fail(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
};

const cmpVersion = (a, b) => {
  const x = a.split('.').map(Number),
    y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  }
  return 0;
};

/** Every versioned symbol a binary imports, as { symbol, lib: 'GLIBC', version: '2.17' }. */
function importedVersions(readelf, file) {
  const out = spawnSync(readelf, ['--dyn-syms', '-W', file], { encoding: 'utf8', maxBuffer: 1 << 26, timeout: 60_000 });
  if (out.status !== 0) throw new Error(`${readelf} --dyn-syms ${file}: ${out.stderr || out.error}`);
  const found = [];
  for (const line of out.stdout.split('\n')) {
    const f = line.trim().split(/\s+/);
    // Num: Value Size Type Bind Vis Ndx Name; imports have Ndx UND.
    if (f[6] !== 'UND' || !f[7]) continue;
    const m = /^(.+?)@+([A-Z]+)_([\d.]+)(?: \(\d+\))?$/.exec(f[7]);
    if (m) found.push({ symbol: m[1], lib: m[2], version: m[3] });
  }
  return found;
}

/** The imports newer than LIMITS allow (GCC_ is libgcc_s, which must not be needed at all). */
function tooNew(imports) {
  return imports.filter(
    ({ lib, version }) => lib === 'GCC' || (LIMITS[lib] !== undefined && cmpVersion(version, LIMITS[lib]) > 0),
  );
}

const nodedir = [process.env.npm_config_nodedir, dirname(dirname(process.execPath))].find(
  (d) => d && existsSync(join(d, 'include', 'node', 'node_api.h')),
);

function prepare() {
  if (!nodedir) {
    fail(
      `Node headers not found (looked in npm_config_nodedir and beside ${process.execPath}); ` +
        'install the Node development headers or set npm_config_nodedir. Not downloading them.',
    );
  }
  const gyp = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8')).targets[0];
  // binding.gyp's `<!(command)` include dirs are command expansions run from the project root.
  const includes = [
    join(nodedir, 'include', 'node'),
    ...gyp.include_dirs.map((dir) => {
      const m = /^<!\((.*)\)$/.exec(dir);
      return resolve(root, m ? run('sh', ['-c', m[1]]).trim() : dir);
    }),
  ];
  // binding.gyp's own flags (warnings, -fno-exceptions, -pthread, -std, -O2) so the prebuild is the
  // same program as `npm run build:native`'s. Added for the prebuild only:
  // -fPIC (node-gyp's common.gypi adds it to the normal build); -fvisibility=hidden so that only
  // the N-API entry points (marked visible by node_api.h) are exported; -include the version pins.
  const cflags = [
    ...(gyp.cflags_cc ?? []),
    '-fPIC',
    '-fvisibility=hidden',
    '-fvisibility-inlines-hidden',
    '-include',
    compat,
    ...(gyp.defines ?? []).map((d) => `-D${d}`),
    ...includes.map((i) => `-I${i}`),
  ];
  const ldflags = [
    '-shared',
    ...(gyp.ldflags ?? []),
    '-static-libstdc++',
    '-static-libgcc',
    '-Wl,--exclude-libs,ALL',
    '-Wl,--as-needed',
    '-Wl,-z,noexecstack',
    ...WRAPPED.map((s) => `-Wl,--wrap=${s}`),
  ];
  return { sources: gyp.sources, cflags, ldflags };
}

function compile(cxx, args) {
  return new Promise((done) => {
    const child = spawn(cxx, args, { cwd: root, stdio: ['ignore', 'inherit', 'pipe'], timeout: 300_000 });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', (e) => done({ ok: false, err: `${cxx}: ${e.message}\n` }));
    child.on('close', (code) => done({ ok: code === 0, err }));
  });
}

async function build(arch, { sources, cflags, ldflags }) {
  const { triplet, machine, debs } = TARGETS[arch];
  const tool = (name) => `${triplet}-${name}`;
  if (!has(tool('g++')) || !has(tool('strip')) || !has(tool('readelf'))) {
    // The project's own files install what its builds need (a no-op when they are there).
    const ensure = spawnSync(join(root, 'scripts', 'ensure-debian.sh'), debs, { stdio: 'inherit', timeout: 600_000 });
    if (ensure.status !== 0 || !has(tool('g++'))) fail(`${tool('g++')} not found; install ${debs.join(' ')}`);
  }

  const work = join(root, 'build', 'Prebuild', arch);
  rmSync(work, { recursive: true, force: true });
  // Objects mirror the source tree: native/inspect/ and native/harness/ both have an affinity.cc.
  const jobs = sources.map((src) => {
    const obj = join(work, 'obj', src.replace(/\.(cc|cpp|cxx)$/, '.o'));
    return { src, obj, args: [...cflags, '-c', join(root, src), '-o', obj] };
  });
  // The shims, compiled from the header itself (see glibc_compat.h).
  const shimObj = join(work, 'obj', 'glibc_compat_shims.o');
  jobs.push({
    src: compat,
    obj: shimObj,
    args: [
      ...cflags.filter((f, i, a) => f !== '-include' && a[i - 1] !== '-include'),
      '-DMBP_GLIBC_COMPAT_SHIMS',
      '-x',
      'c++',
      '-c',
      compat,
      '-o',
      shimObj,
    ],
  });
  for (const j of jobs) mkdirSync(dirname(j.obj), { recursive: true });

  const queue = [...jobs];
  const failures = [];
  const worker = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const r = await compile(tool('g++'), job.args);
      if (r.err) process.stderr.write(r.err);
      if (!r.ok) failures.push(job.src);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(availableParallelism(), jobs.length)) }, worker));
  if (failures.length) fail(`${arch}: compilation failed: ${failures.join(', ')}`);

  // Only the N-API entry points are exported. Template instantiations from the libstdc++ headers
  // (std::vector<int>::_M_realloc_insert, ...) are default-visibility even under
  // -fvisibility=hidden, and an exported one could be interposed by another copy in the process.
  const exportsMap = join(work, 'exports.map');
  writeFileSync(
    exportsMap,
    '{\n  global: napi_register_module_v1; node_api_module_get_api_version_v1;\n  local: *;\n};\n',
  );
  const linked = join(work, 'node.napi.node');
  run(tool('g++'), [...ldflags, `-Wl,--version-script=${exportsMap}`, '-o', linked, ...jobs.map((j) => j.obj)], {
    timeout: 300_000,
  });
  run(tool('strip'), ['--strip-all', linked]);

  if (!new RegExp(`Machine:.*\\b${machine}$`, 'm').test(run(tool('readelf'), ['-h', linked]))) {
    fail(`${arch}: ${linked} is not an ${machine} binary`);
  }
  const imports = importedVersions(tool('readelf'), linked);
  const bad = tooNew(imports);
  if (bad.length) {
    fail(
      `${arch}: imports symbol versions newer than glibc ${LIMITS.GLIBC} / GLIBCXX_${LIMITS.GLIBCXX} / ` +
        `CXXABI_${LIMITS.CXXABI} allow: ${bad.map((b) => `${b.symbol}@${b.lib}_${b.version}`).join(', ')}` +
        ' (pin them in native/platform/glibc_compat.h)',
    );
  }

  const dest = join(root, 'prebuilds', `linux-${arch}`, 'node.napi.node');
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(linked, dest);
  const versions = [...new Set(imports.map((i) => `${i.lib}_${i.version}`))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
  console.log(`${dest}: ${machine}, needs ${versions.join(' ')}`);
}

const wanted = process.argv.slice(2);
for (const a of wanted) if (!TARGETS[a]) fail(`unknown arch ${a} (known: ${Object.keys(TARGETS).join(', ')})`);
const config = prepare();
for (const arch of wanted.length ? wanted : Object.keys(TARGETS)) await build(arch, config);
