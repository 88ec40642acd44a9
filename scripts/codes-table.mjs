// Prints the README's "Reason codes" table from the registry (probe/codes.ts, built to dist/), or
// with --write replaces the table between the README's codes markers. Run after adding a code;
// test/unit/codes.test.ts fails while the README and the registry differ.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { codesTable } = await import(`${root}dist/probe/codes.js`);
const table = codesTable();
if (!process.argv.includes('--write')) {
  process.stdout.write(`${table}\n`);
} else {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const re = /(<!-- codes:begin -->\n)[\s\S]*?(<!-- codes:end -->)/;
  if (!re.test(readme)) throw new Error('README.md has no <!-- codes:begin --> ... <!-- codes:end --> markers');
  writeFileSync(
    `${root}README.md`,
    readme.replace(re, (_, begin, end) => `${begin}${table}\n${end}`),
  );
}
