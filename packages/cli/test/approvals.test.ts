import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SqliteStore } from '@orbit-agents/core/stores/sqlite';
import { describe, expect, it } from 'vitest';
import { pauseCalls, sideEffects, sqliteWithPauses, update, workerOn } from './paused-runs.js';
import { runOrbit } from './run-orbit.js';

const json = (args: string[]) => {
  const run = runOrbit([...args, '--json']);
  return { ...run, data: JSON.parse(run.stdout) };
};

describe('orbit approvals on a SQLite store', () => {
  it('lists the pending approvals oldest first, as JSON, tab-separated text, and filtered', async () => {
    const { path, runId, approvals } = await sqliteWithPauses(['inv-1', 'inv-2']);
    const listed = json(['approvals', 'list', '--store', path]);
    expect(listed.code).toBe(0);
    expect(listed.data.map((a: { approval_id: string }) => a.approval_id)).toEqual(
      approvals.map((a) => a.approvalId),
    );
    expect(listed.data[0]).toMatchObject({
      tree_id: runId,
      run_id: runId,
      agent_id: 'billing-agent',
      tool: 'update',
      args: { id: 'inv-1', status: 'paid' },
      confidence: 0.8,
      reversibility: 'partial',
      action_hash: approvals[0]!.actionHash,
      status: 'pending',
    });
    expect(listed.data[0].reasons.length).toBeGreaterThan(0);
    expect(listed.data[0].time_left_ms).toBeGreaterThan(50_000);

    const text = runOrbit(['approvals', 'list', '--store', path]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('APPROVAL\tAGENT\tRUN\tTOOL\tARGS\tCONFIDENCE\tTIER\tREASONS\tHASH\tAGE\tLEFT');
    expect(lines).toHaveLength(3);
    expect(lines[1]!.split('\t').slice(0, 9)).toEqual([
      approvals[0]!.approvalId,
      'billing-agent',
      runId,
      'update',
      '{"id":"inv-1","status":"paid"}',
      '0.8',
      'partial',
      listed.data[0].reasons.join(','),
      approvals[0]!.actionHash.replace(/^sha256:/, '').slice(0, 12),
    ]);

    expect(json(['approvals', 'list', '--store', path, '--agent', 'other']).data).toEqual([]);
    expect(json(['approvals', 'list', '--store', path, '--run', runId]).data).toHaveLength(2);
    expect(json(['approvals', 'list', '--store', path, '--older-than', '1h']).data).toEqual([]);
    expect(runOrbit(['approvals', 'list', '--store', path, '--older-than', '1h']).stdout).toBe(
      'no pending approvals\n',
    );
  });

  it('approves with the action hash: the core sees the answer and runs the call once', async () => {
    const { path, runId, approvals } = await sqliteWithPauses(['inv-a']);
    const { approvalId, actionHash } = approvals[0]!;
    const approved = runOrbit(['approvals', 'approve', approvalId, '--store', path, '--approver', 'ann@ops']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toBe(
      `approved ${approvalId} (update in run ${runId}) as ann@ops\naction hash: ${actionHash}\n`,
    );
    const store = new SqliteStore({ path });
    try {
      const stored = await store.getApproval(runId, approvalId);
      expect(stored).toMatchObject({
        status: 'approved',
        answer: { type: 'approve', approver: 'ann@ops', action_hash: actionHash },
      });
      const results = await (await workerOn(store)).resumeRun(runId).resumeApproved([update]);
      expect(results.map((r) => r.status)).toEqual(['executed']);
      expect(sideEffects).toContain('update inv-a paid');
    } finally {
      await store.close();
    }
    // first answer wins: a second answer says who answered
    const again = runOrbit([
      'approvals',
      'deny',
      approvalId,
      '--store',
      path,
      '--approver',
      'bob',
      '--tree',
      runId,
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      new RegExp(
        `^orbit: approval ${approvalId} was answered already: (done|approved) by ann@ops at \\d{4}-`,
      ),
    );
    // without --tree, only the pending ones are searched
    const notPending = runOrbit(['approvals', 'approve', approvalId, '--store', path, '--approver', 'bob']);
    expect(notPending.code).toBe(4);
    expect(notPending.stderr).toContain(`no pending approval ${approvalId}`);
  });

  it('denies with a comment (JSON), and the core refuses the call', async () => {
    const { path, runId, approvals } = await sqliteWithPauses(['inv-d']);
    const { approvalId, actionHash } = approvals[0]!;
    const denied = json([
      'approvals',
      'deny',
      approvalId,
      '--store',
      path,
      '--approver',
      'bob',
      '--comment',
      'wrong vendor',
    ]);
    expect(denied.code).toBe(0);
    expect(denied.data).toEqual({
      approval_id: approvalId,
      tree_id: runId,
      run_id: runId,
      tool: 'update',
      answer: 'deny',
      approver: 'bob',
      action_hash: actionHash,
      status: 'denied',
      comment: 'wrong vendor',
    });
    const store = new SqliteStore({ path });
    try {
      expect((await store.getApproval(runId, approvalId))?.answer).toMatchObject({
        type: 'deny',
        approver: 'bob',
      });
      const results = await (await workerOn(store)).resumeRun(runId).resumeApproved([update]);
      expect(results.every((r) => r.status !== 'executed')).toBe(true);
      expect(sideEffects).not.toContain('update inv-d paid');
    } finally {
      await store.close();
    }
    const again = json([
      'approvals',
      'approve',
      approvalId,
      '--store',
      path,
      '--approver',
      'ann',
      '--tree',
      runId,
    ]);
    expect(again.code).toBe(1);
    expect(again.data.error.code).toBe('ERR_APPROVAL_ALREADY_ANSWERED');
    expect(again.data.error.message).toContain('denied by bob');
  });

  it('edits and approves with --args or --args-file: the core runs the edited arguments', async () => {
    const { path, runId, approvals } = await sqliteWithPauses(['inv-e', 'inv-f']);
    const edited = runOrbit([
      'approvals',
      'approve',
      approvals[0]!.approvalId,
      '--store',
      path,
      '--approver',
      'ann',
      '--args',
      '{"id":"inv-e","status":"void"}',
    ]);
    expect(edited.code).toBe(0);
    expect(edited.stdout).toContain('edited and approved');
    expect(edited.stdout).toContain('arguments: {"id":"inv-e","status":"void"}');
    const file = join(dirname(path), 'args.json');
    writeFileSync(file, '{"id":"inv-f","status":"void"}');
    const fromFile = json([
      'approvals',
      'approve',
      approvals[1]!.approvalId,
      '--store',
      path,
      '--approver',
      'ann',
      '--args-file',
      file,
    ]);
    expect(fromFile.code).toBe(0);
    expect(fromFile.data).toMatchObject({
      answer: 'edit',
      status: 'edited',
      args: { id: 'inv-f', status: 'void' },
    });
    const store = new SqliteStore({ path });
    try {
      const results = await (await workerOn(store)).resumeRun(runId).resumeApproved([update]);
      expect(results.map((r) => r.status)).toEqual(['executed', 'executed']);
      expect(sideEffects).toEqual(expect.arrayContaining(['update inv-e void', 'update inv-f void']));
    } finally {
      await store.close();
    }
  });

  it('refuses bad input with the exact exit code and message', async () => {
    const { path, approvals } = await sqliteWithPauses(['inv-x']);
    const id = approvals[0]!.approvalId;
    const approve = (...extra: string[]) => runOrbit(['approvals', 'approve', ...extra]);

    const unknown = approve('no-such-id', '--store', path, '--approver', 'ann');
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toBe(
      'orbit: no pending approval no-such-id (unknown, or answered already: pass --tree <tree id> to read an answered one).\n',
    );
    const unknownInTree = approve('no-such-id', '--store', path, '--approver', 'ann', '--tree', 'no-tree');
    expect(unknownInTree.code).toBe(4);

    const badJson = approve(id, '--store', path, '--approver', 'ann', '--args', '{"id": inv}');
    expect(badJson.code).toBe(3);
    expect(badJson.stderr).toMatch(/^orbit: --args: expected the edited arguments as JSON: .+\.\n$/);
    const notObject = approve(id, '--store', path, '--approver', 'ann', '--args', '[1]');
    expect(notObject.code).toBe(3);
    expect(notObject.stderr).toBe(
      'orbit: --args: expected the edited arguments as a JSON object ({"field": value, ...}), got an array.\n',
    );
    const noFile = approve(id, '--store', path, '--approver', 'ann', '--args-file', '/nonexistent/args.json');
    expect(noFile.code).toBe(3);
    expect(noFile.stderr).toBe('orbit: --args-file /nonexistent/args.json: the file does not exist.\n');

    const noApprover = approve(id, '--store', path);
    expect(noApprover.code).toBe(2);
    expect(noApprover.stderr).toBe(
      'orbit: --approver <name> is required: who answers is recorded with the answer.\n',
    );
    const blankApprover = approve(id, '--store', path, '--approver', ' ');
    expect(blankApprover.code).toBe(2);

    const noStore = runOrbit(['approvals', 'list'], { env: { ORBIT_STORE: '' } });
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toBe(
      'orbit: name the store: --store <SQLite file or redis:// URL> (or set ORBIT_STORE).\n',
    );
    const missingFile = runOrbit(['approvals', 'list', '--store', '/nonexistent/runs.db']);
    expect(missingFile.code).toBe(4);
    expect(missingFile.stderr).toBe(
      'orbit: no SQLite store at /nonexistent/runs.db (the file does not exist).\n',
    );
    const badDuration = runOrbit(['approvals', 'list', '--store', path, '--older-than', 'soon']);
    expect(badDuration.code).toBe(2);
    expect(badDuration.stderr).toBe(
      'orbit: --older-than expects a duration such as 30s, 15m, 2h or 1d, got "soon".\n',
    );
    // the approval is untouched by all of it
    expect(json(['approvals', 'list', '--store', path]).data[0].status).toBe('pending');
  });

  it('reads ORBIT_STORE when --store is not given', async () => {
    const { path } = await sqliteWithPauses(['inv-env']);
    const run = runOrbit(['approvals', 'list', '--json'], { env: { ORBIT_STORE: path } });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(1);
  });
});

describe('orbit approvals on Redis', () => {
  const url = 'redis://127.0.0.1:6379/0';
  const reachable = runOrbit(['approvals', 'list', '--store', url, '--run', 'probe']).code === 0;
  if (!reachable) console.warn(`Redis at ${url} is down: the Redis approvals tests are skipped.`);

  it.skipIf(!reachable)('lists, approves and denies on real Redis', async () => {
    const { RedisStore } = await import('@orbit-agents/core/stores/redis');
    const store = new RedisStore({ url });
    let runId: string;
    let approvals: Awaited<ReturnType<typeof pauseCalls>>['approvals'];
    try {
      ({ runId, approvals } = await pauseCalls(store, ['r-1', 'r-2']));
    } finally {
      await store.close();
    }
    const listed = json(['approvals', 'list', '--store', url, '--run', runId]);
    expect(listed.code).toBe(0);
    expect(listed.data.map((a: { approval_id: string }) => a.approval_id)).toEqual(
      approvals.map((a) => a.approvalId),
    );
    expect(listed.data[0]).toMatchObject({
      tool: 'update',
      args: { id: 'r-1', status: 'paid' },
      tree_id: runId,
    });

    expect(
      runOrbit(['approvals', 'approve', approvals[0]!.approvalId, '--store', url, '--approver', 'ann']).code,
    ).toBe(0);
    expect(
      runOrbit(['approvals', 'deny', approvals[1]!.approvalId, '--store', url, '--approver', 'bob']).code,
    ).toBe(0);
    expect(json(['approvals', 'list', '--store', url, '--run', runId]).data).toEqual([]);
    const again = runOrbit([
      'approvals',
      'deny',
      approvals[0]!.approvalId,
      '--store',
      url,
      '--approver',
      'bob',
      '--tree',
      runId,
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('was answered already: approved by ann');

    const check = new RedisStore({ url });
    try {
      expect((await check.getApproval(runId, approvals[0]!.approvalId))?.status).toBe('approved');
      expect((await check.getApproval(runId, approvals[1]!.approvalId))?.status).toBe('denied');
    } finally {
      await check.close();
    }
  });

  it('reports an unreachable Redis with exit 5, quickly', () => {
    const started = Date.now();
    const run = runOrbit(['approvals', 'list', '--store', 'redis://127.0.0.1:1']);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/^orbit: cannot open the store redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
