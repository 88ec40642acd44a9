// The report schema and the record types are one description (issue 12, part 4): the schema is
// generated from probe/records/*.ts, loadReport refuses a report missing any field the types
// require (what every renderer may read), with one line naming the field, and a report missing
// only the fields marked optional still renders in every format.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../probe/records.js';
import { validate } from '../../probe/schema.js';
import { loadReport } from '../../probe/report-file.js';
import { UserError } from '../../probe/exit-codes.js';
import { FORMATS, render } from '../../probe/render/index.js';
import { localFixturesDir, repoRoot, localReport } from './fixtures.js';

const FIXTURE = join(localFixturesDir, 'reports', 'kvm-intel-xeon-2vcpu-default.json');
const recorded: Report = localReport('reports', 'kvm-intel-xeon-2vcpu-default.json');
const schema = JSON.parse(readFileSync(join(repoRoot, 'probe', 'report.schema.json'), 'utf8'));

type S = {
  $ref?: string;
  anyOf?: S[];
  type?: string | string[];
  required?: string[];
  properties?: Record<string, S>;
  items?: S;
  additionalProperties?: S | boolean;
};
const deref = (s: S): S => (s.$ref ? deref(schema.definitions[s.$ref.replace('#/definitions/', '')]) : s);
// The display form validate() uses, written out again here rather than imported.
const step = (k: string | number) =>
  typeof k === 'number' ? `[${k}]` : /^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`;
const show = (path: (string | number)[]) => '$' + path.map(step).join('');

/**
 * Every field in `value` (first element of each array, first entry of each map) with whether the schema requires it.
 */
function fields(
  s: S,
  value: unknown,
  path: (string | number)[],
  out: { path: (string | number)[]; required: boolean }[],
) {
  s = deref(s);
  if (s.anyOf) {
    // The object branch of "object or null" (or of a union of objects, the first that accepts the value).
    for (const b of s.anyOf) {
      const d = deref(b);
      const t = Array.isArray(d.type) ? d.type : [d.type];
      if (value !== null && typeof value === 'object' && (t.includes('object') || t.includes('array') || d.anyOf))
        return fields(d, value, path, out);
    }
    return;
  }
  if (Array.isArray(value)) {
    if (s.items && value.length) fields(s.items, value[0], [...path, 0], out);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  const o = value as Record<string, unknown>;
  for (const [k, sub] of Object.entries(s.properties ?? {})) {
    if (!(k in o)) continue;
    out.push({ path: [...path, k], required: (s.required ?? []).includes(k) });
    fields(sub, o[k], [...path, k], out);
  }
  const first = Object.keys(o).find((k) => !(s.properties && k in s.properties));
  if (first !== undefined && typeof s.additionalProperties === 'object')
    fields(s.additionalProperties, o[first], [...path, first], out);
}

function without(r: unknown, path: (string | number)[]): Report {
  const c = structuredClone(r) as Record<string | number, unknown>;
  let o = c;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  delete o[path.at(-1)!];
  return c as unknown as Report;
}

const all: { path: (string | number)[]; required: boolean }[] = [];
fields(schema, recorded, [], all);

test('the committed schema is what the record types generate (npm run build:schema)', async () => {
  const { createGenerator } = await import('ts-json-schema-generator');
  const fresh = createGenerator({
    path: join(repoRoot, 'probe', 'records.ts'),
    tsconfig: join(repoRoot, 'tsconfig.json'),
    type: 'Report',
    additionalProperties: true,
    jsDoc: 'none',
    skipTypeCheck: true,
  }).createSchema('Report');
  // As scripts/gen-schema.mjs does: a reason code is any string to the schema (codes are added without a version bump).
  fresh.definitions!.Code = { type: 'string' };
  assert.equal(fresh.definitions, schema.definitions);
});

test('the real saved report passes, and loads through loadReport', () => {
  assert.is(validate(recorded), null);
  assert.is(loadReport(FIXTURE).generatedAt, recorded.generatedAt);
  // The walk must have reached deep into the report, or the next test proves little.
  assert.ok(all.filter((f) => f.required).length > 300, `${all.length} fields`);
  assert.ok(all.some((f) => show(f.path) === '$.analysis.positiveControl.relaxed'));
  assert.ok(all.some((f) => show(f.path) === '$.results.controls.none.mechanism.perReader[0].interruptedShare'));
});

test('deleting any one required field is refused, naming that field', () => {
  const missed: string[] = [];
  for (const f of all.filter((x) => x.required)) {
    const p = validate(without(recorded, f.path));
    if (p !== `${show(f.path)} is missing`) missed.push(`${show(f.path)}: ${p}`);
  }
  assert.equal(missed, []);
});

test('a report missing every optional field (as older reports do) still loads and renders in every format', () => {
  let r: Report = recorded;
  // Deepest first, so deleting a parent does not hide its children's paths.
  const optional = all.filter((f) => !f.required).sort((a, b) => b.path.length - a.path.length);
  for (const f of optional) r = without(r, f.path);
  for (const name of ['phases', 'readerClasses', 'topologyClasses']) assert.not.ok(name in r.plan, name);
  assert.is(validate(r), null);
  for (const format of FORMATS) assert.ok(render(r, format).length > 0, format);
});

test('loadReport: a missing field is a UserError of one line naming its JSON path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mbp-schema-'));
  const file = join(dir, 'r.json');
  writeFileSync(file, JSON.stringify(without(recorded, ['analysis', 'positiveControl'])));
  try {
    loadReport(file);
    assert.unreachable('loaded');
  } catch (err) {
    assert.instance(err, UserError);
    assert.is(
      (err as Error).message,
      `report ${file} is not a membarrier-probe report: $.analysis.positiveControl is missing`,
    );
  }
});

test(
  'show --format html on a report without analysis.positiveControl exits 2 with one line, not 1 ' + '(internal error)',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'mbp-schema-'));
    for (const path of [
      ['analysis', 'positiveControl'],
      ['results', 'strategies', 'mprotect', 'mechanism', 'perReader'],
      ['recommendation', 'acceptable'],
    ]) {
      const file = join(dir, `${path.join('-')}.json`);
      writeFileSync(file, JSON.stringify(without(recorded, path)));
      const r = spawnSync(
        process.execPath,
        [join(repoRoot, 'dist', 'probe', 'cli.js'), 'show', file, '--format', 'html'],
        { encoding: 'utf8', timeout: 30_000 },
      );
      assert.is(r.status, 2, r.stderr);
      assert.is(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.is(lines.length, 1, r.stderr);
      assert.ok(lines[0].includes(`${show(path)} is missing`), lines[0]);
    }
  },
);

test.run();
