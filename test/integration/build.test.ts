// The addon build must never download Node headers (many hosts have no network, and headers of
// another version would build a wrong binary). Build a copy of the addon from scratch with an empty
// HOME (no node-gyp header cache) and every proxy pointing at a closed port: any download attempt
// fails, so a successful build proves none was made.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/run-cli.js';

for (const nodedir of ['', '/nonexistent/node-headers'])
  test(
    `build-native builds from scratch without downloading headers ` + `(npm_config_nodedir=${JSON.stringify(nodedir)})`,
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'mbp-build-'));
      for (const p of ['binding.gyp', 'native', 'scripts', 'package.json'])
        cpSync(join(ROOT, p), join(dir, p), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      const home = mkdtempSync(join(tmpdir(), 'mbp-home-'));
      const closed = 'http://127.0.0.1:9';
      const env = {
        ...process.env,
        HOME: home,
        npm_config_nodedir: nodedir,
        npm_config_cache: join(home, 'npm'),
        http_proxy: closed,
        https_proxy: closed,
        HTTP_PROXY: closed,
        HTTPS_PROXY: closed,
        npm_config_proxy: closed,
        npm_config_https_proxy: closed,
      };
      const r = spawnSync(process.execPath, [join(dir, 'scripts', 'build-native.mjs')], {
        cwd: dir,
        env,
        encoding: 'utf8',
        timeout: 300_000,
      });
      assert.is(r.status, 0, r.stderr);
      assert.ok(existsSync(join(dir, 'build', 'Release', 'membarrier_probe.node')));
      assert.not.match(r.stderr, /download|http/i);
      assert.not.ok(
        existsSync(join(home, '.cache', 'node-gyp')),
        'node-gyp must not have fetched headers into its cache',
      );
    },
  );

test.run();
