import type { Orbit, Run, ToolDefinition } from '@orbit-agents/core';
import {
  checkResourceHint,
  decideCall,
  RunRegistry,
  recallCall,
  type ToolHints,
} from '@orbit-agents/core/adapter';
import { ApprovalAnswerInvalidError, OptionsInvalidError } from '@orbit-agents/core/errors';
import {
  gateway,
  type LanguageModel,
  type ModelMessage,
  type PrepareStepFunction,
  tool as sdkTool,
  type Tool,
  type ToolApprovalStatus,
  type ToolLoopAgent,
  type ToolSet,
} from 'ai';
import { type OrbitAgentSettings, type OrbitCallOptions, orbitAgent } from './agent.js';
import { type AiResult, callOf } from './call.js';
import { checkMessages, checkModel, checkTools } from './check-input.js';
import { applyAnswers, neverDecided, statusOf } from './decisions.js';
import { guardedTool } from './guarded-tool.js';
import { answerProblem, openRequests } from './history.js';
import { Invocation, type ToolOutput, type ToolTable } from './invocation.js';
import { details, type OrbitApprovalDetails } from './pending.js';
import { type GeneratingAgent, type SubAgentOptions, SubAgentTool } from './sub-agent.js';
import { fromDefinition, fromSdkTool, type ToolEntry } from './tool-entry.js';
import { countingUsage } from './usage.js';

export type { ToolHints };

export interface OrbitAiOptions {
  /** Hints for SDK tools guarded by name: `records`, `resource` (required for a manifest tool with `resources`) and `undo`. */
  tools?: Record<string, ToolHints>;
  /** Who answered, when a `tool-approval-response` does not say (`orbit.approver`). Default `ai-sdk:tool-approval-response`. */
  approver?: string;
  /** How many executed calls per run keep their result, to answer a resume delivered twice. Default 1000. */
  replayCache?: number;
  /**
   * The SDK's approval signing (`experimental_toolApprovalSecret`): each request is HMAC-signed, and a
   * continuation whose request was tampered with (other input, a stripped signature) is refused by the
   * SDK. ORBIT binds answers to the action hash in any case. Use a secret of 32 bytes or more.
   */
  approvalSecret?: string | Uint8Array;
}

/** What `settings()` takes: the thread (one ORBIT run per conversation), the model and the tools. */
export interface OrbitCallInput<TOOLS extends ToolSet> {
  /** The conversation's id: one ORBIT run per thread, its budgets and approvals carried over every call. Omit it inside a sub-agent. */
  threadId?: string;
  model: LanguageModel;
  tools: TOOLS;
  /** The application's own abort signal: either stops the call. */
  abortSignal?: AbortSignal;
  /**
   * Who answers the approvals this call delivers, as the server knows them (the signed-in user). When
   * set, a client's `orbit.approver` is not read: the client does not name the approver.
   */
  approver?: string;
  /** The application's own `prepareStep`, run after ORBIT's. */
  prepareStep?: PrepareStepFunction<NoInfer<TOOLS>>;
  /**
   * The conversation, when it is given here: the answers it delivers are checked before the SDK
   * reads them (a malformed `tool-approval-response` is refused naming the field) and passed on.
   */
  messages?: ModelMessage[];
}

/** What to spread into `generateText` / `streamText`: ORBIT's model, tools, approval policy, step hook and abort signal. */
export interface OrbitCallSettings<TOOLS extends ToolSet> {
  model: LanguageModel;
  tools: TOOLS;
  toolApproval: (options: {
    toolCall: { toolName: string; toolCallId: string; input: unknown };
    messages: ModelMessage[];
  }) => Promise<ToolApprovalStatus>;
  prepareStep: PrepareStepFunction<NoInfer<TOOLS>>;
  abortSignal: AbortSignal;
  /** The SDK's approval signing, when the binding has an `approvalSecret`. */
  experimental_toolApprovalSecret?: string | Uint8Array;
}

/** A pending ORBIT approval, as the AI SDK raised it: answer it with `approvalResponse(pending, answer)`. */
export interface PendingApproval {
  /** The SDK's approval id (of the call the client sees: a sub-agent's surfaces on its delegating call). */
  approvalId: string;
  toolCallId: string;
  toolName: string;
  /** The reason the SDK shows (`approval.requestReason` in the UI). */
  reason: string | undefined;
  /** What ORBIT paused: the tool, its arguments, why, and the action hash an answer is bound to. */
  orbit: OrbitApprovalDetails;
  /**
   * A sub-agent's other calls paused in the same step, shown with `orbit` on the one request the SDK
   * raises for the delegating call: one answer answers them all (an edit needs a single call).
   */
  batch?: OrbitApprovalDetails[];
}

/**
 * ORBIT for the Vercel AI SDK: one binding of an ORBIT deployment to `generateText`, `streamText`
 * and `ToolLoopAgent`, on the core's adapter kit. Every tool call is decided by ORBIT in the SDK's
 * own `toolApproval` and run through the kit's call handler; pauses are the SDK's tool approvals.
 *
 * @example
 * const orbitAi = orbitVercelAi(orbit);
 * const result = await generateText({ ...orbitAi.settings({ threadId, model, tools }), messages });
 */
export class OrbitAi {
  readonly orbit: Orbit;
  /** The runs of this binding (threads and sub-agents) and their replay state. */
  readonly registry: RunRegistry<AiResult>;
  readonly options: OrbitAiOptions;
  private readonly outputs = new WeakMap<Run, Map<string, ToolOutput>>();
  private readonly wrapped = new WeakMap<object, ToolEntry>();
  /** Sub-agent tools, by the tool object the application passes. */
  readonly subAgents = new WeakMap<object, SubAgentTool>();
  /** The agents made by this binding (only they may be sub-agents: their tools are guarded). */
  readonly agents = new WeakSet<object>();

  constructor(orbit: Orbit, options: OrbitAiOptions = {}) {
    this.orbit = orbit;
    this.options = options;
    this.registry = new RunRegistry(orbit, { replayCache: options.replayCache });
  }

  /**
   * The ORBIT run of a call: the thread's (taken up from the store when this process has not seen
   * it), or, inside a sub-agent this binding delegated to, the sub-agent's.
   *
   * @throws RunUnknownError without a thread id outside a sub-agent.
   */
  runOf(threadId: string | undefined): Run {
    const delegated = this.registry.current();
    if (threadId === undefined && delegated !== undefined)
      return this.registry.subAgent(delegated, 'the sub-agent call');
    return this.registry.thread(threadId, 'threadId (orbitAi.settings({ threadId, model, tools }))');
  }

  /** Ends a thread's run (and its sub-agents' runs): its span and `run` audit event; the binding forgets it. */
  async endRun(threadId: string, options?: { outcome?: 'success' | 'failure' | 'abandoned' }): Promise<void> {
    await this.registry.end(this.runOf(threadId), options);
  }

  /** An ORBIT tool definition (`defineTool`) as an AI SDK tool, to pass in `settings({ tools })`. */
  tool<Input, Output>(definition: ToolDefinition<Input, Output>): Tool {
    const entry = fromDefinition(definition as ToolDefinition, this.options.tools?.[definition.name]);
    const made = sdkTool({
      description: definition.description,
      inputSchema: definition.input,
      // Only its guarded copy runs (settings() swaps it in): passed to the SDK as it is, it refuses.
      execute: () => {
        throw new OptionsInvalidError(
          `Tool "${definition.name}" ran outside ORBIT: pass it in orbitAi.settings({ tools }) (or an agent made with orbitAi.agent).`,
        );
      },
    } as never) as Tool;
    this.wrapped.set(made, entry);
    return made;
  }

  /**
   * The settings to spread into one `generateText` or `streamText` call (or return from a
   * `ToolLoopAgent`'s `prepareCall`): ORBIT decides every tool call in `toolApproval`, runs it
   * through the kit, counts the model's usage as it answers, and stops the loop when the run halts.
   *
   * @throws RunUnknownError without a thread id outside a sub-agent.
   * @throws OptionsInvalidError for a tool the manifest binds to resources without a `resource` hint.
   */
  settings<TOOLS extends ToolSet>(
    input: OrbitCallInput<TOOLS> & { messages: ModelMessage[] },
  ): OrbitCallSettings<TOOLS> & { messages: ModelMessage[] };
  settings<TOOLS extends ToolSet>(input: OrbitCallInput<TOOLS>): OrbitCallSettings<TOOLS>;
  settings<TOOLS extends ToolSet>(
    input: OrbitCallInput<TOOLS>,
  ): OrbitCallSettings<TOOLS> & { messages?: ModelMessage[] } {
    if (input === null || typeof input !== 'object') {
      throw new OptionsInvalidError(
        'Expected orbitAi.settings({ threadId, model, tools, messages }), got no settings.',
      );
    }
    checkModel(input.model, 'settings');
    checkTools(input.tools, 'settings');
    if (input.messages !== undefined) checkMessages(input.messages, 'settings');
    const run = this.runOf(input.threadId);
    const problem = input.messages && answerProblem(input.messages);
    if (problem)
      throw new ApprovalAnswerInvalidError(
        'ERR_APPROVAL_ANSWER_INVALID',
        problem.problem,
        problem.approvalId,
      );
    const table = this.tableOf(input.tools);
    const invocation = new Invocation(
      run,
      table,
      { outputs: this.outputsOf(run), cap: this.registry.cap },
      input.approver,
    );
    const tools: Record<string, Tool> = {};
    for (const [name, entry] of table.guarded) tools[name] = guardedTool(this, entry, invocation);
    for (const [name, sub] of table.subAgents) tools[name] = sub.bind(invocation);
    const counted = (model: LanguageModel) =>
      countingUsage(typeof model === 'string' ? gateway(model) : model, (id, tokens) =>
        this.registry.countUsage(run, id, tokens),
      );
    const signal = input.abortSignal
      ? AbortSignal.any([input.abortSignal, invocation.controller.signal])
      : invocation.controller.signal;
    const own = input.prepareStep;
    const takeAnswers = (messages: readonly ModelMessage[]) =>
      invocation.takeAnswers(messages, (all) => applyAnswers(this, invocation, all));
    return {
      ...(input.messages ? { messages: input.messages } : {}),
      ...(this.options.approvalSecret === undefined
        ? {}
        : { experimental_toolApprovalSecret: this.options.approvalSecret }),
      model: counted(input.model),
      tools: tools as TOOLS,
      abortSignal: signal,
      toolApproval: async ({ toolCall, messages }) => {
        await takeAnswers(messages);
        invocation.throwIfHalted();
        const sub = table.subAgents.get(toolCall.toolName);
        if (sub) return sub.approval(invocation, toolCall);
        const entry = table.guarded.get(toolCall.toolName) ?? this.missing(toolCall.toolName);
        const call = callOf(toolCall);
        // A call the conversation already held (an approved one, coming back) is recalled, never decided
        // anew: a call the client added to the history has no decision, and is refused.
        if (invocation.history.has(toolCall.toolCallId)) {
          const recalled = await recallCall(run, this.orbit, call, entry.guarded);
          if (!recalled) throw neverDecided(toolCall, run, toolCall.toolCallId);
          return statusOf(this, invocation, recalled);
        }
        const decided = await decideCall(run, this.orbit, call, entry.guarded);
        invocation.noteDecided(toolCall.toolCallId, toolCall.input, decided);
        return statusOf(this, invocation, decided.decision);
      },
      prepareStep: async (options) => {
        if (options.stepNumber === 0) {
          invocation.begin();
          await takeAnswers(options.messages);
        }
        invocation.throwIfHalted();
        const messages = invocation.patch(options.messages);
        const theirs = own ? await own(messages ? { ...options, messages } : options) : undefined;
        // A model chosen for this step counts its usage as the call's own does.
        const step = theirs?.model ? { ...theirs, model: counted(theirs.model) } : theirs;
        return messages && !step?.messages ? { ...step, messages } : step;
      },
    };
  }

  /**
   * A `ToolLoopAgent` under ORBIT: its `prepareCall` spreads `settings()` for each call, with the
   * thread from the call's `options.threadId` (or `threadId(options)`); inside a sub-agent tool, the
   * sub-agent's run. Halts inside a tool stop the agent at the next step, before the model is asked.
   */
  agent<TOOLS extends ToolSet>(settings: OrbitAgentSettings<TOOLS>): ToolLoopAgent<OrbitCallOptions, TOOLS> {
    const made = orbitAgent(this, settings);
    this.agents.add(made);
    return made;
  }

  /**
   * A tool that delegates to a sub-agent made with `agent()`: a scoped token is minted for it from
   * the manifest profile, per call; its approval requests surface on the delegating call.
   *
   * @throws OptionsInvalidError when the agent was not made by this binding.
   */
  subAgent<Input extends Record<string, unknown> = { task: string }>(
    agent: GeneratingAgent,
    spec: SubAgentOptions<Input>,
  ): Tool {
    const sub = new SubAgentTool(this, agent, spec as SubAgentOptions<Record<string, unknown>>);
    this.subAgents.set(sub.tool, sub);
    return sub.tool;
  }

  /**
   * The pending ORBIT approvals of a conversation: each request the SDK raised and nobody answered,
   * with what ORBIT paused (a sub-agent's request surfaces on its delegating call, with depth 1).
   * `tools` are the tools the conversation is called with.
   */
  async pendingApprovals(input: {
    threadId: string;
    messages: readonly ModelMessage[];
    tools: ToolSet;
  }): Promise<PendingApproval[]> {
    checkMessages(input?.messages, 'pendingApprovals');
    checkTools(input.tools, 'pendingApprovals');
    return this.pendingIn(this.runOf(input.threadId), input.messages, input.tools);
  }

  /** The pending approvals of `run` among `messages`, called with `tools` (a sub-agent's own conversation too). */
  async pendingIn(run: Run, messages: readonly ModelMessage[], tools: ToolSet): Promise<PendingApproval[]> {
    const table = this.tableOf(tools);
    const pending: PendingApproval[] = [];
    for (const request of openRequests(messages)) {
      const { call } = request;
      const at = {
        approvalId: request.approvalId,
        toolCallId: call.toolCallId,
        toolName: call.toolName,
        reason: request.reason,
      };
      const sub = table.subAgents.get(call.toolName);
      if (sub) {
        const inner = await sub.pendingBehind(run, call.toolCallId);
        if (inner) pending.push({ ...at, ...inner });
        continue;
      }
      const entry = table.guarded.get(call.toolName);
      if (!entry) continue;
      const decision = await recallCall(run, this.orbit, callOf(call), entry.guarded);
      if (decision?.decision !== 'pause' || !decision.approval) continue;
      pending.push({ ...at, orbit: details(decision, run.depth) });
    }
    return pending;
  }

  /** The tools of a call by name: each SDK tool or ORBIT definition guarded (checked once), each sub-agent tool. */
  tableOf(tools: ToolSet): ToolTable {
    const guarded = new Map<string, ToolEntry>();
    const subAgents = new Map<string, SubAgentTool>();
    for (const [name, given] of Object.entries(tools)) {
      const sub = this.subAgents.get(given as object);
      if (sub) subAgents.set(name, sub);
      else guarded.set(name, this.entryOf(name, given as Tool));
    }
    return { guarded, subAgents };
  }

  /** What the model reads in place of the SDK's results for a run's denied calls (kept for later calls). */
  private outputsOf(run: Run): Map<string, ToolOutput> {
    let outputs = this.outputs.get(run);
    if (!outputs) {
      outputs = new Map();
      this.outputs.set(run, outputs);
    }
    return outputs;
  }

  /** The binding's entry of an SDK tool (or an ORBIT definition made with `tool()`), checked once. */
  private entryOf(name: string, given: Tool): ToolEntry {
    let entry = this.wrapped.get(given);
    if (!entry || entry.name !== name) {
      entry = fromSdkTool(name, given, this.options.tools?.[name]);
      checkResourceHint(
        this.orbit,
        entry.guarded,
        `orbitVercelAi(orbit, { tools: { ${name}: { resource: (args) => \`type:\${args.id}\` } } }) (or define it with defineTool and orbitAi.tool)`,
      );
      this.wrapped.set(given, entry);
    }
    return entry;
  }

  private missing(name: string): never {
    throw new OptionsInvalidError(
      `The model called "${name}", which is not among the tools given to orbitAi.settings().`,
    );
  }
}

/** Binds an ORBIT deployment to the Vercel AI SDK. */
export function orbitVercelAi(orbit: Orbit, options?: OrbitAiOptions): OrbitAi {
  return new OrbitAi(orbit, options);
}

export type { AiResult };
