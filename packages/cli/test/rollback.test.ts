import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defineTool } from '@orbit-agents/core';
import { SqliteStore } from '@orbit-agents/core/stores/sqlite';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sqliteFile, workerOn } from './paused-runs.js';
import { hasScript, onTerminal, runOrbit } from './run-orbit.js';

/**
 * A run on a fresh SQLite file that executed: `draft` twice (reversible, with an undo), `note` (partial)
 * and `send` (irreversible). The application's tools module (for --tools) is written next to it: its
 * undos append what they were given to `undo.log`.
 */
async function executedRun(options: { typescript?: boolean; failingUndo?: boolean } = {}) {
  const path = sqliteFile();
  const dir = dirname(path);
  const log = join(dir, 'undo.log');
  const module = join(dir, options.typescript ? 'tools.ts' : 'tools.mjs');
  const undoBody = options.failingUndo
    ? `throw new Error('the draft service is down');`
    : `appendFileSync(${JSON.stringify(log)}, JSON.stringify({ input, output, context }) + '\\n');`;
  const types = options.typescript ? ': any' : '';
  writeFileSync(
    module,
    [
      `import { appendFileSync } from 'node:fs';`,
      `const execute = () => { throw new Error('not here'); };`,
      `export const draft = { name: 'draft', input: null, execute, undo(input${types}, output${types}, context${types}) { ${undoBody} } };`,
      `export const note = { name: 'note', input: null, execute };`,
      `export const send = { name: 'send', input: null, execute };`,
    ].join('\n'),
  );
  const draft = defineTool({
    name: 'draft',
    input: z.object({ id: z.string() }),
    resource: ({ id }) => `doc:${id}`,
    execute: ({ id }) => ({ version: `v1-${id}` }),
  });
  const note = defineTool({ name: 'note', input: z.object({}), execute: () => 'ok' });
  const send = defineTool({
    name: 'send',
    input: z.object({ to: z.string() }),
    resource: ({ to }) => `mail:${to}`,
    execute: () => 'sent',
  });
  const store = new SqliteStore({ path });
  try {
    // the irreversible send pauses: a person approves it
    const run = (await workerOn(store, { approvalHandler: () => ({ type: 'approve' }) })).startRun();
    for (const [tool, args] of [
      [draft, { id: 'a' }],
      [note, {}],
      [draft, { id: 'b' }],
      [send, { to: 'x@y' }],
    ] as const) {
      const result = await run.execute(tool as typeof draft, { ...args, confidence: 0.99 });
      if (result.status !== 'executed') throw new Error(`${tool.name}: ${result.status}`);
    }
    return { path, runId: run.id, module, log };
  } finally {
    await store.close();
  }
}

const ESC = String.fromCharCode(27);

const undoLog = (log: string) =>
  existsSync(log)
    ? readFileSync(log, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line))
    : [];

describe('orbit rollback on a SQLite store', () => {
  it('prints the plan and refuses to run the undos when piped without --yes (exit 1)', async () => {
    const { path, runId, module, log } = await executedRun();
    const run = runOrbit(['rollback', runId, '--store', path, '--tools', module]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('orbit: not run: pass --yes to run 2 undos.\n');
    expect(run.stdout).toBe(
      [
        `rollback plan for run ${runId}: 4 actions, newest first; 2 undos to run`,
        '  unrecoverable    send   mail:x@y  irreversible',
        '  undo             draft  doc:b     reversible',
        '  manual recovery  note   -         partial       a partial action: recovered by hand',
        '  undo             draft  doc:a     reversible',
        '',
      ].join('\n'),
    );
    expect(undoLog(log)).toEqual([]);
  });

  it.skipIf(!hasScript)('asks "Run N undos?" on a terminal: no leaves them, yes runs them', async () => {
    const { path, runId, module, log } = await executedRun();
    const no = onTerminal(['rollback', runId, '--store', path, '--tools', module], 'n\n');
    expect(no.code).toBe(1);
    expect(no.output).toContain('Run 2 undos? [y/N]');
    expect(no.output).toContain('orbit: not run: not confirmed.');
    expect(no.output).toMatch(new RegExp(`${ESC}\\[32mundo +${ESC}\\[39m`)); // colour on a terminal
    expect(undoLog(log)).toEqual([]);
    const yes = onTerminal(['rollback', runId, '--store', path, '--tools', module], 'y\n');
    expect(yes.code).toBe(0);
    expect(yes.output).toContain('undone\u001b[39m: 2,');
    expect(undoLog(log)).toHaveLength(2);
  });

  it('runs the undos with --yes, newest first, with the arguments and output the store kept', async () => {
    const { path, runId, module, log } = await executedRun();
    const run = runOrbit(['rollback', runId, '--store', path, '--tools', module, '--yes']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('undone: 2, undo failed: 0, manual recovery: 1, unrecoverable: 1\n');
    expect(run.stdout).toMatch(/manual recovery:\n {2}note - \(call .+\)\nunrecoverable:\n {2}send mail:x@y/);
    const undone = undoLog(log);
    expect(undone.map((entry) => [entry.input, entry.output])).toEqual([
      [{ id: 'b' }, { version: 'v1-b' }],
      [{ id: 'a' }, { version: 'v1-a' }],
    ]);
    expect(undone[0].context).toMatchObject({ runId, agentId: 'billing-agent' });

    // a second rollback does not undo them again
    const again = runOrbit(['rollback', runId, '--store', path, '--tools', module]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('4 actions, newest first; 0 undos to run\n');
    expect(again.stdout).toContain('  undone already   draft  doc:b     reversible\n');
    expect(again.stdout).toContain('undone: 0, undo failed: 0, manual recovery: 1, unrecoverable: 1\n');
    expect(again.stdout).toMatch(
      /undone already \(by an earlier rollback\):\n {2}draft doc:b .+\n {2}draft doc:a /,
    );
    expect(undoLog(log)).toHaveLength(2);
  });

  it('--dry-run --json prints the plan only; --json --yes the report', async () => {
    const { path, runId, module, log } = await executedRun({ typescript: true });
    const dry = runOrbit(['rollback', runId, '--store', path, '--tools', module, '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout);
    expect(planned).toMatchObject({ run_id: runId, tree_id: runId, dry_run: true, undos: 2 });
    expect(planned.plan.map((step: { tool: string; plan: string }) => [step.tool, step.plan])).toEqual([
      ['send', 'unrecoverable'],
      ['draft', 'undo'],
      ['note', 'manual_recovery'],
      ['draft', 'undo'],
    ]);
    expect(undoLog(log)).toEqual([]);
    const done = runOrbit(['rollback', runId, '--store', path, '--tools', module, '--json', '--yes']);
    expect(done.code).toBe(0);
    const report = JSON.parse(done.stdout);
    expect(report).toMatchObject({ run_id: runId, tree_id: runId, undo_failed: [] });
    expect(report.undone.map((entry: { resource: string }) => entry.resource)).toEqual(['doc:b', 'doc:a']);
    expect(report.manual_recovery).toHaveLength(1);
    expect(report.unrecoverable).toHaveLength(1);
    expect(undoLog(log)).toHaveLength(2);
  });

  it('exits 1 when an undo fails, and lists it to recover by hand', async () => {
    const { path, runId, module } = await executedRun({ failingUndo: true });
    const run = runOrbit(['rollback', runId, '--store', path, '--tools', module, '--yes', '--json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.undo_failed.map((entry: { error: string }) => entry.error)).toEqual([
      'the draft service is down',
      'the draft service is down',
    ]);
  });

  it('refuses bad input with the exact exit code and message', async () => {
    const { path, runId, module } = await executedRun();
    const noTools = runOrbit(['rollback', runId, '--store', path]);
    expect(noTools.code).toBe(2);
    expect(noTools.stderr).toBe(
      "orbit: --tools <module> is required: the undos live in the application's tools.\n",
    );
    const missingModule = runOrbit(['rollback', runId, '--store', path, '--tools', '/nonexistent/tools.mjs']);
    expect(missingModule.code).toBe(3);
    expect(missingModule.stderr).toBe('orbit: --tools /nonexistent/tools.mjs: the file does not exist.\n');
    const empty = join(dirname(path), 'empty.mjs');
    writeFileSync(empty, 'export const answer = 42;\n');
    const noToolsInside = runOrbit(['rollback', runId, '--store', path, '--tools', empty]);
    expect(noToolsInside.code).toBe(3);
    expect(noToolsInside.stderr).toBe(
      `orbit: --tools ${empty}: no tools found (expected an array export "tools", or defineTool tools as named exports).\n`,
    );
    const broken = join(dirname(path), 'broken.mjs');
    writeFileSync(broken, 'export const tools = [;\n');
    const brokenModule = runOrbit(['rollback', runId, '--store', path, '--tools', broken]);
    expect(brokenModule.code).toBe(3);
    expect(brokenModule.stderr).toMatch(
      new RegExp(`^orbit: --tools ${broken}: the module does not load: .+\\n$`),
    );
    const unknown = runOrbit(['rollback', 'no-such-run', '--store', path, '--tools', module, '--json']);
    expect(unknown.code).toBe(4);
    expect(JSON.parse(unknown.stdout).error).toEqual({
      code: 'ERR_RUN_NOT_FOUND',
      message:
        'nothing to roll back for run no-such-run: the store has no executed writes of it (no such run in tree no-such-run, or it wrote nothing).',
    });
    const missingStore = runOrbit(['rollback', runId, '--store', '/nonexistent/runs.db', '--tools', module]);
    expect(missingStore.code).toBe(4);
    const down = runOrbit(['rollback', runId, '--store', 'redis://127.0.0.1:1', '--tools', module]);
    expect(down.code).toBe(5);
    expect(down.stderr).toMatch(/^orbit: cannot open the store redis:\/\/127\.0\.0\.1:1: /);
  });
});
