// The machine-readable report: stable field names (probe/records.ts), two-space indent, one
// trailing newline so that `> file` gives a well-formed text file.
export function renderJson(report: unknown): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
