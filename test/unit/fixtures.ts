// Fixture access for the unit tests. The compiled tests live in <root>/dist/test/unit/, so the
// repository root is three levels up. Every capture lives in <root>/test/fixtures, so a clone
// stands alone: the captures of the team's own development machines are there as
// test/fixtures/dev-<machine>/ (each README says where they came from).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateReport } from '../../probe/migrate.js';
import type { Report } from '../../probe/records.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const localFixturesDir = join(repoRoot, 'test', 'fixtures');

/** Text of a development machine's capture, <root>/test/fixtures/dev-<machine>/<file>. */
export function devFixture(machine: string, file: string): string {
  return readFileSync(join(localFixturesDir, `dev-${machine}`, file), 'utf8');
}

/** Text of <root>/test/fixtures/<folder>/<file>. */
export function localFixture(folder: string, file: string): string {
  return readFileSync(join(localFixturesDir, folder, file), 'utf8');
}

/** "key: value" lines → Map (value trimmed; an empty value stays ""). */
function keyValueLines(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const i = line.indexOf(':');
    if (i < 0) throw new Error(`not a "path: value" line: ${JSON.stringify(line)}`);
    out.set(line.slice(0, i).trim(), line.slice(i + 1).trim());
  }
  return out;
}

/**
 * A `sys-cpu-topology` capture ("cpu0/topology/core_id: 0" lines) as the Map parseTopology takes,
 * keyed by the path relative to /sys/devices/system/cpu.
 */
export function sysfsDump(text: string): Map<string, string> {
  return keyValueLines(text);
}

/** A `sys-cpu-lists` capture ("online: 0-1" lines): list name → raw kernel CPU list text. */
export function cpuLists(text: string): Record<string, string> {
  return Object.fromEntries(keyValueLines(text));
}

/**
 * A saved report (or run report) under <root>/test/fixtures/<folder>/<file>, upgraded to the current
 * schema as loadReport does (probe/migrate.ts): the recorded reports are version 1.
 */
export function localReport<T = Report>(folder: string, file: string): T {
  return migrateReport(JSON.parse(localFixture(folder, file))) as T;
}
