import { readFileSync } from 'node:fs';
import { CliError, EXIT, usageError } from './cli-error.js';

/**
 * The text of the file at `path` (`what` names it in the error: "manifest", "public key").
 *
 * @throws CliError `ERR_INPUT_UNREADABLE` (exit 3) when it is missing, a directory or cannot be read.
 */
export function readTextFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'the file does not exist'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new CliError('ERR_INPUT_UNREADABLE', `cannot read the ${what} ${path}: ${why}.`, EXIT.INPUT, {
      cause: error,
    });
  }
}

/** Standard input, whole (for a `-` argument). */
export function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch (error) {
    throw new CliError(
      'ERR_INPUT_UNREADABLE',
      `cannot read standard input: ${(error as Error).message}.`,
      EXIT.INPUT,
    );
  }
}

/** The one positional argument a command takes, or a usage error naming it. */
export function onePositional(positionals: readonly string[], name: string, command: string): string {
  const [first, ...more] = positionals;
  if (first === undefined)
    throw usageError(`missing ${name}. Usage: orbit ${command}; see "orbit ${command} --help".`);
  if (more.length > 0) throw usageError(`unexpected argument "${more[0]}". Usage: orbit ${command}.`);
  return first;
}

/** A string option's value, or `undefined`. */
export function stringOption(values: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}
