// Regressions found by a review: each test states a behaviour the design and the README promise.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { REDIS_URL, redisAnswers, SKIP_REDIS } from '../../test/redis-probe.js';
import { approveAll, countingTool, orbitOf, orchestratorManifest } from '../../test/support.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { JsonlFileSink } from '../audit/jsonl-file-sink.js';
import { admitOn, newCounters } from '../stores/admit-logic.js';
import { MemoryStore } from '../stores/memory-store.js';
import { RedisStore } from '../stores/redis-store.js';
import { defineTool } from './define-tool.js';
import { bookSizes } from './run.js';
import { RunHaltedError } from './run-halted-error.js';

const eventsOf = (events: AuditEvent[], kind: AuditEvent['event'], callId?: string) =>
  events.filter((event) => event.event === kind && (callId === undefined || event.call_id === callId));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('regression: store-backed runs ignore local halts', () => {
  it('R1a run.stop() (the kill switch) halts every further call on a store-backed run', async () => {
    const { orbit } = await orbitOf({}, { store: new MemoryStore() });
    const log: string[] = [];
    const run = orbit.startRun();
    expect((await run.execute(countingTool('read', log), { id: 'a' })).status).toBe('executed');
    run.stop();
    expect(run.halted).toBe(true);
    // README: "Stops the run (the kill switch): every further call halts."
    await expect(run.execute(countingTool('read', log), { id: 'b' })).rejects.toBeInstanceOf(RunHaltedError);
    expect(log).toEqual(['read:a']);
  });

  it('R1b onApprovalTimeout: "halt" halts the run on a store-backed run', async () => {
    const { orbit } = await orbitOf(
      {},
      { store: new MemoryStore(), approvalTimeoutMs: 20, onApprovalTimeout: 'halt', onStoreError: () => {} },
    );
    const log: string[] = [];
    const run = orbit.startRun();
    // no handler, store: waits for an answer elsewhere, times out -> halt
    await expect(
      run.execute(countingTool('update', log), { id: 'a', confidence: 0.8 }),
    ).rejects.toBeInstanceOf(RunHaltedError);
    expect(run.halted).toBe(true);
    await expect(run.execute(countingTool('read', log), { id: 'b' })).rejects.toBeInstanceOf(RunHaltedError);
    expect(log).toEqual([]);
  });
});

describe('regression: unvalidated token/record counts on the store path', () => {
  it('R2 refuses a token or record count that is not a finite number >= 0, naming the field', async () => {
    const { orbit } = await orbitOf({}, { store: new MemoryStore() });
    const run = orbit.startRun();
    await expect(
      run.execute(countingTool('read'), { id: 'a' }, { tokens: Number.NaN }),
    ).rejects.toMatchObject({
      code: 'ERR_ARGUMENT_INVALID',
      message: expect.stringContaining('tokens'),
    });
    await expect(run.guardAsync({ tool: 'read', tokens: -5 })).rejects.toMatchObject({
      code: 'ERR_ARGUMENT_INVALID',
    });
    expect(() => run.guard({ tool: 'read', records: Number.POSITIVE_INFINITY })).toThrow(
      /records must be a finite number/,
    );
    expect(() => run.recordUsage({ tokens: Number.NaN })).toThrow(/usage.tokens/);
  });

  it('R2b the shared check-and-count ignores a non-finite or negative token count', () => {
    const counters = [newCounters(0)];
    const request = {
      treeId: 't',
      chain: [{ runId: 't', maxTokens: 10 }],
      tool: 'x',
      records: 0,
      count: true,
      approved: false,
      now: 0,
    };
    admitOn({ ...request, tokens: Number.NaN }, counters);
    admitOn({ ...request, tokens: -100 }, counters);
    expect(counters[0]!.tokens).toBe(0);
    expect(admitOn({ ...request, tokens: 11 }, counters).tokensExceeded).toBe(true);
  });
});

describe('regression: a call can run twice', () => {
  it('R3 two concurrent execute() with the same callId run the tool once', async () => {
    const { orbit, sink } = await orbitOf();
    const run = orbit.startRun();
    let runs = 0;
    const slow = defineTool({
      name: 'update',
      input: z.object({ id: z.string() }),
      execute: async () => {
        runs++;
        await sleep(10);
        return 'ok';
      },
    });
    const results = await Promise.allSettled([
      run.execute(slow, { id: 'a', confidence: 0.95 }, { callId: 'c1' }),
      run.execute(slow, { id: 'a', confidence: 0.95 }, { callId: 'c1' }),
    ]);
    expect(results.map((r) => r.status)).toContain('fulfilled');
    expect(runs).toBe(1);
    expect(eventsOf(sink.events, 'decision', 'c1')).toHaveLength(1);
  });

  it('R4 guard() of an approved call that already executed does not say "proceed" again', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const request = { tool: 'update', args: { id: 'a' }, confidence: 0.8, callId: 'c1', records: 1 };
    const first = run.guard(request);
    expect(first.decision).toBe('pause');
    const answered = run.answer(first.approval!.approval_id, {
      type: 'approve',
      action_hash: first.approval!.action_hash,
      approver: 'alice',
    });
    expect(answered.decision.decision).toBe('proceed_with_log');
    run.recordOutcome('c1', { status: 'executed', output: 'done' }); // the adapter ran it
    // A framework re-running the node (LangGraph: a 2nd interrupt in the same node) guards c1 again.
    const again = run.guard(request);
    expect(['proceed', 'proceed_with_log']).not.toContain(again.decision);
  });
});

describe('regression: bounded call table forgets in-flight calls', () => {
  it('R5 a long-running call keeps its outcome event and undo when other calls pass meanwhile', async () => {
    const { orbit, sink } = await orbitOf({}, { maxTrackedCalls: 2 });
    const run = orbit.startRun();
    const undone: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = defineTool({
      name: 'draft',
      input: z.object({ id: z.string() }),
      execute: async () => {
        await gate;
        return 'ok';
      },
      undo: ({ id }) => void undone.push(id),
    });
    const pending = run.execute(slow, { id: 'slow', confidence: 0.95 }, { callId: 'slow' });
    for (const id of ['a', 'b', 'c', 'd']) await run.execute(countingTool('read'), { id });
    release();
    expect((await pending).status).toBe('executed');
    expect(eventsOf(sink.events, 'outcome', 'slow')).toHaveLength(1);
    const report = await run.rollback();
    expect(report.undone.map((a: { callId?: string; call_id?: string }) => a.callId ?? a.call_id)).toContain(
      'slow',
    );
  });
});

describe('regression: approvals', () => {
  it('R6 an edit answered without the tool shape is re-validated (README: edits are re-validated)', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const first = run.guard({ tool: 'update', args: { id: 'a' }, confidence: 0.8, callId: 'c1' });
    const result = run.answer(first.approval!.approval_id, {
      type: 'edit',
      action_hash: first.approval!.action_hash,
      approver: 'alice',
      args: { id: 42, drop_table: true },
    });
    expect(result.decision.decision).toBe('block');
  });

  it('R7 an approval handler that throws yields a refusal and one outcome, not a rejected execute()', async () => {
    const { orbit, sink } = await orbitOf(
      {},
      {
        approvalHandler: () => {
          throw new Error('review queue down');
        },
      },
    );
    const run = orbit.startRun();
    const log: string[] = [];
    const result = await run
      .execute(countingTool('update', log), { id: 'a', confidence: 0.8 })
      .catch((e) => e);
    expect(log).toEqual([]);
    expect(result).toMatchObject({ status: 'refused' });
    expect(eventsOf(sink.events, 'outcome')).toHaveLength(1);
  });

  it('R8 refuses an approvalTimeoutMs longer than the longest timer, instead of timing out at once', async () => {
    await expect(orbitOf({}, { approvalTimeoutMs: 30 * 24 * 3_600_000 })).rejects.toMatchObject({
      code: 'ERR_OPTIONS_INVALID',
    });
  });

  it('R9 answered approvals are not kept forever (run memory stays bounded)', async () => {
    const { orbit } = await orbitOf(
      { allowed_tools: [{ name: 'update', max_calls_per_run: 10_000, reversibility: 'partial' }] },
      { maxTrackedCalls: 10, approvalHandler: approveAll },
    );
    const run = orbit.startRun();
    for (let i = 0; i < 200; i++) await run.execute(countingTool('update'), { id: `x${i}`, confidence: 0.5 });
    expect(bookSizes(run).approvals).toBeLessThanOrEqual(10);
  });
});

describe('regression: delegation requests widen the manifest profile', () => {
  it('R10a a request cannot widen the profile resources', async () => {
    const { orbit } = await orbitOf(orchestratorManifest());
    const run = orbit.startRun();
    const result = await run.delegate({
      profile: 'data-entry',
      tools: [{ name: 'update_crm_record', resources: ['crm:*'] }], // profile: crm:contact:*
    });
    expect(result.decision.decision).toBe('block');
    expect(result.decision.reasons).toEqual(['scope_escalation']);
  });

  it('R10b a request cannot widen the profile token budget', async () => {
    const { orbit } = await orbitOf(orchestratorManifest());
    const run = orbit.startRun();
    const result = await run.delegate({ profile: 'researcher', max_tokens_per_run: 9_000 }); // profile: 2,000
    expect(result.decision.decision).toBe('block');
  });

  it('R10c a non-numeric max_calls_per_run is refused, not an unlimited token', async () => {
    const { orbit } = await orbitOf(orchestratorManifest());
    const run = orbit.startRun();
    const result = await run
      .delegate({
        profile: 'researcher',
        tools: [{ name: 'web_search', max_calls_per_run: 'lots' as unknown as number }],
      })
      .catch((error) => ({ error }));
    if ('error' in result) return; // a clear error is acceptable
    expect(result.decision.decision).toBe('block');
  });
});

describe('regression: audit sink', () => {
  it('R11 events written after the sink was closed (e.g. by its SIGTERM hook) are not silently lost', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orbit-regression-'));
    const path = join(dir, 'audit.jsonl');
    const sink = new JsonlFileSink(path);
    sink.close(); // what the sink's own SIGTERM/SIGINT handler does while the app drains in-flight runs
    const event = {
      ts: new Date().toISOString(),
      event: 'decision',
      run_id: 'r',
      parent_run_id: null,
      agent_id: 'a',
      manifest_digest: 'sha256:x',
    } as AuditEvent;
    let threw = false;
    try {
      sink.write(event);
      sink.flush();
    } catch {
      threw = true; // failing loudly is acceptable
    }
    expect(threw || readFileSync(path, 'utf8').includes('"run_id":"r"')).toBe(true);
  });
});

// Skipped with a printed notice where no Redis answers (ORBIT_REDIS_URL; ORBIT_SKIP_REDIS=1 skips on purpose).
const redisUp = !SKIP_REDIS && (await redisAnswers());
describe.skipIf(!redisUp)(`regression: the same defects on Redis (${REDIS_URL})`, () => {
  const redisStore = () => new RedisStore({ url: REDIS_URL, prefix: `orbit-regression-${Date.now()}` });

  it('R1c run.stop() halts further calls on a Redis-backed run', async () => {
    const store = redisStore();
    try {
      const { orbit } = await orbitOf({}, { store });
      const log: string[] = [];
      const run = orbit.startRun();
      await run.execute(countingTool('read', log), { id: 'a' });
      run.stop();
      await expect(run.execute(countingTool('read', log), { id: 'b' })).rejects.toBeInstanceOf(
        RunHaltedError,
      );
    } finally {
      await store.close();
    }
  });

  it('R2c a negative token count cannot give budget back on Redis either', async () => {
    const store = redisStore();
    try {
      const treeId = `tree-${Date.now()}-${Math.random()}`;
      await store.startRun(
        { treeId: treeId, runId: treeId, startedAt: 0, manifestDigest: 'sha256:test' },
        { mode: 'start', ttlMs: 60_000 },
      );
      const request = {
        treeId,
        chain: [{ runId: treeId, maxTokens: 10 }],
        tool: 'x',
        records: 0,
        count: true,
        approved: false,
        now: 0,
      };
      await store.admit({ ...request, tokens: -1_000 });
      expect((await store.admit({ ...request, tokens: 11 })).tokensExceeded).toBe(true);
    } finally {
      await store.close();
    }
  });
});
