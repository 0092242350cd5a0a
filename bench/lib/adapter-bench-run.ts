// Runs one adapter's own bench (packages/<dir>/bench/overhead.ts) as a child process on the adapter's build
// and reads the figures it writes with `--json` (adapter-report.ts).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdapterReport } from './adapter-report.js';
import type { BenchMode } from './results.js';

/** The monorepo's root (bench/lib/ is two levels down). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A child bench may run this long before it is stopped: a smoke run takes seconds, a full one minutes. */
const TIMEOUT_MS: Record<BenchMode, number> = { smoke: 120_000, full: 30 * 60_000 };

/** What the last lines of a failed bench's output may hold, at most. */
const TAIL_CHARS = 2_000;

/** How to run an adapter's bench. */
export interface AdapterBenchRun {
  /** The package's folder under `packages/`. */
  readonly dir: string;
  readonly mode: BenchMode;
  /** Where the bench's printed tables go while it runs (full mode: stderr, so that a watcher sees progress). */
  readonly echo?: NodeJS.WritableStream;
}

/**
 * Runs `packages/<dir>/bench/overhead.ts` with tsx (the package's own, on this process's Node), on the
 * adapter's build: `--dist --json <file>`; in smoke mode with `--smoke` (every part, a few iterations each), in
 * full mode with `--end-to-end-only` (part 1, the one `--json` reports: the others, the approval round trip,
 * the isolated calls and the CPU profiles, would add minutes for no figure here). Returns the figures it wrote.
 *
 * @throws Error when the adapter is not built, or the bench exits with an error or writes no figures
 * (the message ends with the last lines of its output).
 */
export async function runAdapterBench({ dir, mode, echo }: AdapterBenchRun): Promise<AdapterReport> {
  const cwd = join(REPO_ROOT, 'packages', dir);
  if (!existsSync(join(cwd, 'dist', 'index.js')))
    throw new Error(`packages/${dir} is not built (no dist/index.js): run \`pnpm build\` at the root first`);
  const tsx = createRequire(join(cwd, 'package.json')).resolve('tsx/cli');
  const folder = mkdtempSync(join(tmpdir(), `orbit-bench-${dir}-`));
  const file = join(folder, 'figures.json');
  const args = [tsx, 'bench/overhead.ts', '--dist', '--json', file];
  args.push(mode === 'smoke' ? '--smoke' : '--end-to-end-only');
  try {
    const { code, output } = await spawned(process.execPath, args, cwd, TIMEOUT_MS[mode], echo);
    if (code !== 0 || !existsSync(file)) {
      const tail = output.slice(-TAIL_CHARS).trim();
      throw new Error(
        `packages/${dir}/bench/overhead.ts ${code === 0 ? 'wrote no figures' : `exited with ${code}`}:\n${tail}`,
      );
    }
    return JSON.parse(readFileSync(file, 'utf8')) as AdapterReport;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Runs a command to its end: its exit code (or signal) and its stdout and stderr together. */
function spawned(
  command: string,
  args: readonly string[],
  cwd: string,
  timeout: number,
  echo: NodeJS.WritableStream | undefined,
): Promise<{ code: number | string; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout });
    const chunks: Buffer[] = [];
    const collect = (chunk: Buffer) => {
      chunks.push(chunk);
      echo?.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? signal ?? 'unknown', output: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}
