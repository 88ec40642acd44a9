#!/usr/bin/env node
// Builds the native addon with AddressSanitizer and UndefinedBehaviorSanitizer into
// build/Sanitized/membarrier_probe.node and prints that path. Load it with
// MEMBARRIER_PROBE_ADDON=<path> and LD_PRELOAD=<g++ -print-file-name=libasan.so> (node itself is not
// instrumented, so the ASan runtime has to come first in the process); see
// test/integration/sanitizers.test.ts.
// With --thread, builds it with ThreadSanitizer instead, into build/Tsan/ (preload libtsan.so;
// see test/integration/tsan.test.ts): the engine's reader, writer and contention threads share
// memory, and only a many-reader run under TSan shows a race before it corrupts the heap.
//
// Why by hand and not through node-gyp: node-gyp has no notion of a third configuration beside
// Release and Debug, and a `--debug` node-gyp build would reconfigure build/ under the feet of
// whoever uses build/Release. Compiling the sources listed in binding.gyp directly keeps the list in
// one place (binding.gyp) and touches nothing outside build/Sanitized/.
// Never downloads anything: Node headers are looked up exactly as scripts/build-native.mjs does.
// Not incremental on purpose: a sanitizer build is rare and a clean one is never stale.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const thread = process.argv.includes('--thread');
const outDir = join(root, 'build', thread ? 'Tsan' : 'Sanitized');
const objDir = join(outDir, 'obj');
const target = join(outDir, 'membarrier_probe.node');
const cxx = process.env.CXX || 'g++';

const fail = (msg) => {
  console.error(`build-sanitized: ${msg}`);
  process.exit(1);
};

// binding.gyp is plain JSON in this project (the arm64 cross-build test reads it the same way).
const gyp = JSON.parse(readFileSync(join(root, 'binding.gyp'), 'utf8')).targets[0];

// Same order as build-native.mjs: npm's configured nodedir, then the headers installed beside the
// running node. The addon uses Node-API only, so any headers of a supported Node will do.
const nodedir = [process.env.npm_config_nodedir, dirname(dirname(process.execPath))].find(
  (d) => d && existsSync(join(d, 'include', 'node', 'node_api.h')),
);
if (!nodedir) {
  fail(
    `Node headers not found (looked in npm_config_nodedir and beside ${process.execPath}); ` +
      'install the Node development headers or set npm_config_nodedir. Not downloading them.',
  );
}

// gyp's `<!(command)` is a command expansion run from the .gyp file's folder; binding.gyp uses it
// to ask node-addon-api for its include dir, which it answers relative to the working directory.
function expand(dir) {
  const m = /^<!\((.*)\)$/.exec(dir);
  if (!m) return resolve(root, dir);
  const r = spawnSync('sh', ['-c', m[1]], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) fail(`binding.gyp include dir ${dir} failed: ${r.stderr}`);
  return resolve(root, r.stdout.trim());
}
const includes = [join(nodedir, 'include', 'node'), ...gyp.include_dirs.map(expand)];

// -O1 keeps stack traces readable while still letting ASan's checks run at a usable speed (the
// engine's spin loops have deadlines measured in ticks, so -O0 would only make phases shorter).
// -fno-omit-frame-pointer gives ASan's fast unwinder whole stacks. -fno-sanitize-recover=all
// makes the first UBSan report fatal, so no report can scroll by in an otherwise passing run.
// float-cast-overflow is added because GCC leaves it out of -fsanitize=undefined, yet a double
// from JS that does not fit the integer it is converted to (int(1e300), uint64_t(NaN)) is the
// most likely undefined behaviour in an addon that converts JS numbers.
// TSan cannot be combined with ASan; it gets a build of its own.
const sanitize = thread
  ? ['-fsanitize=thread']
  : ['-fsanitize=address,undefined,float-cast-overflow', '-fno-sanitize-recover=all'];
// binding.gyp's own C++ flags (warnings, -fno-exceptions, -pthread) so the sanitized build is the
// same program as the release one, minus its optimisation level and language standard, set here.
const gypFlags = (gyp.cflags_cc ?? []).filter((f) => !/^-O|^-std=/.test(f));
const cflags = [
  '-std=c++17',
  '-O1',
  '-g',
  '-fno-omit-frame-pointer',
  ...sanitize,
  '-fPIC',
  '-pthread',
  ...gypFlags,
  ...(gyp.defines ?? []).map((d) => `-D${d}`),
  ...includes.map((i) => `-I${i}`),
];

// A clean build: stale objects from a since-removed source must not be linked.
rmSync(outDir, { recursive: true, force: true });
mkdirSync(objDir, { recursive: true });

// Objects mirror the source tree (obj/native/harness/affinity.o), because native/inspect/ and
// native/harness/ each have an affinity.cc and flattening to the basename would collide.
const jobs = gyp.sources.map((src) => {
  const obj = join(objDir, src.replace(/\.(cc|cpp|cxx|c)$/, '.o'));
  mkdirSync(dirname(obj), { recursive: true });
  return { src, obj, args: [...cflags, '-c', join(root, src), '-o', obj] };
});

function compile(job) {
  return new Promise((done) => {
    const child = spawn(cxx, job.args, { cwd: root, stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', (e) => done({ job, ok: false, err: `${cxx}: ${e.message}` }));
    child.on('close', (code) => done({ job, ok: code === 0, err }));
  });
}

// Parallel compilation: an ASan+UBSan compile of the engine is slow, and the test waits on it.
const queue = [...jobs];
const failures = [];
const worker = async () => {
  for (let job = queue.shift(); job; job = queue.shift()) {
    const r = await compile(job);
    if (r.err) process.stderr.write(r.err);
    if (!r.ok) failures.push(job.src);
  }
};
await Promise.all(Array.from({ length: Math.max(1, Math.min(availableParallelism(), jobs.length)) }, worker));
if (failures.length) fail(`compilation failed: ${failures.join(', ')}`);

// The sanitizer flags are repeated at link time so that g++ records libasan and libubsan as
// DT_NEEDED of the .node; node's own unresolved symbols (napi_*) are resolved when it is loaded.
const link = spawnSync(cxx, ['-shared', ...sanitize, ...(gyp.ldflags ?? []), '-o', target, ...jobs.map((j) => j.obj)], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (link.error) fail(`${cxx}: ${link.error.message}`);
if (link.status !== 0) fail('link failed');

console.log(target);
