import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { countingTool, orbitOf } from '../../test/support.js';
import type { ApprovalHandler } from '../approvals/approval.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { computeMetrics } from '../metrics/compute-metrics.js';
import { SqliteStore } from '../stores/sqlite-store.js';

const approvalsOf = (events: AuditEvent[]) => events.filter((event) => event.event === 'approval');
const outcomesOf = (events: AuditEvent[]) => events.filter((event) => event.event === 'outcome');

/** The process warnings emitted while a test runs (Node emits them on the next tick). */
const warnings: (Error & { code?: string })[] = [];
const onWarning = (warning: Error) => void warnings.push(warning);
const tick = () => new Promise((resolve) => setImmediate(resolve));
beforeAll(() => void process.on('warning', onWarning));
beforeEach(async () => {
  await tick();
  warnings.length = 0;
});
afterAll(() => void process.off('warning', onWarning));

describe('a pause with no approval handler', () => {
  it('is refused as no_approval_handler, never recorded as a human timeout', async () => {
    const { orbit, sink } = await orbitOf();
    const log: string[] = [];
    const result = await orbit.startRun().execute(countingTool('update', log), { id: 'a', confidence: 0.8 });
    expect(result).toMatchObject({
      status: 'refused',
      decision: { decision: 'block', reasons: ['below_tool_threshold', 'no_approval_handler'] },
    });
    expect(result.decision.reasons).not.toContain('approval_timeout');
    expect(log).toEqual([]);
    expect(approvalsOf(sink.events).map((event) => event.approval)).toEqual([
      'requested',
      'no_approval_handler',
    ]);
    expect(outcomesOf(sink.events)).toMatchObject([{ status: 'not_executed' }]);
  });

  it('is counted apart in the metrics: not a timeout, not a human answer, no latency', async () => {
    const { orbit, sink } = await orbitOf();
    await orbit.startRun().execute(countingTool('update'), { id: 'a', confidence: 0.8 });
    const agent = computeMetrics(sink.events).agents['test-agent']!;
    expect(agent.answers).toMatchObject({ timeout: 0, no_approval_handler: 1 });
    expect(agent.resolution).toMatchObject({ timeout: 0, agent: 0, noApprovalHandler: 1, pending: 0 });
    expect(agent.approvalLatencyMs.count).toBe(0);
  });

  it('is a block even when timeouts halt: no timeout happened', async () => {
    const { orbit } = await orbitOf({}, { onApprovalTimeout: 'halt' });
    const run = orbit.startRun();
    const result = await run.execute(countingTool('update'), { id: 'a', confidence: 0.8 });
    expect(result.decision.decision).toBe('block');
    expect((await run.execute(countingTool('update'), { id: 'b', confidence: 0.95 })).status).toBe(
      'executed',
    );
  });

  it('warns once per Orbit, with the code ORBIT_NO_APPROVAL_HANDLER and how to fix it', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    await run.execute(countingTool('update'), { id: 'a', confidence: 0.8 });
    await run.execute(countingTool('update'), { id: 'b', confidence: 0.8 });
    await orbit.startRun().execute(countingTool('update'), { id: 'c', confidence: 0.8 });
    await tick();
    expect(warnings.map((warning) => warning.code)).toEqual(['ORBIT_NO_APPROVAL_HANDLER']);
    expect(warnings[0]!.message).toContain('approvalHandler');

    const other = await orbitOf();
    await other.orbit.startRun().execute(countingTool('update'), { id: 'd', confidence: 0.8 });
    await tick();
    expect(warnings).toHaveLength(2);
  });

  it('does not warn for a run that never pauses, nor when a handler answers', async () => {
    const plain = await orbitOf();
    await plain.orbit.startRun().execute(countingTool('update'), { id: 'a', confidence: 0.95 });
    const answered = await orbitOf(
      {},
      {
        approvalHandler: (request) => ({
          type: 'approve',
          action_hash: request.action_hash,
          approver: 'ann',
        }),
      },
    );
    await answered.orbit.startRun().execute(countingTool('update'), { id: 'b', confidence: 0.8 });
    await tick();
    expect(warnings).toEqual([]);
  });
});

describe("an approval handler's answer", () => {
  it("may leave out the approver: it is recorded as 'approval-handler'", async () => {
    const { orbit, sink } = await orbitOf(
      {},
      { approvalHandler: (request) => ({ type: 'approve', action_hash: request.action_hash }) },
    );
    const result = await orbit.startRun().execute(countingTool('update'), { id: 'a', confidence: 0.8 });
    expect(result.status).toBe('executed');
    expect(approvalsOf(sink.events)[1]).toMatchObject({ approval: 'approve', approver: 'approval-handler' });
  });

  it('may leave out the action_hash: it is taken from the request the handler was given', async () => {
    const log: string[] = [];
    const { orbit, sink } = await orbitOf(
      {},
      { approvalHandler: () => ({ type: 'edit', approver: 'ann', args: { id: 'edited' } }) },
    );
    const result = await orbit.startRun().execute(countingTool('update', log), { id: 'a', confidence: 0.8 });
    expect(result.status).toBe('executed');
    expect(log).toEqual(['update:edited']);
    const [requested, answered] = approvalsOf(sink.events);
    expect(answered).toMatchObject({
      approval: 'edit',
      approver: 'ann',
      action_hash: requested!.action_hash,
    });
  });

  it('is a mismatch when it names another action_hash: refused like a handler that throws, the run goes on', async () => {
    const log: string[] = [];
    const { orbit, sink } = await orbitOf(
      {},
      { approvalHandler: () => ({ type: 'approve', action_hash: 'sha256:other', approver: 'ann' }) },
    );
    const run = orbit.startRun();
    const result = await run.execute(countingTool('update', log), { id: 'a', confidence: 0.8 });
    expect(result).toMatchObject({ status: 'refused', decision: { decision: 'block' } });
    expect(log).toEqual([]);
    expect(approvalsOf(sink.events).map((event) => event.approval)).toEqual([
      'requested',
      'approval_handler_failed',
    ]);
    expect(result.decision.reasons).toContain('approval_handler_failed');
    expect(result.decision.reasons).not.toContain('approval_timeout');
    expect((await run.execute(countingTool('update', log), { id: 'b', confidence: 0.95 })).status).toBe(
      'executed',
    );
  });

  const invalid: [string, ApprovalHandler][] = [
    ['an unknown type', () => ({ type: 'maybe' }) as never],
    ['a field of the wrong type', () => ({ type: 'approve', approver: 42 }) as never],
    ['an unknown field', () => ({ type: 'approve', approved: true }) as never],
    ['not an object', () => 'yes' as never],
    ['nothing', () => undefined as never],
  ];
  for (const [what, handler] of invalid) {
    it(`with ${what} is handled like a handler that throws: a refusal and one outcome, not a rejected execute()`, async () => {
      const log: string[] = [];
      const thrower = await orbitOf(
        {},
        {
          approvalHandler: () => {
            throw new Error('review queue down');
          },
        },
      );
      const threw = await thrower.orbit
        .startRun()
        .execute(countingTool('update', log), { id: 'a', confidence: 0.8 });
      const { orbit, sink } = await orbitOf({}, { approvalHandler: handler });
      const run = orbit.startRun();
      const result = await run.execute(countingTool('update', log), { id: 'a', confidence: 0.8 });
      expect(result.status).toBe('refused');
      expect(result.decision.decision).toBe(threw.decision.decision);
      expect(result.decision.reasons).toEqual(threw.decision.reasons);
      expect(approvalsOf(sink.events).map((event) => event.approval)).toEqual(
        approvalsOf(thrower.sink.events).map((event) => event.approval),
      );
      expect(outcomesOf(sink.events)).toMatchObject([{ status: 'not_executed' }]);
      expect(log).toEqual([]);
      expect((await run.execute(countingTool('read'), { id: 'next' })).status).toBe('executed');
    });
  }

  it('tells the agent what the person who denied the call said, and records it as the audit comment', async () => {
    const { orbit, sink } = await orbitOf(
      {},
      {
        approvalHandler: () => ({
          type: 'deny',
          approver: 'maria',
          comment: 'Wrong vendor: flag it instead',
        }),
      },
    );
    const result = await orbit.startRun().execute(countingTool('update'), { id: 'a', confidence: 0.8 });
    expect(result.status).toBe('refused');
    if (result.status !== 'refused') return;
    expect(result.refusal.comment).toBe('Wrong vendor: flag it instead');
    expect(result.refusal.message).toContain('Wrong vendor: flag it instead');
    expect(approvalsOf(sink.events)[1]).toMatchObject({
      approval: 'deny',
      approver: 'maria',
      comment: 'Wrong vendor: flag it instead',
    });
  });
});

describe('an approval handler that fails', () => {
  const failing: ApprovalHandler = () => {
    throw new Error('review queue down');
  };

  for (const kind of ['memory', 'sqlite'] as const) {
    it(`is refused as approval_handler_failed, never a timeout, even when timeouts halt (${kind})`, async () => {
      const log: string[] = [];
      const store = kind === 'sqlite' ? new SqliteStore({ path: ':memory:' }) : undefined;
      const { orbit, sink } = await orbitOf(
        {},
        { approvalHandler: failing, onApprovalTimeout: 'halt', ...(store ? { store } : {}) },
      );
      const run = orbit.startRun();
      const result = await run.execute(countingTool('update', log), { id: 'a', confidence: 0.8 });
      expect(result.status).toBe('refused');
      expect(result.decision.decision).toBe('block');
      expect(result.decision.reasons).toContain('approval_handler_failed');
      expect(result.decision.reasons).not.toContain('approval_timeout');
      expect(result.decision.detail).toContain('review queue down');
      expect(approvalsOf(sink.events).map((event) => event.approval)).toEqual([
        'requested',
        'approval_handler_failed',
      ]);
      expect(run.halted).toBe(false);
      expect(log).toEqual([]);
      if (store) {
        // Closed in the store, so nobody answers it later and runs the call behind the agent's back.
        const [stored] = await store.listApprovals(run.id, { statuses: ['pending'] });
        expect(stored).toBeUndefined();
        await store.close();
      }
      const agent = Object.values(computeMetrics(sink.events).agents)[0]!;
      expect(agent.answers).toMatchObject({ timeout: 0, approval_handler_failed: 1 });
      expect(agent.resolution).toMatchObject({ timeout: 0, agent: 0, handlerFailed: 1, pending: 0 });
    });
  }
});
