#!/usr/bin/env node
// Builds the native addon with node-gyp against Node headers that are already on this machine.
// Why a script and not a bare `node-gyp rebuild`: node-gyp downloads headers when it finds none,
// and this project must never download them. We locate them first (npm's configured nodedir,
// then the headers installed beside the running node) and fail with a clear message otherwise.
// Configure runs only when needed so that `npm test` after an edit rebuilds incrementally.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const root = join(dirname(new URL(import.meta.url).pathname), '..');

function findNodedir() {
  const candidates = [process.env.npm_config_nodedir, dirname(dirname(process.execPath))];
  return candidates.find((d) => d && existsSync(join(d, 'include', 'node', 'node_api.h')));
}

const nodedir = findNodedir();
if (!nodedir) {
  console.error(
    'build-native: Node headers not found (looked in npm_config_nodedir and beside ' +
      process.execPath +
      '); install the Node development headers or set npm_config_nodedir. Not downloading them.',
  );
  process.exit(1);
}

const gyp = require.resolve('node-gyp/bin/node-gyp.js');
// node-gyp lets npm_config_* variables override its command line, so the variable is set too:
// an empty or stale npm_config_nodedir would otherwise send it off to download headers.
const env = { ...process.env, npm_config_nodedir: nodedir };
const run = (args) => {
  const r = spawnSync(process.execPath, [gyp, ...args, `--nodedir=${nodedir}`], { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const makefile = join(root, 'build', 'Makefile');
const stale = !existsSync(makefile) || statSync(join(root, 'binding.gyp')).mtimeMs > statSync(makefile).mtimeMs;
if (stale || process.argv.includes('--rebuild')) run(['configure']);
run(['build', ...(process.argv.includes('--debug') ? ['--debug'] : [])]);
