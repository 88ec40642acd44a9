// A calm install (issue 12, part 8): `npm ci` in a fresh copy of the repository builds the addon
// and shows node-gyp's warnings and errors, not its info log (every spawn argument). The
// project's .npmrc sets loglevel=warn, which npm hands to node-gyp as npm_config_loglevel.
// One run, from npm's cache (--offline: nothing is downloaded); slow, since it compiles the addon.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/run-cli.js';

test('npm ci in a fresh copy builds the addon without a single "gyp info" line', () => {
  const work = mkdtempSync(join(tmpdir(), 'mbp-calm-'));
  try {
    // The tracked files only: no node_modules, no build folder, no prebuilds.
    const tracked = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' });
    assert.is(tracked.status, 0, tracked.stderr);
    for (const f of tracked.stdout.split('\0').filter(Boolean)) {
      if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(work, f), { recursive: true });
    }
    assert.ok(existsSync(join(work, '.npmrc')), '.npmrc is tracked');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    };
    // No loglevel from the environment (a CI may set one): the project's own .npmrc must do it.
    for (const k of Object.keys(env)) if (/^npm_config_loglevel$/i.test(k)) delete env[k];
    const r = spawnSync('npm', ['ci', '--offline'], {
      cwd: work,
      env,
      encoding: 'utf8',
      timeout: 900_000,
      maxBuffer: 1 << 26,
    });
    const out = `${r.stdout}\n${r.stderr}`;
    assert.is(r.status, 0, `npm ci failed:\n${out.slice(-3000)}`);
    assert.ok(existsSync(join(work, 'build', 'Release', 'membarrier_probe.node')), 'node-gyp built the addon');
    const info = out.split('\n').filter((l) => /gyp info/.test(l));
    assert.is(info.length, 0, `node-gyp's info log is shown:\n${info.slice(0, 5).join('\n')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test.run();
