// Colour decisions in one place: our --color/--no-color flag wins, then FORCE_COLOR (read as chalk
// read it, which this replaced), then NO_COLOR (no-color.org: present and non-empty disables
// colour), then a TTY check. The five styles are plain SGR sequences (ECMA-48: 1 bold, 2 dim,
// 31 red, 32 green, 33 yellow, 36 cyan; 22 and 39 end them): loading chalk cost ~20 ms and ~3 MB
// of a start, through node:tty and the net and stream modules behind it. Named colours look the
// same at every level above 0, so the level only says whether to colour.

export function colorLevel(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTTY: boolean): 0 | 1 | 2 | 3 {
  if (flag === false) return 0;
  const force = env.FORCE_COLOR;
  // As chalk reads it: present but empty means level 1, "0"/"false" means none.
  const forced =
    force === undefined ? null : force === '0' || force === 'false' ? 0 : force === '2' ? 2 : force === '3' ? 3 : 1;
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

const ESC = '\x1b[';

function sgr(codes: [open: number, close: number][]): (s: string) => string {
  const open = codes.map(([o]) => `${ESC}${o}m`).join('');
  const close = codes
    .map(([, c]) => `${ESC}${c}m`)
    .reverse()
    .join('');
  return (s) => {
    if (!s) return s;
    let body = s;
    // An inner style's end ends ours too (bold and dim share 22, every colour 39): ours starts again after it.
    for (const [o, c] of codes) body = body.split(`${ESC}${c}m`).join(`${ESC}${c}m${ESC}${o}m`);
    // Each line closes and opens on its own, so a pager or a log that shows one line keeps its colour.
    return open + body.replace(/\r?\n/g, (nl) => `${close}${nl}${open}`) + close;
  };
}

const plain = (s: string) => s;

export function makeStyle(level: 0 | 1 | 2 | 3): Style {
  if (level === 0) return { head: plain, good: plain, bad: plain, warn: plain, dim: plain };
  return {
    head: sgr([
      [1, 22],
      [36, 39],
    ]),
    good: sgr([[32, 39]]),
    bad: sgr([[31, 39]]),
    warn: sgr([[33, 39]]),
    dim: sgr([[2, 22]]),
  };
}
