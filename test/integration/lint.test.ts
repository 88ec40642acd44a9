import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/run-cli.js';

// CI runs the linters through the test suite, so a finding is one failed test in `.ci/run`'s totals
// and every other test still runs and counts.
test('npm run lint: no ESLint finding and nothing `npm run format` would change', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'lint.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.is(r.status, 0, `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-40).join('\n'));
});

test.run();
