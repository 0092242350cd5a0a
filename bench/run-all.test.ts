// CI's smoke run of the benchmarks: the runner, in smoke mode, as a child process, as `pnpm bench --smoke` runs
// it. Only the structure is asserted (every part ran, every target has a status, the Markdown was written):
// a smoke run's numbers mean nothing, and no timing is ever asserted.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultsMarkdown } from './lib/results-markdown.js';
import type { BenchRun } from './lib/run-parts.js';
import { PARTS } from './parts/index.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const STATUSES = ['met', 'not met', 'not measured'];

describe('pnpm bench --smoke', () => {
  const folder = mkdtempSync(join(tmpdir(), 'orbit-bench-smoke-test-'));
  const markdownFile = join(folder, 'RESULTS.smoke.md');
  const jsonFile = join(folder, 'run.json');
  let exit: ReturnType<typeof spawnSync>;
  let run: BenchRun;

  // Seconds on a quiet machine; the timeout leaves room for CI running every package's tests at once.
  beforeAll(() => {
    const tsx = createRequire(import.meta.url).resolve('tsx/cli');
    exit = spawnSync(
      process.execPath,
      [tsx, '--expose-gc', 'run-all.ts', '--smoke', '--out', markdownFile, '--json', jsonFile],
      { cwd: here, encoding: 'utf8', timeout: 240_000 },
    );
    if (existsSync(jsonFile)) run = JSON.parse(readFileSync(jsonFile, 'utf8')) as BenchRun;
  }, 250_000);
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('exits 0, having run every part listed in bench/parts/index.ts, in order', () => {
    expect(exit.status, String(exit.stderr)).toBe(0);
    expect(run.mode).toBe('smoke');
    expect(run.parts.map((part) => part.name)).toEqual(PARTS.map((part) => part.name));
  });

  it('has a result from every part, named after it, with no error', () => {
    for (const part of run.parts) {
      expect(part.error, `part ${part.name}`).toBeUndefined();
      expect(part.result?.part).toBe(part.name);
      expect(part.result?.title).toEqual(expect.any(String));
    }
  });

  it('gives every target a status, and a cause to each one not met or not measured', () => {
    for (const { result } of run.parts) {
      for (const target of result?.targets ?? []) {
        expect(STATUSES, `${target.source}: ${target.target}`).toContain(target.status);
        if (target.status !== 'met') expect(target.cause, target.target).toBeTruthy();
      }
    }
  });

  it('runs each adapter’s bench (its target measured)', () => {
    const adapters = run.parts.find((part) => part.name === 'adapters')?.result;
    expect(adapters?.targets.map((target) => target.source)).toEqual([
      '@orbit-agents/langgraph',
      '@orbit-agents/vercel-ai',
      '@orbit-agents/openai-agents',
    ]);
    for (const target of adapters?.targets ?? [])
      expect(target.status, target.cause).not.toBe('not measured');
    expect(adapters?.comparisons.length).toBeGreaterThan(0);
  });

  it('writes the Markdown, marked as a smoke run, with the targets table and a section per part', () => {
    const markdown = readFileSync(markdownFile, 'utf8');
    expect(markdown).toMatch(/^# ORBIT benchmarks against their anchors\n/);
    expect(markdown).toContain('**Smoke run.**');
    expect(markdown.replace(/ {2,}/g, ' ')).toContain(
      '## Targets\n\n| source | target | measured | status | cause |',
    );
    for (const { result } of run.parts) expect(markdown).toContain(`## ${result?.title}\n`);
  });
});

describe('RESULTS.md', () => {
  const run: BenchRun = {
    mode: 'full',
    date: '2026-12-08T03:40:00.000Z',
    command: 'pnpm bench',
    machine: ['Node v24'],
    seconds: 12,
    parts: [
      {
        name: 'one',
        seconds: 3,
        result: {
          part: 'one',
          title: 'One part',
          measurements: [{ name: 'a', unit: 'µs', median: 1.5, p99: 3, samples: 10 }],
          comparisons: [
            {
              subject: 'a',
              anchor: 'b',
              unit: 'µs',
              subjectMedian: 1.5,
              anchorMedian: 1,
              ratio: 1.5,
              added: 0.5,
            },
          ],
          targets: [{ source: 'issue 16', target: 'at most 5 µs', measured: '0.5 µs', status: 'met' }],
          notes: ['A note.'],
          skipped: ['Redis: no answer at 127.0.0.1:6379'],
        },
      },
      { name: 'two', seconds: 1, error: 'boom' },
    ],
  };
  const markdown = resultsMarkdown(run);
  // Table cells are padded to their column's width: compare them with single spaces.
  const flat = markdown.replace(/ {2,}/g, ' ');

  it('lists every target, and a failed part as not measured with its error', () => {
    expect(flat).toContain('| issue 16 | at most 5 µs | 0.5 µs | met | |');
    expect(flat).toContain('| part two | its targets | – | not measured | the part failed: boom |');
  });

  it('writes each part’s comparisons, measurements, notes and skipped items; a failed part says so', () => {
    expect(markdown).toContain('## One part\n\n_Part `one`, 3 s._');
    expect(flat).toContain('| a | b | 1.50 µs | 1.00 µs | 1.500× | +0.500 µs |');
    expect(flat).toContain('| a | 1.50 µs | 3.00 µs | 10 |');
    expect(markdown).toContain('A note.');
    expect(markdown).toContain('- Redis: no answer at 127.0.0.1:6379');
    expect(markdown).toContain('**The part failed:** boom');
    expect(markdown).not.toContain('Smoke run');
  });
});
