/**
 * Exit codes of the `orbit` command, stable for scripts and CI pipelines.
 * - `OK` 0: done; a check passed.
 * - `FAILED` 1: a check ran and failed (a manifest that does not verify, an audit file that was edited).
 * - `USAGE` 2: the command line is wrong (an unknown command or option, a missing argument).
 * - `INPUT` 3: an input cannot be used (a file that is missing or not what it should be, a wrong key).
 * - `NOT_FOUND` 4: what was named does not exist (an unknown run, approval or token).
 * - `UNAVAILABLE` 5: a store cannot be reached.
 * - `INTERNAL` 70: a bug in the command itself (reported without a stack trace unless `ORBIT_DEBUG=1`).
 */
export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  INPUT: 3,
  NOT_FOUND: 4,
  UNAVAILABLE: 5,
  INTERNAL: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * An error the command reports as one clear message and an exit code, never a stack trace. `code` is a
 * stable machine-readable name (printed with `--json`).
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A usage error: the command line is wrong. */
export const usageError = (message: string) => new CliError('ERR_USAGE', message, EXIT.USAGE);
