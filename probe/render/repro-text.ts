// What `repro` prints after writing its files: where they are and how to build and run the
// reproducer. Plain lines, no colour: they are commands to copy.
export interface ReproWritten {
  strategy: string;
  cFile: string;
  buildCommand: string;
  runCommand: string;
  demonstration: boolean;
  /** The bug report, when --report wrote one, and how its reproducer ended here. */
  report: { path: string; outcome: string } | null;
}

export function renderReproWritten(w: ReproWritten): string {
  const lines = [
    `wrote ${w.cFile}`,
    `build: ${w.buildCommand}`,
    `run:   ${w.runCommand}`,
    w.demonstration
      ? 'exit: 1 by design (a demonstration: this call reaches no other CPU); 2 cannot set up'
      : 'exit: 1 the defect showed; 0 it did not in any attempt; 2 cannot set up (ENOSYS, EPERM, one CPU)',
  ];
  if (w.report) lines.push(`wrote ${w.report.path} (the reproducer here: ${w.report.outcome})`);
  return `${lines.join('\n')}\n`;
}
