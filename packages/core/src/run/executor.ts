import { performance } from 'node:perf_hooks';
import type { ApprovalRequest } from '../approvals/approval.js';
import { ArgumentInvalidError, CallDuplicateError, describeInputError } from '../errors.js';
import { isWrite } from '../gate/tier.js';
import { context as otelContext, trace } from '../telemetry/telemetry.js';
import { takeStoredAnswer } from './approval-desk.js';
import { awaitApproval } from './approval-wait.js';
import { snapshotArgs } from './args-snapshot.js';
import { guard, guardAsync } from './call-gate.js';
import { type Decision, toRefusal } from './decision.js';
import { askReversibility, type ToolContext, type ToolDefinition } from './define-tool.js';
import { type CallResult, type GuardRequest, runs } from './guard-request.js';
import { adoptApproval } from './recovery.js';
import { countIrreversible } from './run-alerts.js';
import type { RunCore } from './run-core.js';
import { RunHaltedError } from './run-halted-error.js';
import { claim, persistExecuted } from './store-gate.js';

/** How a call the framework runs ends (see `Run.perform`). */
export interface PerformOptions<Output> {
  undo?: (output: Output) => unknown;
  approval?: ApprovalRequest;
  /**
   * Errors that suspend the call rather than end it (a framework's interrupt from inside a
   * sub-agent): no outcome is recorded, the error is rethrown, and the call may be performed again.
   */
  suspends?: (error: unknown) => boolean;
}

/** The outcome of a call the adapter ran itself (see `Run.recordOutcome`). */
export interface Outcome {
  status: 'executed' | 'error' | 'not_executed';
  output?: unknown;
  error?: unknown;
  elapsedMs?: number;
  undo?: () => unknown;
}

/** The whole flow for a tool ORBIT knows (see `Run.execute`). */
export async function execute<Input, Output>(
  run: RunCore,
  tool: ToolDefinition<Input, Output>,
  rawArgs: unknown,
  options: { callId?: string; tokens?: number } = {},
): Promise<CallResult<Output>> {
  const existing = options.callId === undefined ? undefined : run.book.calls.get(options.callId);
  if (existing && (existing.outcome || existing.running))
    throw new CallDuplicateError(run.id, options.callId!);
  // The raw arguments are read once into plain data before the confidence and the schema see them:
  // what cannot be read is refused (`input_unsupported`), with its decision recorded.
  const raw = snapshotArgs(rawArgs);
  const request = raw.ok ? requestOf(run, tool, raw.args, options) : unreadable(tool, rawArgs, options);
  let decision = run.settings.store
    ? await guardAsync(run, request, raw.ok ? undefined : raw)
    : guard(run, request, raw.ok ? undefined : raw);
  const record = run.book.calls.get(decision.call_id)!;
  if (record.running || record.outcome) throw new CallDuplicateError(run.id, decision.call_id);
  // The tool gets the arguments as the gate read them (and hashed them), not a second read.
  let input = record.args as Input;
  // Until its outcome is recorded, the call is neither forgotten nor run a second time.
  run.book.markRunning(decision.call_id, record);
  const approval = decision.approval;
  if (approval) {
    const answered = await awaitApproval(run, approval, tool);
    input = answered.args as Input;
    decision = await claim(run, approval, answered.decision);
  }
  return runCall(run, tool, input, decision, approval);
}

/** The guard request of a tool ORBIT knows: the confidence read, the input validated, its records and resource. */
function requestOf<Input, Output>(
  run: RunCore,
  tool: ToolDefinition<Input, Output>,
  rawArgs: unknown,
  options: { callId?: string; tokens?: number },
): GuardRequest {
  const { confidence, args } = run.settings.confidence.read(rawArgs);
  const parsed = tool.input.safeParse(args);
  const input = (parsed.success ? parsed.data : args) as Input;
  return {
    tool: tool.name,
    args: input,
    confidence,
    inputError: parsed.success ? undefined : describeInputError(parsed.error),
    callId: options.callId,
    tokens: options.tokens,
    records: parsed.success ? (tool.records?.(input) ?? 0) : 0,
    resource: parsed.success ? tool.resource?.(input) : undefined,
    reversibility: parsed.success ? askReversibility(tool, input, run.settings.now()) : undefined,
  };
}

/** The guard request of a call whose raw arguments cannot be read: nothing of them is trusted. */
function unreadable(
  tool: { readonly name: string },
  rawArgs: unknown,
  options: { callId?: string; tokens?: number },
): GuardRequest {
  return { tool: tool.name, args: rawArgs, callId: options.callId, tokens: options.tokens };
}

/** The end of a call whose tool the framework runs (see `Run.perform`). At most once per call. */
export function perform<Output>(
  run: RunCore,
  given: Decision,
  invoke: () => Output | Promise<Output>,
  options: PerformOptions<Output> = {},
): Promise<CallResult<Output>> {
  let decision = given;
  const record = run.book.calls.get(decision.call_id);
  if (!record)
    return Promise.reject(
      new ArgumentInvalidError(
        `No decision is recorded for call "${decision.call_id}" in run "${run.id}"; guard it first.`,
      ),
    );
  // The run's record decides: a caller may refuse more than was decided, never run what was not allowed.
  const recorded = record.effective ?? record.decision;
  if (runs(decision) && !runs(recorded)) decision = recorded;
  const proceeds = runs(decision);
  // A refusal or a halt is reported as often as it is presented; a call runs at most once.
  if (proceeds && (record.outcome || record.running))
    return Promise.reject(new CallDuplicateError(run.id, decision.call_id));
  if (!proceeds && record.running) {
    // Presented again while it runs (a concurrent replay): refused, and the running call's outcome stands.
    if (decision.decision === 'halt') return Promise.reject(new RunHaltedError(decision));
    return Promise.resolve({ status: 'refused', refusal: toRefusal(decision), decision });
  }
  if (proceeds) run.book.markRunning(decision.call_id, record);
  const { undo } = options;
  const tool: ToolDefinition<undefined, Output> = {
    name: decision.tool,
    input: undefined as never,
    execute: () => invoke(),
    ...(undo ? { undo: (_input: undefined, output: Output) => undo(output) } : {}),
  };
  return runCall(
    run,
    tool,
    undefined,
    decision,
    options.approval ?? record.decision.approval,
    options.suspends,
  );
}

/** Runs, exactly once across every process, the calls approved while nobody was waiting (see `Run.resumeApproved`). */
export async function resumeApproved(run: RunCore, tools: readonly ToolDefinition[]): Promise<CallResult[]> {
  const store = run.settings.store;
  if (!store) return [];
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const results: CallResult[] = [];
  const answered = await store.listApprovals(run.root.id, {
    runId: run.id,
    statuses: ['approved', 'edited'],
  });
  for (const stored of answered) {
    const tool = byName.get(stored.request.tool);
    if (!tool) continue;
    adoptApproval(run, stored);
    const taken = await takeStoredAnswer(run, stored, tool);
    const decision = await claim(run, stored.request, taken.decision);
    const input = run.book.calls.get(stored.request.call_id)!.args;
    results.push(await runCall(run, tool, input, decision, stored.request));
  }
  return results;
}

/** Records the outcome of a call the adapter ran itself, exactly once per call (see `Run.recordOutcome`). */
export function recordOutcome(run: RunCore, callId: string, outcome: Outcome): void {
  const record = run.book.calls.get(callId);
  if (!record || record.outcome) return;
  record.outcome = true;
  run.book.calls.unpin(callId);
  const decision = record.effective ?? record.decision;
  if (outcome.status === 'executed' && decision.reversibility === 'irreversible')
    countIrreversible(run, decision, record.span);
  // Reads and escalations have nothing to undo: only writes are kept for rollback.
  if (outcome.status === 'executed' && isWrite(decision.reversibility)) {
    run.ledger.keep(
      {
        callId,
        tool: decision.tool,
        reversibility: decision.reversibility,
        resource: record.resource,
        undo: outcome.undo,
      },
      run.settings.maxTrackedCalls,
    );
  }
  run.recorder.outcome(record, decision, outcome);
}

/** The end of every executed call: refuse, halt or run the tool, and record the outcome. */
async function runCall<Input, Output>(
  run: RunCore,
  tool: ToolDefinition<Input, Output>,
  input: Input,
  decided: Decision,
  approval: ApprovalRequest | undefined,
  suspends?: (error: unknown) => boolean,
): Promise<CallResult<Output>> {
  let decision = decided;
  const callId = decision.call_id;
  const withApproval = approval ? { approval } : {};
  const record = run.book.calls.get(callId);
  // The kill switch reaches calls decided before it: a run (or an ancestor) halted since, runs nothing.
  if (record && runs(decision) && run.lineage.some((each) => each.halted))
    decision = run.refuse(record, 'halt', 'run_halted');
  if (decision.decision === 'halt') {
    recordOutcome(run, callId, { status: 'not_executed' });
    throw new RunHaltedError(decision);
  }
  if (!runs(decision)) {
    recordOutcome(run, callId, { status: 'not_executed' });
    return { status: 'refused', refusal: toRefusal(decision), decision, ...withApproval };
  }
  const context: ToolContext = { runId: run.id, callId, agentId: run.agentId };
  const started = performance.now();
  try {
    // Without a tracer (an invalid span context) there is no span to make active: skip the context switch.
    const output =
      record && run.traced
        ? await otelContext.with(trace.setSpan(otelContext.active(), record.span), () =>
            tool.execute(input, context),
          )
        : await tool.execute(input, context);
    const undo = tool.undo ? () => tool.undo!(input, output, context) : undefined;
    recordOutcome(run, callId, { status: 'executed', output, elapsedMs: performance.now() - started, undo });
    if (run.settings.store) await persistExecuted(run, decision, approval, { status: 'executed', output });
    return { status: 'executed', output, decision, ...withApproval };
  } catch (error) {
    if (suspends?.(error)) {
      if (record) record.running = false;
      throw error;
    }
    recordOutcome(run, callId, { status: 'error', error, elapsedMs: performance.now() - started });
    if (run.settings.store) await persistExecuted(run, decision, approval, { status: 'error' });
    return { status: 'error', error, decision, ...withApproval };
  }
}
