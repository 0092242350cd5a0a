import type { ParseArgsConfig } from 'node:util';
import type { ExitCode } from './cli-error.js';
import type { Io } from './io.js';

/** The parsed command line of one command: its options and its positional arguments. */
export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | string[] | boolean[] | undefined>>;
  readonly positionals: readonly string[];
}

/** One `orbit` command (`orbit manifest sign`): each lives in its own file under `src/commands/`. */
export interface Command {
  /** The words that name it: `['manifest', 'sign']`. */
  readonly path: readonly string[];
  /** One line for `orbit --help`. */
  readonly summary: string;
  /** Its usage and options, for `orbit <command> --help`. */
  readonly usage: string;
  /** Its options (`node:util` `parseArgs`); `--json` and `--help` are added for every command. */
  readonly options?: ParseArgsConfig['options'];
  /** Runs it; returns its exit code. Throws `CliError` for anything the user should read. */
  run(args: Parsed, io: Io): Promise<ExitCode>;
}
