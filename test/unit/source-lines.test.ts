import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/run-cli.js';

// No line of the project's own source is over 120 columns (scripts/format.mjs breaks long strings and
// comments; what it cannot break is for a person to shorten). Captures, generated files, the lock file
// and prose (Markdown) are not source.
const MAX_COLUMNS = 120;
const SOURCE = /\.(ts|mts|js|mjs|cjs|cc|h|c|sh|json)$|^\.ci\/run$/;
const NOT_SOURCE = /^(test\/fixtures|prebuilds)\/|^package-lock\.json$|^probe\/report\.schema\.json$/;

test(`no tracked source line is over ${MAX_COLUMNS} columns`, () => {
  const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => SOURCE.test(f) && !NOT_SOURCE.test(f));
  assert.ok(files.length > 100, `git ls-files listed ${files.length} source files`);
  const long: string[] = [];
  for (const f of files) {
    readFileSync(join(ROOT, f), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        // Columns, not UTF-16 units: "≤" or "→" is one column.
        const columns = [...line].length;
        if (columns > MAX_COLUMNS) long.push(`${f}:${i + 1} (${columns} columns)`);
      });
  }
  assert.equal(long, [], `${long.length} lines over ${MAX_COLUMNS} columns:\n${long.join('\n')}`);
});

test.run();
