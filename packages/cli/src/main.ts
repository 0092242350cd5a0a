import { parseArgs } from 'node:util';
import { CliError, EXIT, type ExitCode, usageError } from './cli-error.js';
import type { Command } from './command.js';
import { COMMANDS } from './commands/index.js';
import type { Io } from './io.js';

const GLOBAL_OPTIONS = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Runs the `orbit` command line `argv` (without `node` and the script) and returns its exit code. Every
 * failure is one message on standard error (or a JSON `{ error: { code, message } }` with `--json`) and a
 * non-zero code from `EXIT`; a stack trace only with `ORBIT_DEBUG=1`.
 */
export async function main(argv: readonly string[], io: Io): Promise<ExitCode> {
  try {
    const { command, rest } = findCommand(argv);
    if (command === undefined) {
      io.out(`${overview()}\n`);
      return rest.length === 0 || rest[0] === '--help' || rest[0] === '-h' ? EXIT.OK : EXIT.USAGE;
    }
    const parsed = parseCommandLine(command, rest);
    if (parsed.values.help === true) {
      io.out(`${command.usage}\n`);
      return EXIT.OK;
    }
    return await command.run(parsed, parsed.values.json === true ? { ...io, json: true } : io);
  } catch (error) {
    return report(error, io, argv.includes('--json'));
  }
}

/** The command named by the longest run of leading words, and the arguments after them. */
function findCommand(argv: readonly string[]): { command: Command | undefined; rest: readonly string[] } {
  // Global flags may come before the command's words (`orbit --json token inspect ...`).
  const leading = argv.findIndex((word) => word !== '--json');
  if (leading > 0) {
    const found = findCommand(argv.slice(leading));
    return { command: found.command, rest: [...argv.slice(0, leading), ...found.rest] };
  }
  let best: Command | undefined;
  for (const command of COMMANDS) {
    const { path } = command;
    if (path.every((word, i) => argv[i] === word) && path.length > (best?.path.length ?? 0)) best = command;
  }
  if (best) return { command: best, rest: argv.slice(best.path.length) };
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-')) {
    const words = argv
      .filter((word) => !word.startsWith('-'))
      .slice(0, 2)
      .join(' ');
    throw usageError(`unknown command "${words}". Run "orbit --help" for the list of commands.`);
  }
  return { command: undefined, rest: argv };
}

function parseCommandLine(command: Command, rest: readonly string[]) {
  try {
    return parseArgs({
      args: [...rest],
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw usageError(
      `${message.replace(/\. To specify.*$/s, '')}. Run "orbit ${command.path.join(' ')} --help".`,
    );
  }
}

/** `orbit --help`: every command with its one-line summary. */
function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(' ').length));
  const lines = COMMANDS.map((c) => `  orbit ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return [
    'orbit: keys, signed manifests, trust tokens, audit files, approvals and reports for ORBIT.',
    '',
    'Commands:',
    ...lines,
    '',
    'Every command takes --json (one JSON document on standard output) and --help.',
    'Exit codes: 0 ok, 1 a check failed, 2 usage, 3 bad input, 4 not found, 5 store unavailable.',
  ].join('\n');
}

function report(error: unknown, io: Io, json: boolean): ExitCode {
  const known = error instanceof CliError;
  const code = known ? error.code : 'ERR_INTERNAL';
  const message = error instanceof Error ? error.message : String(error);
  if (json) io.out(`${JSON.stringify({ error: { code, message } }, null, 2)}\n`);
  else io.err(`orbit: ${known ? '' : 'internal error: '}${message}\n`);
  if (io.env.ORBIT_DEBUG === '1' && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  return known ? error.exitCode : EXIT.INTERNAL;
}
