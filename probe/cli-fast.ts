// The two commands that start most often, `inspect` and the install-time gate `check`, parsed
// without loading yargs (about 30 ms of their start, a tenth of inspect's whole run). Only a line
// made of the flags below, each given once in a plain form, takes this path; anything else (help,
// --version, an unknown, repeated or negated flag, a missing value, a positional, --seed) goes to
// yargs, so yargs' parse, messages and exit codes stay the only ones. test/unit/cli-fast.test.ts
// checks that the two parsers hand the command the same flags on every line this one accepts.

export type FastKind = 'boolean' | 'string' | 'array';

/** The flags each fast command takes: a subset of what cli.ts declares for it in yargs. */
export const FAST_FLAGS: Record<'inspect' | 'check', Record<string, FastKind>> = {
  inspect: { json: 'boolean' },
  check: { require: 'array', json: 'boolean', quiet: 'boolean', readers: 'string', cpus: 'string' },
};
const GLOBAL_FLAGS: Record<string, FastKind> = { color: 'boolean', debug: 'boolean' };

export interface FastParse {
  command: keyof typeof FAST_FLAGS;
  args: Record<string, boolean | string | string[]>;
}

/** The command and its flags, or null: then yargs parses the line. */
export function fastParse(argv: string[]): FastParse | null {
  const command = argv[0];
  if (command !== 'inspect' && command !== 'check') return null;
  const flags: Record<string, FastKind> = { ...GLOBAL_FLAGS, ...FAST_FLAGS[command] };
  const args: FastParse['args'] = {};
  for (let i = 1; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--no-color' && !('color' in args)) {
      args.color = false;
      continue;
    }
    const m = /^--([a-z]+)(?:=(.*))?$/s.exec(token);
    const name = m?.[1];
    const kind = name === undefined ? undefined : flags[name];
    if (!m || !name || !kind || (kind !== 'array' && name in args)) return null;
    if (kind === 'boolean') {
      if (m[2] !== undefined) return null; // --json=false and the like: yargs' reading
      args[name] = true;
      continue;
    }
    let value = m[2];
    if (value === undefined) {
      const next = argv[i + 1];
      // A missing value, or one yargs might read as a flag or a number: left to yargs.
      if (next === undefined || next.startsWith('-')) return null;
      value = next;
      i++;
    }
    if (value === '') return null;
    if (kind === 'array') args[name] = [...((args[name] as string[] | undefined) ?? []), value];
    else args[name] = value;
  }
  return { command, args };
}
