// The one formatter of the tree: `npm run format` writes, `npm run lint` runs it with --check.
// TypeScript and JavaScript go through break-long-lines.mjs (Prettier leaves a long string or comment
// as long as it is) and Prettier (.prettierrc.json), C and C++ through clang-format (.clang-format;
// the WASM build from npm, so a fresh clone needs nothing else). The whole run is deterministic: a
// second run changes nothing, which is what lets a merge be reformatted by running it again.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { breakLongLines } from './break-long-lines.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
// Build outputs, dependencies, captures and generated files: never formatted, never checked.
const SKIP = new Set(['node_modules', 'dist', 'build', 'prebuilds', '.cache', '.git', 'reports', 'test/fixtures']);
const TS_EXT = new Set(['.ts', '.mts', '.js', '.mjs', '.cjs']);
const CC_EXT = new Set(['.cc', '.h', '.c']);

export function sourceFiles(dir = ROOT) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (SKIP.has(relative(ROOT, path)) || SKIP.has(e.name)) continue;
    if (e.isDirectory()) out.push(...sourceFiles(path));
    else if (e.isFile() && (TS_EXT.has(extname(e.name)) || CC_EXT.has(extname(e.name)))) out.push(path);
  }
  return out.sort();
}

export async function formatScript(text, path) {
  const options = { ...(await prettier.resolveConfig(path)), filepath: path };
  let cur = await prettier.format(text, options);
  // Each pass can only shorten lines; a few passes settle nested cases (a split string inside a call
  // that Prettier then breaks onto more lines, where the pieces are re-measured).
  for (let pass = 0; pass < 4; pass++) {
    const broken = breakLongLines(cur, path);
    if (broken === cur) break;
    cur = await prettier.format(broken, options);
  }
  return cur;
}

// One clang-format for every C and C++ file, with the root's .clang-format as its style.
async function clangFormatter() {
  const { format, version } = await import('@wasm-fmt/clang-format');
  const style = readFileSync(join(ROOT, '.clang-format'), 'utf8');
  return { format: (text, path) => format(text, path, style), version };
}

/** Formats (or, with check, only finds what would change): returns the files that differ. */
export async function run({ check }) {
  const files = sourceFiles();
  const differ = [];
  const clang = await clangFormatter();
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const out = TS_EXT.has(extname(f)) ? await formatScript(text, f) : clang.format(text, f);
    if (out === text) continue;
    differ.push(relative(ROOT, f));
    if (!check) writeFileSync(f, out);
  }
  return differ;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  process.chdir(ROOT);
  const differ = await run({ check });
  if (check && differ.length) {
    for (const f of differ) console.error(`not formatted: ${f}`);
    console.error(`${differ.length} file(s) differ from \`npm run format\``);
    process.exit(1);
  }
  if (!check) console.log(differ.length ? `formatted ${differ.length} file(s)` : 'already formatted');
}
