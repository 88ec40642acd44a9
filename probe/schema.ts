// Validates a loaded report against report.schema.json (shipped with the package). Only the
// keywords that schema uses are implemented (type, enum, required, properties, items,
// additionalProperties, minimum, local $ref), which keeps the tool free of a validator dependency.
import { readFileSync } from 'node:fs';

type Schema = {
  type?: string | string[];
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema;
  minimum?: number;
  $ref?: string;
  $defs?: Record<string, Schema>;
};

// dist/probe/schema.js → <package>/probe/report.schema.json
const root: Schema = JSON.parse(readFileSync(new URL('../../probe/report.schema.json', import.meta.url), 'utf8'));

function typeOf(v: unknown): string[] {
  if (v === null) return ['null'];
  if (Array.isArray(v)) return ['array'];
  if (typeof v === 'number') return Number.isInteger(v) ? ['integer', 'number'] : ['number'];
  return [typeof v];
}

function check(v: unknown, s: Schema, at: string): string | null {
  if (s.$ref) {
    const name = s.$ref.replace('#/$defs/', '');
    return check(v, root.$defs![name], at);
  }
  if (s.type) {
    const want = Array.isArray(s.type) ? s.type : [s.type];
    if (!typeOf(v).some((t) => want.includes(t))) return `${at} should be ${want.join(' or ')}, not ${typeOf(v)[0]}`;
  }
  if (s.enum && !s.enum.includes(v)) return `${at} should be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  if (s.minimum !== undefined && typeof v === 'number' && v < s.minimum) return `${at} should be at least ${s.minimum}`;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const k of s.required ?? []) if (!(k in o)) return `${at}.${k} is missing`;
    for (const [k, sub] of Object.entries(s.properties ?? {})) {
      if (k in o) {
        const p = check(o[k], sub, `${at}.${k}`);
        if (p) return p;
      }
    }
    if (s.additionalProperties) {
      for (const [k, val] of Object.entries(o)) {
        if (s.properties && k in s.properties) continue;
        const p = check(val, s.additionalProperties, `${at}[${JSON.stringify(k)}]`);
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

/** The first problem found, as "$.path should be ...", or null for a valid report. */
export function validate(data: unknown): string | null {
  return check(data, root, '$');
}
