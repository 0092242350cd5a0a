import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built binary, as `npm install -g` would run it. */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** What one run of the real `orbit` binary printed, and its exit code. */
export interface OrbitRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built `orbit` binary in a child process (piped, so: no colour, no prompts) with `args`.
 * `input` is written to its standard input; `env` is added to the environment.
 */
export function runOrbit(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string } = {},
): OrbitRun {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ORBIT_DEBUG: '', ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the binary on a terminal (a pseudo-terminal from `script`), answering its question with `answer`. */
export function onTerminal(args: readonly string[], answer: string) {
  const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, BIN, ...args].map(quote).join(' ');
  const result = spawnSync('script', ['-qec', command, '/dev/null'], {
    input: answer,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: undefined, ORBIT_DEBUG: '' },
    timeout: 30_000,
  });
  return { code: result.status, output: result.stdout };
}
/** `script` (util-linux) is here to give the binary a terminal. */
export const hasScript = spawnSync('script', ['--version']).status === 0;
