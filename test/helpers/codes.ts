// Tests key on reason codes (probe/codes.ts), never on the sentences: these read them off a list.
import type { Code, Finding } from '../../probe/codes.js';

export const codesOf = (fs: readonly Finding[] | undefined): Code[] => (fs ?? []).map((f) => f.code);

/** The first finding with `code`, or undefined. */
export const withCode = (fs: readonly Finding[] | undefined, code: Code): Finding | undefined =>
  (fs ?? []).find((f) => f.code === code);

/** For assertion messages: "code: text" per finding. */
export const said = (fs: readonly Finding[] | undefined): string =>
  (fs ?? []).map((f) => `${f.code}: ${f.text}`).join(' | ');
