// Colour decisions in one place. chalk already honours FORCE_COLOR and a TTY check; NO_COLOR
// (no-color.org: present and non-empty disables colour) and our --color/--no-color flag are
// applied here, with the flag winning, then FORCE_COLOR, then NO_COLOR.
import { Chalk, type ChalkInstance } from 'chalk';

export function colorLevel(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): 0 | 1 | 2 | 3 {
  if (flag === false) return 0;
  const force = env.FORCE_COLOR;
  // As chalk reads it: present but empty means level 1, "0"/"false" means none.
  const forced = force === undefined ? null : force === '0' || force === 'false' ? 0 : force === '2' ? 2 : force === '3' ? 3 : 1;
  if (flag === true) return forced || 1;
  if (forced !== null) return forced;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  if (!isTTY || env.TERM === 'dumb') return 0;
  return 1;
}

export interface Style {
  head: (s: string) => string;
  good: (s: string) => string;
  bad: (s: string) => string;
  warn: (s: string) => string;
  dim: (s: string) => string;
}

export function makeStyle(level: 0 | 1 | 2 | 3): Style {
  const c: ChalkInstance = new Chalk({ level });
  return { head: c.bold.cyan, good: c.green, bad: c.red, warn: c.yellow, dim: c.dim };
}
