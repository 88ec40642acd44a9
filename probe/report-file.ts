// Report files: written atomically (a temp file in the same folder, fsync, rename), so a reader,
// or a process killed mid-write, never sees a half-written report; and read back with every way a
// file can be wrong turned into one clear UserError (exit 2).
import {
  closeSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Report } from './records.js';
import { SCHEMA_VERSION } from './records.js';
import { UserError } from './exit-codes.js';
import { validate } from './schema.js';
import { migrateReport } from './migrate.js';

/** Larger report files are refused: a real one is well under 1 MB. */
export const MAX_REPORT_BYTES = 32 << 20;

// Our temp files only: `.<report name>.membarrier-probe.<pid>.tmp`.
const TEMP = /^\..+\.(?:json|md)\.membarrier-probe\.(\d+)\.tmp$/;
/**
 * A temp file is stale only when its writer is gone and it is this old (a writer in another PID namespace looks gone).
 */
const STALE_MS = 10 * 60 * 1000;

/**
 * Removes temp files left in `dir` by writers that were killed mid-write (SIGKILL leaves no chance
 * to clean up). Only our own names, only when the writing pid is gone and the file is old.
 */
export function removeStaleTemps(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(TEMP.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') continue;
      try {
        if (Date.now() - statSync(join(dir, name)).mtimeMs > STALE_MS) unlinkSync(join(dir, name));
      } catch {
        /* raced with another cleaner */
      }
    }
  }
}

export function writeAtomic(path: string, text: string): void {
  removeStaleTemps(dirname(path));
  const tmp = join(dirname(path), `.${basename(path)}.membarrier-probe.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** `<host>-<UTC timestamp>`: sorts by time, and names the machine in a ticket attachment. */
export function reportBaseName(r: Report): string {
  const host = r.system.platform.hostname.replace(/[^A-Za-z0-9._-]/g, '_') || 'host';
  return `${host}-${r.generatedAt.replace(/[:.]/g, '-')}`;
}

export function loadReport(path: string): Report {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new UserError(`${path} is not a file`);
    size = st.size;
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new UserError(`cannot read report ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (size === 0) throw new UserError(`report ${path} is empty`);
  if (size > MAX_REPORT_BYTES)
    throw new UserError(
      `report ${path} is ${size} bytes, over the ${MAX_REPORT_BYTES}-byte limit: not a membarrier-probe report`,
    );
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UserError(`report ${path} is not JSON (${(err as Error).message})`);
  }
  const v = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof v === 'number' && v > SCHEMA_VERSION) {
    throw new UserError(
      `report ${path} has schemaVersion ${v}, newer than this tool's ${SCHEMA_VERSION}: upgrade membarrier-probe to ` +
        `read it`,
    );
  }
  // Version 1 reports (reasons as bare sentences) are upgraded, not refused: probe/migrate.ts.
  data = migrateReport(data);
  const problem = validate(data);
  if (problem) throw new UserError(`report ${path} is not a membarrier-probe report: ${problem}`);
  return data as Report;
}
