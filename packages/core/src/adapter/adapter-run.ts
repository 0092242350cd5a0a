import type { Run } from '../run/run.js';

/**
 * The adapter protocol: what an adapter does with a run for each tool call of its framework. The
 * call handler (`handleCall`) follows it; an adapter that cannot use the handler follows it itself.
 *
 * 1. `guard` (in memory) or `guardAsync` (when `usesStore`) with the framework's call id: the
 *    decision. A call id presented again gets its recorded decision (a framework re-running a node);
 *    a call that ran gets `block` with `already_executed`.
 * 2. On `pause`: raise the framework's own pause with `decision.approval`; apply the answer with
 *    `resolveApproval` (bound to the action hash; the first answer wins, across processes on a
 *    store; an answer after the timeout is a timeout). A hash mismatch leaves the request pending:
 *    ask again.
 * 3. A call answered before and presented again runs with `answeredArgs(callId)`.
 * 4. Run the tool through `perform(decision, invoke, { undo, approval, suspends })`: a halt throws
 *    `RunHaltedError`, a block returns the refusal, the tool runs at most once and its outcome is
 *    recorded once.
 * 5. Feed the framework's token usage to `recordUsage` (once per model response).
 * 6. Delegation: `delegate` mints a scoped token and opens the sub-agent's run; `end` it when done;
 *    a person's `stop_run` inside a sub-agent stops the root (`root.stop()`).
 */
export type AdapterRun = Pick<
  Run,
  | 'id'
  | 'agentId'
  | 'depth'
  | 'root'
  | 'usesStore'
  | 'hasEnded'
  | 'halted'
  | 'guard'
  | 'guardAsync'
  | 'recall'
  | 'resolveApproval'
  | 'answeredArgs'
  | 'perform'
  | 'recordUsage'
  | 'delegate'
  | 'end'
  | 'stop'
>;
