// Validates a loaded report against report.schema.json (shipped with the package). That schema is
// generated from the TypeScript record types (scripts/gen-schema.mjs, run by the build), so every
// field a renderer may read is in it, required exactly when the type says so. Only the keywords
// the generator emits are implemented (type, enum, const, anyOf, required, properties, items,
// additionalProperties, minimum, local $ref), which keeps the tool free of a validator dependency.
import { readFileSync } from 'node:fs';

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  minimum?: number;
  $ref?: string;
  definitions?: Record<string, Schema>;
};

// dist/probe/schema.js → <package>/probe/report.schema.json; read on first use, not at import (a
// run imports this module to save its report, and holds no parsed schema through its phases).
let parsed: Schema | undefined;
const schema = (): Schema =>
  (parsed ??= JSON.parse(readFileSync(new URL('../../probe/report.schema.json', import.meta.url), 'utf8')));

function typeOf(v: unknown): string[] {
  if (v === null) return ['null'];
  if (Array.isArray(v)) return ['array'];
  if (typeof v === 'number') return Number.isInteger(v) ? ['integer', 'number'] : ['number'];
  return [typeof v];
}

// A field name that is not a plain identifier is quoted, so the path can be pasted back.
const key = (at: string, k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `${at}.${k}` : `${at}[${JSON.stringify(k)}]`);

function check(v: unknown, s: Schema, at: string): string | null {
  if (s.$ref) {
    const name = s.$ref.replace(/^#\/(?:definitions|\$defs)\//, '');
    return check(v, schema().definitions![name], at);
  }
  if (s.anyOf) {
    const problems: string[] = [];
    for (const branch of s.anyOf) {
      const p = check(v, branch, at);
      if (!p) return null;
      problems.push(p);
    }
    // The branch that got past the value's own type (e.g. the object in "object or null") says
    // what is wrong inside it; that names the field, which "should be one of" would not.
    const inner = problems.find((p) => !p.startsWith(`${at} should be`));
    return inner ?? `${at} does not match any allowed form (${problems.join('; ')})`;
  }
  if (s.type) {
    const want = Array.isArray(s.type) ? s.type : [s.type];
    if (!typeOf(v).some((t) => want.includes(t))) return `${at} should be ${want.join(' or ')}, not ${typeOf(v)[0]}`;
  }
  if ('const' in s && v !== s.const) return `${at} should be ${JSON.stringify(s.const)}`;
  if (s.enum && !s.enum.includes(v)) return `${at} should be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (s.minimum !== undefined && typeof v === 'number' && v < s.minimum) return `${at} should be at least ${s.minimum}`;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const k of s.required ?? []) if (!(k in o)) return `${key(at, k)} is missing`;
    for (const [k, sub] of Object.entries(s.properties ?? {})) {
      if (k in o) {
        const p = check(o[k], sub, key(at, k));
        if (p) return p;
      }
    }
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      for (const [k, val] of Object.entries(o)) {
        if (s.properties && k in s.properties) continue;
        const p = check(val, s.additionalProperties, key(at, k));
        if (p) return p;
      }
    }
  }
  if (Array.isArray(v) && s.items) {
    for (let i = 0; i < v.length; i++) {
      const p = check(v[i], s.items, `${at}[${i}]`);
      if (p) return p;
    }
  }
  return null;
}

/** The first problem found, as "$.path should be ..." or "$.path is missing", or null for a valid report. */
export function validate(data: unknown): string | null {
  return check(data, schema(), '$');
}
