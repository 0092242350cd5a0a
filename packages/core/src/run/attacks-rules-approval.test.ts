import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { orbitOf } from '../../test/support.js';
import type { ApprovalHandler } from '../approvals/approval.js';
import { defineTool } from './define-tool.js';

/**
 * A time-dependent `reversibility()` hook is asked again when a person approves: the call runs then,
 * so a tier that became stricter while it waited applies (a stricter answer always wins).
 */

describe('attacks on the rules: a per-call tier that changes while the call waits for a person', () => {
  it('an approval that comes after the free-cancellation deadline runs the call as irreversible', async () => {
    let now = Date.parse('2026-11-25T10:00:00Z');
    const startsAt = new Date(now + 25 * 3_600_000).toISOString(); // 25 h ahead: still cancellable
    const handler: ApprovalHandler = (request) => {
      now += 2 * 3_600_000; // the person answers two hours later: 23 h before the stay
      return { type: 'approve', action_hash: request.action_hash, approver: 'ana' };
    };
    const { orbit } = await orbitOf(
      {
        maturity_level: 3,
        allowed_tools: [{ name: 'cancel_booking', max_calls_per_run: 5, reversibility: 'reversible' }],
      },
      { approvalHandler: handler, now: () => now },
    );
    const tool = defineTool({
      name: 'cancel_booking',
      input: z.object({ starts_at: z.string() }),
      reversibility: (input, context) =>
        Date.parse(input.starts_at) - context.now.getTime() > 24 * 3_600_000 ? 'reversible' : 'irreversible',
      execute: () => 'cancelled',
      undo: () => 'rebooked',
    });
    const run = orbit.startRun();
    // Low confidence: the reversible call pauses for a person.
    const result = await run.execute(tool, { starts_at: startsAt, confidence: 0.5 });
    expect(result.status).toBe('executed');
    expect(result.approval?.reversibility).toBe('reversible');
    expect(result.decision).toMatchObject({ reversibility: 'irreversible', rules: ['reversibility_hook'] });
    const report = await run.rollback();
    expect(report.undone).toHaveLength(0);
    expect(report.unrecoverable).toHaveLength(1);
  });
});
