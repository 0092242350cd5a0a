import { describe, expect, it } from 'vitest';
import { countingTool, orbitOf } from '../../test/support.js';
import { GATE_REASON_CODES, type ReasonCode } from './reason-codes.js';

const covered = new Set<ReasonCode>();
const expectReason = (reasons: readonly ReasonCode[], reason: ReasonCode) => {
  expect(reasons).toContain(reason);
  covered.add(reason);
};

describe('boundary (B)', () => {
  it('halts an out-of-manifest tool at any confidence and level', async () => {
    for (const level of [1, 2, 3, 4] as const) {
      const { orbit } = await orbitOf({ maturity_level: level });
      const decision = orbit.startRun().guard({ tool: 'drop_database', confidence: 1 });
      expect(decision.decision).toBe('halt');
      expectReason(decision.reasons, 'tool_not_in_manifest');
    }
  });

  it('halts an explicitly blocked tool at any confidence and level', async () => {
    for (const level of [1, 2, 3, 4] as const) {
      const { orbit } = await orbitOf({ maturity_level: level });
      const decision = orbit.startRun().guard({ tool: 'merge', confidence: 1 });
      expect(decision.decision).toBe('halt');
      expect(decision.reasons).toEqual(['tool_explicitly_blocked']);
      covered.add('tool_explicitly_blocked');
    }
  });

  it("halts a call on a resource outside the tool's patterns, and a call that names no resource", async () => {
    const { orbit } = await orbitOf({
      allowed_tools: [
        { name: 'update', max_calls_per_run: 5, reversibility: 'partial', resources: ['invoice:*'] },
      ],
    });
    const run = orbit.startRun();
    expect(run.guard({ tool: 'update', confidence: 0.99, resource: 'invoice:INV-1' }).decision).toBe(
      'proceed',
    );
    const outside = orbit.startRun().guard({ tool: 'update', confidence: 0.99, resource: 'payroll:EMP-1' });
    expect(outside.decision).toBe('halt');
    expectReason(outside.reasons, 'resource_not_in_manifest');
    expect(orbit.startRun().guard({ tool: 'update', confidence: 0.99 }).decision).toBe('halt');
  });

  it('blocks the call after max_calls_per_run, and the agent may go on', async () => {
    const { orbit } = await orbitOf({
      allowed_tools: [
        { name: 'update', max_calls_per_run: 3, reversibility: 'partial' },
        { name: 'read', max_calls_per_run: 5, reversibility: 'read_only' },
      ],
    });
    const run = orbit.startRun();
    for (let i = 0; i < 3; i++)
      expect(run.guard({ tool: 'update', confidence: 0.99 }).decision).toBe('proceed');
    const fourth = run.guard({ tool: 'update', confidence: 0.99 });
    expect(fourth.decision).toBe('block');
    expectReason(fourth.reasons, 'max_calls_exceeded');
    expect(run.guard({ tool: 'read' }).decision).toBe('proceed');
  });

  it('blocks the second call of a tool on one resource under max_calls_per_resource: 1, and another resource passes', async () => {
    const { orbit } = await orbitOf({
      allowed_tools: [
        { name: 'update', max_calls_per_run: 5, max_calls_per_resource: 1, reversibility: 'reversible' },
      ],
    });
    const run = orbit.startRun();
    expect(run.guard({ tool: 'update', confidence: 0.99, resource: 'order:1' }).decision).toBe('proceed');
    const second = run.guard({ tool: 'update', confidence: 0.99, resource: 'order:1' });
    expect(second.decision).toBe('block');
    expectReason(second.reasons, 'resource_call_limit_reached');
    expect(run.guard({ tool: 'update', confidence: 0.99, resource: 'order:2' }).decision).toBe('proceed');
  });

  it('halts every call after a halt', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    run.guard({ tool: 'merge', confidence: 1 });
    const next = run.guard({ tool: 'read' });
    expect(next.decision).toBe('halt');
    expectReason(next.reasons, 'run_halted');
  });

  it('blocks a call whose input is invalid, naming the field', async () => {
    const { orbit } = await orbitOf();
    const decision = orbit
      .startRun()
      .guard({ tool: 'update', confidence: 0.99, inputError: 'input.invoice_id: expected string' });
    expect(decision.decision).toBe('block');
    expectReason(decision.reasons, 'input_invalid');
    expect(decision.detail).toContain('invoice_id');
  });

  it('blocks a call whose arguments cannot be read (input_unsupported), naming the path', async () => {
    const { orbit } = await orbitOf();
    const decision = orbit.startRun().guard({ tool: 'update', confidence: 0.99, args: { amount: 10n } });
    expect(decision.decision).toBe('block');
    expectReason(decision.reasons, 'input_unsupported');
    expect(decision.detail).toBe('args.amount: BigInt is not supported');
  });

  it('halts an invalid-input call to a blocked tool (the boundary comes first)', async () => {
    const { orbit } = await orbitOf();
    const decision = orbit.startRun().guard({ tool: 'merge', inputError: 'input: bad' });
    expect(decision.decision).toBe('halt');
  });
});

describe('budgets and interruption triggers (I)', () => {
  it('pauses when the token budget is exceeded (soft) and halts when hard', async () => {
    const soft = (await orbitOf()).orbit.startRun();
    soft.recordUsage({ tokens: 80_001 });
    const paused = soft.guard({ tool: 'update', confidence: 0.99 });
    expect(paused.decision).toBe('pause');
    expectReason(paused.reasons, 'token_budget_exceeded');

    const { orbit } = await orbitOf({
      interruption_policy: { confidence_floor: 0.72, max_tokens_per_run: 100, budget_mode: 'hard' },
    });
    const hard = orbit.startRun();
    expect(hard.guard({ tool: 'update', confidence: 0.99, tokens: 60 }).decision).toBe('proceed');
    const halted = hard.guard({ tool: 'update', confidence: 0.99, tokens: 60 });
    expect(halted.decision).toBe('halt');
    expect(halted.reasons).toEqual(['token_budget_exceeded']);
  });

  it('pauses when the time limit is exceeded', async () => {
    let now = 0;
    const { orbit } = await orbitOf({}, { now: () => now });
    const run = orbit.startRun();
    expect(run.guard({ tool: 'update', confidence: 0.99 }).decision).toBe('proceed');
    now = 30 * 60_000 + 1;
    const decision = run.guard({ tool: 'update', confidence: 0.99 });
    expect(decision.decision).toBe('pause');
    expectReason(decision.reasons, 'time_limit_exceeded');
  });

  it('pauses when a call would cross the records budget', async () => {
    const { orbit } = await orbitOf({
      interruption_policy: { confidence_floor: 0.72, max_records_touched_per_run: 10 },
    });
    const run = orbit.startRun();
    expect(run.guard({ tool: 'update', confidence: 0.99, records: 10 }).decision).toBe('proceed');
    const decision = run.guard({ tool: 'update', confidence: 0.99, records: 1 });
    expect(decision.decision).toBe('pause');
    expectReason(decision.reasons, 'records_budget_exceeded');
  });

  it('pauses a call that touches more records than max_records_per_call', async () => {
    const { orbit } = await orbitOf({
      interruption_policy: { confidence_floor: 0.72, max_records_per_call: 5 },
    });
    const run = orbit.startRun();
    expect(run.guard({ tool: 'update', confidence: 0.99, records: 5 }).decision).toBe('proceed');
    const decision = run.guard({ tool: 'update', confidence: 0.99, records: 6 });
    expect(decision.decision).toBe('pause');
    expectReason(decision.reasons, 'records_per_call_exceeded');
  });

  it('pauses on a resource type not seen in training runs, once per run', async () => {
    const { orbit } = await orbitOf({ known_resource_types: ['invoice'] });
    const run = orbit.startRun();
    expect(run.guard({ tool: 'update', confidence: 0.99, resource: 'invoice:1' }).decision).toBe('proceed');
    const fresh = run.guard({ tool: 'update', confidence: 0.99, resource: 'payroll:1' });
    expect(fresh.decision).toBe('pause');
    expectReason(fresh.reasons, 'new_resource_type');
  });

  it('treats missing, NaN and out-of-range confidence as the lowest value', async () => {
    const { orbit } = await orbitOf({ maturity_level: 4 });
    for (const confidence of [undefined, Number.NaN, -0.1, 1.2, '0.99', null]) {
      const decision = orbit.startRun().guard({ tool: 'send', confidence });
      expect(decision.decision).toBe('pause');
      expect(decision.reasons).toContain('confidence_below_floor');
      expect(decision.confidence).toBeNull();
      expectReason(decision.reasons, 'confidence_missing');
    }
  });

  it('pauses a write below the confidence floor', async () => {
    const { orbit } = await orbitOf();
    const decision = orbit.startRun().guard({ tool: 'update', confidence: 0.65 });
    expect(decision.decision).toBe('pause');
    expect(decision.reasons).toEqual(['confidence_below_floor']);
    covered.add('confidence_below_floor');
  });

  it('lets an escalation tool through a soft budget pause but not through its call limit', async () => {
    const { orbit } = await orbitOf({
      allowed_tools: [{ name: 'flag', max_calls_per_run: 1, escalation: true }],
    });
    const run = orbit.startRun();
    run.recordUsage({ tokens: 1_000_000 });
    expect(run.guard({ tool: 'flag', confidence: 0.1 }).decision).toBe('proceed');
    expect(run.guard({ tool: 'flag', confidence: 0.1 }).reasons).toEqual(['max_calls_exceeded']);
  });
});

describe('reversibility gate (R)', () => {
  it('pauses a partial write below the tool threshold', async () => {
    const { orbit } = await orbitOf();
    const decision = orbit.startRun().guard({ tool: 'update', confidence: 0.8 });
    expect(decision.decision).toBe('pause');
    expectReason(decision.reasons, 'below_tool_threshold');
  });

  it('pauses an irreversible write at level 3 and logs it at level 4', async () => {
    const three = (await orbitOf({ maturity_level: 3 })).orbit
      .startRun()
      .guard({ tool: 'send', confidence: 0.95 });
    expect(three.decision).toBe('pause');
    expectReason(three.reasons, 'irreversible_action');
    const four = (await orbitOf({ maturity_level: 4 })).orbit
      .startRun()
      .guard({ tool: 'send', confidence: 0.95 });
    expect(four.decision).toBe('proceed_with_log');
  });

  it('pauses an irreversible write below threshold at level 4 for a person to review, who can approve it', async () => {
    const run = (await orbitOf({ maturity_level: 4 })).orbit.startRun();
    const decision = run.guard({ tool: 'send', confidence: 0.8, args: { id: 'PAY-1' } });
    expect(decision.decision).toBe('pause');
    expectReason(decision.reasons, 'irreversible_below_threshold');
    const answered = run.answer(decision.approval!.approval_id, {
      type: 'approve',
      action_hash: decision.approval!.action_hash,
      approver: 'ann',
    });
    expect(answered.decision.decision).toBe('proceed_with_log');
  });

  it('blocks every irreversible write at level 2, with a reason that promises no approval', async () => {
    const run = (await orbitOf({ maturity_level: 2 })).orbit.startRun();
    for (const confidence of [0.5, 0.8, 0.99]) {
      const decision = run.guard({ tool: 'send', confidence });
      expect(decision.decision).toBe('block');
      expect(decision.approval).toBeUndefined();
      expectReason(decision.reasons, 'maturity_level_blocks_irreversible');
      expect(decision.reasons).not.toContain('maturity_level_requires_approval');
    }
  });

  it('pauses every write at level 1', async () => {
    const decision = (await orbitOf({ maturity_level: 1 })).orbit
      .startRun()
      .guard({ tool: 'draft', confidence: 0.99 });
    expect(decision.decision).toBe('pause');
    expectReason(decision.reasons, 'maturity_level_requires_approval');
  });

  it('keeps every reason that fired, the most severe decision winning', async () => {
    const { orbit } = await orbitOf({
      maturity_level: 4,
      interruption_policy: { confidence_floor: 0.72, max_records_per_call: 1 },
    });
    const decision = orbit.startRun().guard({ tool: 'send', confidence: 0.5, records: 2 });
    expect(decision.decision).toBe('pause');
    expect(decision.reasons).toEqual([
      'records_per_call_exceeded',
      'confidence_below_floor',
      'irreversible_below_threshold',
    ]);
    const blocked = (
      await orbitOf({ maturity_level: 2, interruption_policy: { confidence_floor: 0.72 } })
    ).orbit
      .startRun()
      .guard({ tool: 'send', confidence: 0.5 });
    expect(blocked.decision).toBe('block');
    expect(blocked.reasons).toEqual([
      'confidence_below_floor',
      'irreversible_action',
      'maturity_level_blocks_irreversible',
    ]);
  });

  it('stamps the manifest digest on every decision', async () => {
    const { orbit, manifest } = await orbitOf();
    const run = orbit.startRun();
    for (const tool of ['read', 'update', 'merge'])
      expect(run.guard({ tool, confidence: 0.9 }).manifest_digest).toBe(manifest.digest);
  });
});

describe('approvals add their own codes', () => {
  it('records approval_denied and approval_timeout', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const first = run.guard({ tool: 'update', confidence: 0.8, args: { id: 1 } });
    const denied = run.answer(first.approval!.approval_id, {
      type: 'deny',
      action_hash: first.approval!.action_hash,
      approver: 'ann',
    });
    expectReason(denied.decision.reasons, 'approval_denied');
    const second = run.guard({ tool: 'update', confidence: 0.8, args: { id: 2 } });
    expectReason(run.expireApproval(second.approval!.approval_id).reasons, 'approval_timeout');
  });

  it('records no_approval_handler when run.execute pauses with nobody to ask', async () => {
    const { orbit } = await orbitOf();
    const result = await orbit.startRun().execute(countingTool('update'), { id: 'a', confidence: 0.8 });
    expectReason(result.decision.reasons, 'no_approval_handler');
  });

  it('records approval_handler_failed when the approval handler throws', async () => {
    const { orbit } = await orbitOf(
      {},
      {
        approvalHandler: () => {
          throw new Error('review queue down');
        },
      },
    );
    const result = await orbit.startRun().execute(countingTool('update'), { id: 'a', confidence: 0.8 });
    expectReason(result.decision.reasons, 'approval_handler_failed');
  });
});

describe('coverage of the reason codes', () => {
  it('has a test above for every reason code of the gate', () => {
    expect(GATE_REASON_CODES.filter((code) => !covered.has(code))).toEqual([]);
  });
});
