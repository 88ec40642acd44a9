// `npm run lint`: ESLint on the TypeScript and JavaScript, then whether `npm run format` would change
// any file (Prettier, clang-format, and the long-line pass in scripts/format.mjs). Both always run, so
// one report lists every finding; the exit status is 1 when either found something.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from './format.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);
const eslint = spawnSync(process.execPath, [join(root, 'node_modules', 'eslint', 'bin', 'eslint.js'), '.'], {
  stdio: 'inherit',
});
const differ = await run({ check: true });
for (const f of differ) console.error(`not formatted: ${f}`);
if (differ.length) console.error(`${differ.length} file(s) differ from \`npm run format\`: run it`);
const ok = eslint.status === 0 && !differ.length;
console.log(ok ? 'lint: clean' : 'lint: findings above');
process.exit(ok ? 0 : 1);
