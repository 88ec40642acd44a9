// The I/O half of every inspect module: read a /proc or /sys file, or say why it could not be
// read. Parsers never touch the filesystem, so they run on captured fixtures unchanged.
// The reads are synchronous behind a Promise: these are small kernel-generated files that never
// wait on a disk, and each asynchronous readFile costs four trips through libuv's thread pool
// (open, fstat, read, close; about 10 ms of inspect's 60-odd files, and the pool's threads).
import { readFileSync, readdirSync } from 'node:fs';

export type ReadResult = { ok: true; text: string } | { ok: false; reason: string };

export async function readText(path: string): Promise<ReadResult> {
  try {
    return { ok: true, text: readFileSync(path, 'utf8') };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { ok: false, reason: `${path}: ${e.code ?? e.message}` };
  }
}

/** The file's trimmed text, or null; for optional files whose absence is itself the answer. */
export async function readTrimmed(path: string): Promise<string | null> {
  const r = await readText(path);
  return r.ok ? r.text.trim() : null;
}

export async function listDir(path: string): Promise<string[]> {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
