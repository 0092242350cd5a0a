import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeRunStore } from '../../test/store-conformance.js';
import type { ApprovalRequest } from '../approvals/approval.js';
import { MemoryStore } from './memory-store.js';
import type { StoredApproval } from './run-store.js';

// One shared instance: memory stores of one process are one store (like two clients of one server).
const shared = new MemoryStore();
describeRunStore('memory', async () => Object.assign(Object.create(shared), { close: async () => {} }));

describe('memory store: answers it keeps', () => {
  const pending = (): StoredApproval => ({
    treeId: 't',
    request: {
      approval_id: randomUUID(),
      run_id: 't',
      agent_id: 'a',
      call_id: 'c',
      tool: 'update',
      args: { id: 1 },
      decision: 'pause',
      reasons: ['below_tool_threshold'],
      confidence: 0.8,
      reversibility: 'partial',
      action_hash: 'sha256:h',
      requested_at: new Date(0).toISOString(),
      allowed_answers: ['approve', 'deny', 'edit'],
      context: { task_scope: 't', maturity_level: 3, ledger: {} },
    } as ApprovalRequest,
    status: 'pending',
    requestedAt: 0,
    expiresAt: 60_000,
  });

  it('refuses an answer it cannot copy, and stays readable with the approval still pending', async () => {
    const store = new MemoryStore();
    const approval = pending();
    await store.putApproval('t', approval);
    const id = approval.request.approval_id;
    const answer = { type: 'edit', action_hash: 'sha256:h', approver: 'ann', args: { id: 2, fn: () => 1 } };
    await expect(store.answerApproval('t', id, answer as never, 1)).rejects.toMatchObject({
      code: 'ERR_ARGUMENT_INVALID',
    });
    expect(await store.getApproval('t', id)).toMatchObject({ status: 'pending' });
    expect(await store.listPending()).toHaveLength(1);
  });

  it('keeps its own copy of an answer: the caller changing its object afterwards changes nothing', async () => {
    const store = new MemoryStore();
    const approval = pending();
    await store.putApproval('t', approval);
    const answer = { type: 'edit' as const, action_hash: 'sha256:h', approver: 'ann', args: { id: 2 } };
    await store.answerApproval('t', approval.request.approval_id, answer, 1);
    answer.args.id = 99;
    expect((await store.getApproval('t', approval.request.approval_id))?.answer).toMatchObject({
      args: { id: 2 },
    });
  });
});
