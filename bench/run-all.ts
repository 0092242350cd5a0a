/**
 * Runs every benchmark part in order (bench/parts/index.ts) in one invocation and writes RESULTS.md: the date,
 * the machine, the command, every target with its status, then each part's comparisons and measurements.
 *
 * Run: `pnpm bench` at the root (builds, then this), or `tsx --expose-gc run-all.ts` in bench/ after
 * `pnpm build` (`--expose-gc`: a part may collect garbage before it reads memory).
 * Options:
 * - `--smoke`: a few iterations of every part (CI: it never rots); written to `--out` or a temp file, never
 *   over RESULTS.md, and marked as a smoke run.
 * - `--part <name>` (repeatable): only that part; its section and its result as JSON go to stdout too, and the
 *   document to `--out` or a temp file (RESULTS.md holds whole runs only).
 * - `--out <file>`: where the Markdown goes. `--json <file>`: the run as JSON (bench/lib/run-parts.ts).
 * Exits with 1 when a part failed (after writing what the others measured).
 */
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { partSection, resultsMarkdown } from './lib/results-markdown.js';
import { runParts } from './lib/run-parts.js';
import { PARTS } from './parts/index.js';

const RESULTS = fileURLToPath(new URL('./RESULTS.md', import.meta.url));

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    part: { type: 'string', multiple: true },
    out: { type: 'string' },
    json: { type: 'string' },
  },
});
const mode = values.smoke ? 'smoke' : 'full';
const only = values.part ?? [];
const unknown = only.filter((name) => !PARTS.some((part) => part.name === name));
if (unknown.length > 0) {
  console.error(
    `Unknown part ${unknown.join(', ')}: the parts are ${PARTS.map((part) => part.name).join(', ')}.`,
  );
  process.exit(2);
}
const parts = only.length > 0 ? PARTS.filter((part) => only.includes(part.name)) : PARTS;

const out = values.out
  ? resolve(values.out)
  : mode === 'smoke' || only.length > 0
    ? join(tmpdir(), `orbit-bench-${mode}-${process.pid}.md`)
    : RESULTS;
if (mode === 'smoke' && out === RESULTS) {
  console.error('A smoke run never writes over bench/RESULTS.md: give --out another file.');
  process.exit(2);
}

const args = process.argv.slice(2).join(' ');
const command =
  process.env.npm_lifecycle_event === 'bench'
    ? `pnpm bench${args ? ` ${args}` : ''}`
    : `tsx --expose-gc bench/run-all.ts${args ? ` ${args}` : ''}`;

const run = await runParts(parts, mode, { command, log: (line) => console.error(line) });
writeFileSync(out, resultsMarkdown(run));
if (values.json) writeFileSync(resolve(values.json), `${JSON.stringify(run, null, 2)}\n`);
if (only.length > 0) {
  for (const part of run.parts) {
    console.log(JSON.stringify(part.result ?? { error: part.error }, null, 2));
    console.log(`\n${partSection(part)}\n`);
  }
}
console.error(`Wrote ${out}${mode === 'smoke' ? ' (smoke run)' : ''} in ${run.seconds.toFixed(0)} s.`);
if (run.parts.some((part) => part.error !== undefined)) process.exit(1);
