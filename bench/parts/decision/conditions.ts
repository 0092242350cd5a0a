// Issue 14's benchmark: a decision on a tool with five compiled argument conditions (CEL, in the manifest),
// next to the same tool without conditions and next to Cedar deciding the same request from an equivalent
// policy set (the five conditions as `when` clauses over the request's context).
import { statefulIsAuthorized } from '@cedar-policy/cedar-wasm/nodejs';
import { loadManifest } from '@orbit-agents/core';
import { compilePolicy, decide, type GateRequest, MemoryLedger } from '@orbit-agents/core/gate';
import type { CheckedCase } from './cases.js';
import { allows } from './cedar.js';

/** A refund tool with five conditions, and the same tool without them (the cost the conditions add). */
export const CONDITIONS_MANIFEST = `
agent_id: "bench-refunds"
owner_team: "#bench"
deployed_at: "2026-05-01T09:00:00Z"
task_scope: "Benchmark argument conditions"
maturity_level: 3
allowed_tools:
  - name: "refund_order"
    max_calls_per_run: 1000000000
    reversibility: "partial"
    confidence_threshold: 0.88
    conditions:
      - name: "large_refund"
        pause_when: "args.amount > 500"
      - name: "known_currency"
        require: "args.currency in ['USD', 'EUR']"
      - name: "order_id_format"
        require: "args.order_id.startsWith('#W')"
      - name: "reason_given"
        require: "has(args.reason)"
      - name: "few_items"
        block_when: "args.items > 10"
  - name: "refund_order_plain"
    max_calls_per_run: 1000000000
    reversibility: "partial"
    confidence_threshold: 0.88
interruption_policy:
  confidence_floor: 0.72
  max_tokens_per_run: 1000000000000
  max_records_touched_per_run: 1000000000000
  time_limit_minutes: 1000000
`;

/** The same rules in Cedar: the refund is permitted only when no condition stops it (a pause is a deny). */
export const CEDAR_CONDITIONS = `
permit (principal == Agent::"bench-refunds", action == Action::"refund_order", resource)
  when {
    context.confidence.greaterThanOrEqual(decimal("0.8800")) &&
    context.amount <= 500 &&
    ["USD", "EUR"].contains(context.currency) &&
    context.order_id like "#W*" &&
    context has reason &&
    context.items <= 10
  };
`;

/** One refund request: its arguments and confidence. */
export interface RefundRequest {
  readonly args: {
    amount: number;
    currency: string;
    order_id: string;
    reason?: string;
    items: number;
  };
  readonly confidence: number;
}

/** The timed request: every condition holds, so it runs. */
export const REFUND: RefundRequest = {
  args: { amount: 120, currency: 'USD', order_id: '#W1234567', reason: 'damaged', items: 2 },
  confidence: 0.95,
};

/** Requests on which ORBIT (`proceed` = allow) and Cedar must agree, one per condition that stops a call. */
export const CONDITION_EQUIVALENCE: readonly RefundRequest[] = [
  REFUND,
  { ...REFUND, args: { ...REFUND.args, amount: 501 } },
  { ...REFUND, args: { ...REFUND.args, amount: 500 } },
  { ...REFUND, args: { ...REFUND.args, currency: 'GBP' } },
  { ...REFUND, args: { ...REFUND.args, order_id: 'W1234567' } },
  { ...REFUND, args: { amount: 120, currency: 'USD', order_id: '#W1234567', items: 2 } },
  { ...REFUND, args: { ...REFUND.args, items: 11 } },
  { ...REFUND, confidence: 0.8 },
];

/** The gate's request for a refund call (`tool`: with or without the conditions). */
const gateRequest = (request: RefundRequest, tool = 'refund_order'): GateRequest => ({
  tool,
  confidence: request.confidence,
  records: 0,
  resource: undefined,
  approved: false,
  args: request.args,
});

/** The Cedar request for a refund call; the arguments are the context (integers are Cedar `Long`s). */
function cedarCall(request: RefundRequest) {
  return {
    principal: { type: 'Agent', id: 'bench-refunds' },
    action: { type: 'Action', id: 'refund_order' },
    resource: { type: 'Order', id: request.args.order_id },
    context: {
      ...request.args,
      confidence: { __extn: { fn: 'decimal', arg: request.confidence.toFixed(4) } },
    },
    entities: [] as [],
    preparsedPolicySetId: CONDITIONS_POLICY_SET,
  };
}

/** The id the conditions' Cedar policy set is pre-parsed under. */
export const CONDITIONS_POLICY_SET = 'orbit-bench-conditions';

/** The cases' names. */
export const CONDITION_CASE = {
  decide: 'decide, five compiled conditions (proceed)',
  plain: 'decide, the same tool without conditions (proceed)',
  cedar: 'Cedar statefulIsAuthorized, the five conditions (pre-parsed, allow)',
} as const;

/**
 * Pre-parses the Cedar set, loads the manifest, checks that ORBIT and Cedar agree on every request of
 * {@link CONDITION_EQUIVALENCE}, and returns the three timed cases and the agreement table (Markdown).
 *
 * @throws Error when a decider disagrees, or a set does not parse.
 */
export async function conditionCases(preparse: (id: string, policies: string) => void) {
  preparse(CONDITIONS_POLICY_SET, CEDAR_CONDITIONS);
  const loaded = await loadManifest({
    manifest: CONDITIONS_MANIFEST,
    allowUnsigned: true,
    logger: { warn() {} },
  });
  const policy = compilePolicy(loaded);
  const state = new MemoryLedger(Date.now);
  const rows = ['| arguments | confidence | ORBIT | Cedar |', '| --- | ---: | --- | --- |'];
  for (const request of CONDITION_EQUIVALENCE) {
    const verdict = decide(policy, gateRequest(request), state);
    const cedar = allows(statefulIsAuthorized(cedarCall(request)));
    if ((verdict.decision === 'proceed') !== cedar) {
      throw new Error(
        `bench setup: ORBIT (${verdict.decision}) and Cedar (${cedar ? 'allow' : 'deny'}) disagree on ${JSON.stringify(request)}`,
      );
    }
    const reasons = verdict.reasons.length ? ` (${verdict.reasons.join(', ')})` : '';
    rows.push(
      `| \`${JSON.stringify(request.args)}\` | ${request.confidence} | ${verdict.decision}${reasons} | ${cedar ? 'allow' : 'deny'} |`,
    );
  }
  const refund = gateRequest(REFUND);
  const plain = gateRequest(REFUND, 'refund_order_plain');
  const call = cedarCall(REFUND);
  const proceeds = (verdict: unknown) => (verdict as { decision: string }).decision === 'proceed';
  const cases: CheckedCase[] = [
    { name: CONDITION_CASE.decide, op: () => decide(policy, refund, state), check: proceeds },
    { name: CONDITION_CASE.plain, op: () => decide(policy, plain, state), check: proceeds },
    {
      name: CONDITION_CASE.cedar,
      op: () => statefulIsAuthorized(call),
      perCall: true,
      check: (answer) => allows(answer as Parameters<typeof allows>[0]),
    },
  ];
  return { cases, table: rows.join('\n') };
}
