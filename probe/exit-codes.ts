// Documented exit codes (README "Exit codes"). Scripts and install gates depend on them.
export const EXIT = {
  /** The command did what was asked. */
  OK: 0,
  /** An internal error: a bug in membarrier-probe. The message says where to report it. */
  INTERNAL: 1,
  /** check: a requirement is not met (refuted or unavailable); compare: a verdict got worse. */
  NOT_MET: 1,
  /** Bad input: unknown command or flag, bad value, unusable file or folder. Nothing was run. */
  USAGE: 2,
  /** The run could not produce the evidence asked for (one usable CPU, no native engine), check was inconclusive,
   * or compare found a verdict that varies on an unchanged environment (flaky) and none that got worse. */
  NO_EVIDENCE: 3,
  /** Interrupted (SIGINT): the report holds what finished. */
  INTERRUPTED: 130,
} as const;

/** An error whose message is fit to show the user as one line, with the exit code it maps to. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
  }
}
