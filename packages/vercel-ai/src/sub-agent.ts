import type { Run } from '@orbit-agents/core';
import { ApprovalError, toRefusal } from '@orbit-agents/core';
import {
  delegateOnce,
  haltOf,
  isRefusal,
  type SubAgentOptions as KitSubAgentOptions,
  runDelegated,
  stoppedByPerson,
} from '@orbit-agents/core/adapter';
import {
  ApprovalAnswerInvalidError,
  ApprovalUnknownError,
  OptionsInvalidError,
} from '@orbit-agents/core/errors';
import type { ModelMessage, Tool, ToolApprovalStatus, ToolSet } from 'ai';
import { z } from 'zod';
import type { AiResult } from './call.js';
import { type HistoryCall, type HistoryRequest, openRequests } from './history.js';
import type { Invocation, ToolOutput } from './invocation.js';
import type { OrbitAi, PendingApproval } from './orbit-ai.js';
import { asTheSdkSends, permissive } from './tool-entry.js';
import { ToolRefusedError } from './tool-refused-error.js';

/** What a sub-agent tool needs of an agent: `generate` (a `ToolLoopAgent` made with `orbitAi.agent`). */
export interface GeneratingAgent {
  /** The agent's tools (a `ToolLoopAgent` has them): pending approvals of its own sub-agents are found there. */
  readonly tools?: ToolSet;
  generate(params: { messages: ModelMessage[]; abortSignal?: AbortSignal; options: undefined }): PromiseLike<{
    text: string;
    content: readonly unknown[];
    responseMessages: readonly ModelMessage[];
  }>;
}

/** How a sub-agent is delegated to: a manifest profile, and how its input and output are made. */
export interface SubAgentOptions<Input> extends KitSubAgentOptions<Input> {
  /** The tool description the parent's model sees. */
  description: string;
  /** The tool's input schema. Default `{ task: string }`. */
  inputSchema?: z.ZodObject;
  /** The sub-agent's prompt for a call. Default: the `task` argument. */
  prompt?: (input: Input) => string;
  /** What the parent's model reads when the sub-agent is done. Default: its final text. */
  output?: (result: { text: string }) => unknown;
}

/** One delegating call: the sub-agent's run and conversation, and where it stands. */
interface Delegation {
  readonly child: Run;
  messages: ModelMessage[];
  /** The sub-agent's own approval requests nobody answered yet (the first surfaces on the delegating call). */
  pending?: HistoryRequest[];
  done?: AiResult;
  /** The sub-agent is running: a concurrent resume waits for it. */
  busy?: Promise<void>;
}

/** The sub-agent stopped on an approval request: not an error, the delegation waits for the answer. */
class ChildPaused extends Error {
  constructor(readonly messages: ModelMessage[]) {
    super('the sub-agent waits for an approval');
  }
}

const TASK = z.object({ task: z.string().describe('What the sub-agent should do.') });

/**
 * A tool whose calls delegate to a sub-agent: a scoped token is minted for it from its manifest
 * profile (once per call), and it runs under that token. The sub-agent runs when ORBIT decides the
 * delegating call (in `toolApproval`), so that its approval request surfaces as the SDK's own request
 * on the delegating call, and the answer resumes the sub-agent: the SDK's documented gap, closed.
 */
export class SubAgentTool {
  /** The tool the application passes in `tools`; the binding swaps in a bound one per call. */
  readonly tool: Tool;
  private readonly calls = new WeakMap<Run, Map<string, Delegation>>();
  private readonly schema: z.ZodObject;
  private facing: ReturnType<typeof permissive> | undefined;

  constructor(
    private readonly binding: OrbitAi,
    private readonly agent: GeneratingAgent,
    private readonly spec: SubAgentOptions<Record<string, unknown>>,
  ) {
    if (!binding.agents.has(agent as object)) {
      throw new OptionsInvalidError(
        `The sub-agent of profile "${spec.profile}" was not made with orbitAi.agent(...): its tools would run unguarded. Make it with the same binding.`,
      );
    }
    this.schema = spec.inputSchema ?? TASK;
    this.tool = { description: spec.description, inputSchema: this.schema } as Tool;
  }

  /** The tool for one invocation: the model sees its schema with confidence; `execute` gives the sub-agent's result. */
  bind(invocation: Invocation): Tool {
    // Made once: converting the schema costs more than the SDK's own tool call.
    this.facing ??= permissive(asTheSdkSends(this.binding.orbit.confidence.modelInputSchema(this.schema)));
    return {
      description: this.spec.description,
      inputSchema: this.facing,
      execute: async (_input: unknown, options: { toolCallId: string }) => {
        invocation.throwIfHalted();
        const delegation = this.callsOf(invocation.run).get(options.toolCallId);
        await delegation?.busy;
        if (!delegation?.done) {
          throw new OptionsInvalidError(
            delegation?.pending
              ? `Sub-agent "${this.spec.profile}" paused again after an answer; the SDK raises one request per call, so its new request is not run (it is left unanswered in ORBIT). Delegate again to go on.`
              : 'The sub-agent tool ran without ORBIT deciding it: spread orbitAi.settings(...) into the call.',
          );
        }
        if (delegation.done.ok) return delegation.done.output;
        throw delegation.done.error;
      },
    } as Tool;
  }

  /** The SDK's approval status of a delegating call: delegates (once) and runs the sub-agent until it is done or paused. */
  async approval(invocation: Invocation, call: HistoryCall): Promise<ToolApprovalStatus> {
    const calls = this.callsOf(invocation.run);
    let delegation = calls.get(call.toolCallId);
    if (!delegation) {
      const { args } = this.binding.orbit.confidence.read(call.input);
      const parsed = this.schema.safeParse(args);
      if (!parsed.success) {
        // Nothing is delegated for a call the tool's own schema refuses: no token, no sub-agent run.
        const problems = parsed.error.issues.map(
          (issue) => `input.${issue.path.join('.')}: ${issue.message}`,
        );
        return {
          type: 'denied',
          reason: `ORBIT did not delegate to "${this.spec.profile}" (input_invalid). ${problems.join('; ')}`,
        };
      }
      const input = parsed.data as Record<string, unknown>;
      let delegated: Awaited<ReturnType<typeof delegateOnce>>;
      try {
        delegated = await delegateOnce(
          this.binding.registry,
          invocation.run,
          `call:${call.toolCallId}`,
          this.spec,
          input,
        );
      } catch (error) {
        const halt = haltOf(error);
        if (halt) invocation.stop(halt);
        throw error;
      }
      if (isRefusal(delegated)) return { type: 'denied', reason: delegated.message };
      const prompt = this.spec.prompt?.(input) ?? String(input.task ?? JSON.stringify(input));
      delegation = { child: delegated, messages: [{ role: 'user', content: prompt }] };
      calls.set(call.toolCallId, delegation);
      await this.step(delegation, undefined, invocation);
    }
    await delegation.busy;
    const pending = delegation.pending ?? [];
    if (pending.length === 0) return 'not-applicable';
    const reasons = pending.map((request) => request.reason ?? `"${request.call.toolName}" needs approval`);
    const lead = pending.length === 1 ? '' : `${pending.length} calls, answered together: `;
    return { type: 'user-approval', reason: `Sub-agent "${this.spec.profile}": ${lead}${reasons.join(' ')}` };
  }

  /**
   * Applies the answer delivered for a delegating call to the sub-agent's request, and resumes it. A
   * person's denial is the sub-agent's (it goes on without that call): the parent's model then reads
   * the sub-agent's result, not the SDK's `execution-denied`.
   */
  async answer(invocation: Invocation, call: HistoryCall, response: Record<string, unknown>): Promise<void> {
    const delegation = this.callsOf(invocation.run).get(call.toolCallId);
    if (!delegation) {
      throw new ApprovalUnknownError(
        'ERR_APPROVAL_UNKNOWN',
        `The messages answer a request on delegating call "${call.toolCallId}", but this process did not delegate it (a sub-agent's pause does not survive a restart).`,
        String(response.approvalId),
      );
    }
    await delegation.busy;
    const pending = delegation.pending;
    if (!pending) return; // answered before (a resume delivered twice): its result stands
    const orbit = (response.orbit ?? {}) as Record<string, unknown>;
    if (pending.length > 1 && orbit.args !== undefined) {
      throw new ApprovalAnswerInvalidError(
        'ERR_APPROVAL_ANSWER_INVALID',
        `Sub-agent "${this.spec.profile}" paused ${pending.length} calls in one step, answered together: an edit (orbit.args) changes one call; approve or deny them.`,
        String(response.approvalId),
      );
    }
    const approver = invocation.approver === undefined ? {} : { approver: invocation.approver };
    // The answer, shown as the first call's request, answers each call of the step: the first bound to the
    // hash the client gave, the others to their own (the person saw them in the batch).
    const hashes = pending.length > 1 ? await this.hashesOf(delegation) : new Map<string, string>();
    const responses = pending.map((request, i) => ({
      ...response,
      approvalId: request.approvalId,
      orbit: { ...orbit, ...approver, ...(i === 0 ? {} : { action_hash: hashes.get(request.approvalId) }) },
    }));
    delegation.pending = undefined;
    try {
      await this.step(delegation, responses, invocation);
    } catch (error) {
      // A refused answer (another hash, a malformed one): the sub-agent's requests stay pending.
      if (ApprovalError.isInstance(error)) delegation.pending = pending;
      throw error;
    }
    if (response.approved === false && delegation.done) {
      invocation.remember(call.toolCallId, outputOf(delegation.done));
    }
  }

  /** The action hashes of the sub-agent's pending requests, by the SDK's approval id, as ORBIT recorded them. */
  private async hashesOf(delegation: Delegation): Promise<Map<string, string>> {
    const inner = await this.binding.pendingIn(delegation.child, delegation.messages, this.agent.tools ?? {});
    return new Map(inner.map((each) => [each.approvalId, each.orbit.action_hash]));
  }

  /**
   * The sub-agent's pending ORBIT approvals behind a delegating call of `run`: the first, and the rest
   * of its step in `batch` (one answer answers them all).
   */
  async pendingBehind(
    run: Run,
    toolCallId: string,
  ): Promise<Pick<PendingApproval, 'orbit' | 'batch'> | undefined> {
    const delegation = this.callsOf(run).get(toolCallId);
    if (!delegation?.pending) return undefined;
    const inner = await this.binding.pendingIn(delegation.child, delegation.messages, this.agent.tools ?? {});
    const [first, ...rest] = inner;
    if (!first) return undefined;
    return { orbit: first.orbit, ...(rest.length > 0 ? { batch: rest.map((each) => each.orbit) } : {}) };
  }

  /** Runs (or resumes) the sub-agent under its delegated run until it is done or paused. */
  private step(
    delegation: Delegation,
    responses: Record<string, unknown>[] | undefined,
    invocation: Invocation,
  ) {
    const messages: ModelMessage[] = responses
      ? [...delegation.messages, { role: 'tool', content: responses as never }]
      : delegation.messages;
    const run = async () => {
      try {
        const result = await runDelegated(
          this.binding.registry,
          delegation.child,
          async () => {
            const result = await this.agent.generate({
              messages,
              abortSignal: invocation.controller.signal,
              options: undefined, // a sub-agent's run is its delegation's, not a thread's
            });
            const all = [...messages, ...result.responseMessages];
            if (openRequests(all).length > 0) throw new ChildPaused(all);
            return result;
          },
          // A paused sub-agent, or an answer it refused, leaves its run open for the next answer.
          (error) => error instanceof ChildPaused || ApprovalError.isInstance(error),
        );
        delegation.done = { ok: true, output: this.spec.output ? this.spec.output(result) : result.text };
      } catch (error) {
        if (error instanceof ChildPaused) {
          delegation.messages = error.messages;
          delegation.pending = openRequests(error.messages);
          return;
        }
        if (ApprovalError.isInstance(error)) throw error;
        const halt = haltOf(error);
        // A person's stop_run inside the sub-agent stops the whole run (runDelegated stopped the root).
        if (halt && stoppedByPerson(halt)) {
          invocation.stop(halt);
          throw halt;
        }
        // A policy halt, or a failure, ends the sub-agent only: the parent's model is told.
        delegation.done = {
          ok: false,
          error: halt ? new ToolRefusedError({ ...toRefusal(halt.decision), message: halt.message }) : error,
        };
      }
    };
    const busy = run();
    delegation.busy = busy.catch(() => undefined);
    return busy;
  }

  private callsOf(run: Run): Map<string, Delegation> {
    let calls = this.calls.get(run);
    if (!calls) {
      calls = new Map();
      this.calls.set(run, calls);
    }
    return calls;
  }
}

/** What the parent's model reads for a finished delegation. */
function outputOf(done: AiResult): ToolOutput {
  if (done.ok)
    return {
      type: 'text',
      value: typeof done.output === 'string' ? done.output : JSON.stringify(done.output),
    };
  return { type: 'error-text', value: done.error instanceof Error ? done.error.message : String(done.error) };
}
