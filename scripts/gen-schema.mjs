// Writes probe/report.schema.json from the TypeScript record types (probe/records/*.ts), so the
// schema loadReport checks is the same description the renderers are compiled against: a field a
// type requires is required in a saved report, a field marked `?` (added later, absent in older
// reports) is optional. Run by `npm run build:ts`; the file is committed because the package ships
// it and `show` must work from a tarball that never ran the build.
// Extra properties stay allowed: a report from a newer minor version must still load.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createGenerator } from 'ts-json-schema-generator';

const root = fileURLToPath(new URL('..', import.meta.url));
const schema = createGenerator({
  path: `${root}probe/records.ts`,
  tsconfig: `${root}tsconfig.json`,
  type: 'Report',
  additionalProperties: true,
  jsDoc: 'none', // descriptions would double the file; the types' comments are the documentation
  skipTypeCheck: true, // tsc checks the same files right after
}).createSchema('Report');
// A reason code (probe/codes.ts) is any string to the schema: codes are added without a schema
// version bump, and a report carrying a code this tool does not know must still load.
if (schema.definitions?.Code) schema.definitions.Code = { type: 'string' };
schema.$id = 'membarrier-probe/report.schema.json';
schema.title = 'membarrier-probe report';
schema.description = 'Generated from probe/records/*.ts by scripts/gen-schema.mjs: do not edit by hand.';
writeFileSync(`${root}probe/report.schema.json`, JSON.stringify(schema, null, 1) + '\n');
