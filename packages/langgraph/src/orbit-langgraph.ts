import { AsyncLocalStorage } from 'node:async_hooks';
import { type BaseMessage, isAIMessage, ToolMessage } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  tool as lcTool,
  StructuredTool,
  type StructuredToolInterface,
  type ToolRuntime,
} from '@langchain/core/tools';
import {
  type Command,
  END,
  getConfig,
  interrupt,
  isGraphBubbleUp,
  type LangGraphRunnableConfig,
  Send,
} from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import {
  type ApprovalError,
  type CallResult,
  type Decision,
  type DelegationRequest,
  describeInputError,
  type GuardRequest,
  type Orbit,
  OrbitError,
  type Run,
  RunHaltedError,
  type ToolContext,
  type ToolDefinition,
  type ToolShape,
  toRefusal,
} from '@orbit-agents/core';
import { z } from 'zod';
import { haltOf } from './errors.js';
import { interruptValue, toApprovalAnswer } from './hitl.js';
import { orbitMiddleware } from './middleware.js';

/** The context key that names a sub-agent's run. Only the run's id: its token never leaves ORBIT. */
export const ORBIT_RUN_KEY = 'orbit_run';

/** What ORBIT needs to know of a LangChain tool besides its name and schema. */
export interface ToolHints<Args = Record<string, unknown>> {
  /** How many records a call touches (the records budget and the per-call record limit). */
  records?(args: Args): number;
  /** The resource a call acts on, `type:id` (new resource types pause). */
  resource?(args: Args): string | undefined;
  /** Compensation for a reversible tool: called by `run.rollback()`. */
  undo?(args: Args, output: unknown, context: ToolContext): unknown;
}

export interface OrbitLangGraphOptions {
  /** Hints for LangChain tools guarded by name (the middleware, `guardTools`). */
  tools?: Record<string, ToolHints>;
  /**
   * The ORBIT run of an invocation. Default: `configurable.thread_id`: one run per thread, so its
   * budgets and pending approvals carry over every `invoke` of the thread, resumes included.
   */
  runId?: (config: RunnableConfig) => string | undefined;
  /** Who answered, when a resume decision does not say (`approver`). Default `langgraph:resume`. */
  approver?: string;
  /** `message` (default): a tool that throws gives the model an error `ToolMessage`. `throw`: the error ends the invoke. */
  toolErrors?: 'message' | 'throw';
  /** How many executed calls per run keep their result, to answer a node re-run without running again. Default 1000. */
  replayCache?: number;
}

/** How a sub-agent is delegated to: a manifest profile, and how its input and output are made. */
export interface SubAgentOptions<Args> {
  /** The manifest's sub-agent profile the token is minted from. */
  profile: string;
  /** The agent id the token names (its audience). Default: the profile. */
  agentId?: string;
  /** A narrower ask than the profile (tools, limits, ttl): attenuated, never widened. */
  request?: (args: Args) => Omit<DelegationRequest, 'profile' | 'agentId'>;
  /** Extra context for the sub-agent (the parent's is never passed on). */
  context?: (args: Args) => Record<string, unknown>;
}

type Invocable<Input, Output> = {
  invoke(input: Input, config?: RunnableConfig & { context?: Record<string, unknown> }): Promise<Output>;
};

interface RunState {
  /** Results of executed calls, to answer a node re-run (prebuilt ToolNode, `version: "v1"`). */
  results: Map<string, ToolMessage | Command>;
  /** Delegations by the delegating call (or sub-graph task): a replay, even a concurrent one, reuses the run and its token. */
  children: Map<string, Promise<Run | ToolMessage>>;
  /** The sub-agent runs this run delegated to. */
  runs: Run[];
  /** Model messages whose usage was counted. */
  usage: Set<string>;
  /** How many answers each paused call took from `interrupt()` (a re-run takes the same positions). */
  asks: Map<string, number>;
}

interface Guarded {
  readonly name: string;
  readonly shape: ToolShape;
  readonly description: string | undefined;
  readonly undo: ((args: never, output: unknown, context: ToolContext) => unknown) | undefined;
  /** A LangChain tool parses its own arguments: it gets the model's (or the editor's), not ORBIT's parsed copy. */
  readonly parsesItself: boolean;
}

/** A tool call's result: the message LangGraph gets, and the tool's own output ORBIT records. */
export interface Executed {
  message: ToolMessage | Command;
  output: unknown;
}

const GUARDED = Symbol.for('orbit-agents.langgraph.guarded');
const ANY_OBJECT = z.record(z.string(), z.unknown());

/** True for a tool that guards itself (made by `guardTools`, `tool` or `subAgent`): the middleware passes it through. */
function guardsItself(tool: unknown): boolean {
  return typeof tool === 'object' && tool !== null && GUARDED in tool;
}

/**
 * ORBIT for LangGraph and LangChain: one binding of an ORBIT deployment to LangGraph invocations.
 * Every path (the `createAgent` middleware, guarded tools in a `StateGraph`, sub-agents) goes
 * through `guardCall`, one decision per tool call.
 *
 * @example
 * const orbitLg = orbitLangGraph(orbit);
 * const agent = createAgent({ model, tools, middleware: [orbitLg.middleware()], checkpointer });
 */
export class OrbitLangGraph {
  readonly orbit: Orbit;
  private readonly options: OrbitLangGraphOptions;
  private readonly runs = new Map<string, Run>();
  private readonly states = new WeakMap<Run, RunState>();
  private readonly facing = new WeakMap<object, unknown>();
  private readonly described = new WeakMap<object, Guarded>();
  /** The sub-agent run a delegated invoke acts under, also where a nested invoke replaces `context`. */
  private readonly delegated = new AsyncLocalStorage<string>();
  /** The guarded call ids of recent LangGraph tasks (a task with more than one is shared). */
  private readonly taskCalls = new Map<string, string | Set<string>>();
  private lastTools: { input: readonly unknown[]; output: unknown[] } | undefined;
  /** How many entries each replay cache keeps (results, counted usage, tasks). */
  private readonly cap: number;

  constructor(orbit: Orbit, options: OrbitLangGraphOptions = {}) {
    this.orbit = orbit;
    this.options = options;
    this.cap = options.replayCache ?? 1000;
  }

  /**
   * The ORBIT run of an invocation: a sub-agent's, named by `context.orbit_run`; otherwise the
   * thread's (`configurable.thread_id`), taken up from the store when this process has not seen it.
   */
  runOf(config: RunnableConfig & { context?: unknown }): Run {
    const named =
      (config.context as Record<string, unknown> | undefined)?.[ORBIT_RUN_KEY] ?? this.delegated.getStore();
    if (named !== undefined) {
      const run = typeof named === 'string' ? this.runs.get(named) : undefined;
      if (!run || run.hasEnded) {
        throw new OrbitError(
          'ERR_RUN_UNKNOWN',
          `context.${ORBIT_RUN_KEY} names run ${JSON.stringify(named)}, which this process did not delegate to; sub-agents run under a token minted by subAgent() or subGraph().`,
        );
      }
      return run;
    }
    const runId = this.options.runId?.(config) ?? config.configurable?.thread_id;
    if (typeof runId !== 'string' || runId.length === 0) {
      throw new OrbitError(
        'ERR_RUN_UNKNOWN',
        'ORBIT needs configurable.thread_id (a non-empty string) to tie tool calls to a run; pass { configurable: { thread_id } } to invoke, or the runId option.',
      );
    }
    let run = this.runs.get(runId);
    if (run?.hasEnded) {
      // Ended with run.end() rather than endRun(): the thread's next call takes its run up anew.
      this.forget(run);
      run = undefined;
    }
    if (!run) {
      run = this.orbit.resumeRun(runId);
      this.runs.set(runId, run);
    }
    return run;
  }

  /**
   * Notes a guarded call of a LangGraph task (from its config, no lookup); true when the task has
   * guarded another call already.
   */
  private noteTask(config: RunnableConfig, callId: string | undefined): boolean {
    const task = config.configurable?.__pregel_task_id;
    if (typeof task !== 'string' || callId === undefined) return false;
    // One call per task is the rule: its id alone is kept; a second turns the entry into a set.
    const calls = this.taskCalls.get(task);
    if (calls === undefined) {
      this.taskCalls.set(task, callId);
      dropOldest(this.taskCalls, this.cap);
      return false;
    }
    if (calls === callId) return false;
    if (typeof calls === 'string') {
      this.taskCalls.set(task, new Set([calls, callId]));
      return true;
    }
    calls.add(callId);
    return true;
  }

  /** The `createAgent` middleware bound to this deployment (see `orbitMiddleware`). */
  middleware() {
    return orbitMiddleware(this);
  }

  /**
   * Ends a thread's run (and its sub-agents' runs): its span, its `run` audit event. The binding
   * forgets them; call it when a thread's work is done, so a long-lived process does not keep every
   * thread it has seen.
   */
  async endRun(
    config: RunnableConfig,
    options?: { outcome?: 'success' | 'failure' | 'abandoned' },
  ): Promise<void> {
    const run = this.runOf(config);
    await run.end(options);
    this.forget(run);
  }

  private forget(run: Run): void {
    this.runs.delete(run.id);
    for (const child of this.states.get(run)?.runs ?? []) this.forget(child);
  }

  /**
   * The tool as the model should see it: a LangChain tool with a zod object schema gains the
   * confidence argument (tool parameters `{ name, description, schema }` used for binding only;
   * calls still run the tool itself). Guarded tools, which have it already, and tools of other
   * shapes are returned as they are.
   */
  modelFacing<T>(tool: T): T {
    if (guardsItself(tool)) return tool;
    const schema = (tool as { schema?: unknown }).schema;
    if (!(schema instanceof z.ZodObject)) return tool;
    let facing = this.facing.get(tool as object);
    if (!facing) {
      const { name, description, extras } = tool as unknown as StructuredToolInterface & { extras?: unknown };
      // Plain tool parameters, not a tool object: createAgent refuses replaced tool instances.
      facing = {
        name,
        description,
        schema: this.orbit.confidence.modelInputSchema(schema),
        ...(extras === undefined ? {} : { extras }),
      };
      this.facing.set(tool as object, facing);
    }
    return facing as T;
  }

  /** `modelFacing` over a model call's tool list; the same list (by its tools) gives the same array. */
  modelFacingTools<T>(tools: readonly T[]): T[] {
    const last = this.lastTools;
    if (last && sameItems(last.input, tools)) return last.output as T[];
    const output = tools.map((tool) => this.modelFacing(tool));
    this.lastTools = { input: [...tools], output };
    return output;
  }

  /** What the decision path needs of a LangChain tool: its zod schema (to validate and re-validate edits) and hints. */
  describeTool(name: string, tool: unknown): Guarded {
    const known = typeof tool === 'object' && tool !== null ? this.described.get(tool) : undefined;
    if (known?.name === name) return known;
    const guarded = this.describe(name, tool);
    if (typeof tool === 'object' && tool !== null) this.described.set(tool, guarded);
    return guarded;
  }

  private describe(name: string, tool: unknown): Guarded {
    const hints = this.options.tools?.[name];
    const schema = (tool as { schema?: unknown } | undefined)?.schema;
    return {
      name,
      shape: { ...shapeFromHints(hints), ...(isZod(schema) ? { input: schema } : {}) },
      description: (tool as { description?: string } | undefined)?.description,
      undo: hints?.undo,
      parsesItself: true,
    };
  }

  /**
   * The one decision path of every tool call. `execute` runs the tool with the arguments ORBIT
   * settled on (the model's, without the confidence, or a human's edit).
   */
  async guardCall(
    call: ToolCall,
    config: RunnableConfig & { context?: unknown },
    guarded: Guarded,
    execute: (args: Record<string, unknown>, callId: string) => Promise<Executed>,
  ): Promise<ToolMessage | Command> {
    const run = this.runOf(config);
    const state = this.stateOf(run);
    const hints = this.options.tools?.[call.name];
    const { confidence, args } = this.orbit.confidence.read(call.args);
    const { shape } = guarded;
    const parsed = shape.input.safeParse(args);
    const input = (parsed.success ? parsed.data : args) as Record<string, unknown>;
    const request: GuardRequest = {
      tool: call.name,
      args: input,
      confidence,
      callId: call.id,
      inputError: parsed.success ? undefined : describeInputError(parsed.error),
      records: parsed.success ? (shape.records?.(input) ?? 0) : 0,
      resource: parsed.success ? shape.resource?.(input) : undefined,
    };
    // In memory the decision is synchronous: no promise, no tick.
    let decision = run.usesStore ? await run.guardAsync(request) : run.guard(request);
    // Several guarded calls in one LangGraph task (createAgent "v1", a ToolNode without
    // routeToolCalls, a tool that makes guarded calls itself): the node re-runs them all on resume,
    // and interrupts are matched to answers by their order in it.
    const several = this.noteTask(config, call.id);
    // A node re-run presents an executed call again: its recorded result answers, nothing runs.
    const replayed = call.id === undefined ? undefined : state.results.get(call.id);
    if (replayed && decision.reasons.includes('already_executed')) return replayed;
    let settled = guarded.parsesItself ? (args as Record<string, unknown>) : input;
    const approval = decision.approval;
    // The answer's arguments (the winning one's): the edit as given for a tool that parses itself.
    let answered: { args: unknown; editedArgs?: unknown } | undefined;
    if (decision.decision === 'pause' && approval) {
      const resolved = await this.ask(run, state, call.id, decision, shape, several || !inPushTask());
      decision = resolved.decision;
      answered = resolved;
    } else if (call.id !== undefined) {
      // Answered before (the node re-runs after the tool suspended): the answer's arguments, and the
      // answers' interrupt positions taken again, so the tool's own interrupts get their own values.
      answered = run.answeredArgs(call.id);
      if (answered) for (let i = 0; i < (state.asks.get(call.id) ?? 0); i++) interrupt(undefined);
    }
    if (answered) {
      settled = (guarded.parsesItself ? (answered.editedArgs ?? args) : answered.args) as Record<
        string,
        unknown
      >;
    }
    const undo = guarded.undo ?? hints?.undo;
    const id = call.id ?? decision.call_id;
    let message: ToolMessage | Command | undefined;
    // ORBIT records the tool's own output (audit, redaction, undo); LangGraph gets the message.
    let result: CallResult;
    try {
      result = await run.perform(
        decision,
        async () => {
          const done = await execute(settled, id);
          message = done.message;
          return done.output;
        },
        {
          approval,
          suspends: isGraphBubbleUp,
          undo: undo
            ? (output: unknown) =>
                undo(settled as never, output, { runId: run.id, callId: id, agentId: run.agentId })
            : undefined,
        },
      );
    } catch (error) {
      if ((error as OrbitError | undefined)?.code !== 'ERR_CALL_DUPLICATE') throw error;
      // Presented again while it runs (a concurrent replay in this process): refused, it runs once.
      const refusal = toRefusal({
        ...decision,
        decision: 'block',
        reasons: [...decision.reasons, 'already_executed'],
      });
      return new ToolMessage({
        content: JSON.stringify(refusal),
        tool_call_id: id,
        name: call.name,
        status: 'error',
      });
    }
    if (result.status === 'executed') {
      if (call.id !== undefined) this.remember(state, call.id, message!);
      return message!;
    }
    if (result.status === 'refused') {
      return new ToolMessage({
        content: JSON.stringify(result.refusal),
        tool_call_id: id,
        name: call.name,
        status: 'error',
      });
    }
    // A halt inside the tool (a guarded call it made) ends the invoke; it is not the tool's error.
    if (haltOf(result.error) || this.options.toolErrors === 'throw') throw result.error;
    const failed = errorMessage(call.name, id, result.error);
    if (call.id !== undefined) this.remember(state, call.id, failed);
    return failed;
  }

  /** Asks a human through `interrupt()`, until an answer is valid; the same answers replay on a node re-run. */
  private async ask(
    run: Run,
    state: RunState,
    callId: string | undefined,
    decision: Decision,
    shape: ToolShape,
    shared: boolean,
  ): Promise<{ decision: Decision; args: unknown; editedArgs?: unknown }> {
    const approval = decision.approval!;
    const schema = jsonSchemaOf(shape.input);
    let error: string | undefined;
    for (;;) {
      const value: unknown = interrupt(interruptValue(decision, approval, run.depth, schema, error));
      if (callId !== undefined) state.asks.set(callId, (state.asks.get(callId) ?? 0) + 1);
      const parsed = toApprovalAnswer(value, approval, this.options.approver ?? 'langgraph:resume');
      if ('error' in parsed) {
        error = parsed.error;
        continue;
      }
      if (shared && !parsed.bound) {
        // An answer found by its position in the node could be another call's: it must say which it is for.
        error = `This node runs several tool calls in one task, so an answer must carry the request's action_hash (resumeWith adds it): ${approval.action_hash}. Or route each call to its own task (createAgent "v2", routeToolCalls).`;
        continue;
      }
      try {
        // The answer that won (another process's, stored first, may differ from this one).
        return await run.resolveApproval(approval.approval_id, parsed.answer, shape);
      } catch (caught) {
        if ((caught as ApprovalError | undefined)?.code !== 'ERR_APPROVAL_HASH_MISMATCH') throw caught;
        error = (caught as Error).message;
      }
    }
  }

  /**
   * Adds a model response's `usage_metadata` to the run's token budget, once per message (a node
   * re-run does not count it twice). The middleware does this by itself; call it in a hand-built
   * graph's model node.
   */
  recordUsage(message: BaseMessage | undefined, config: RunnableConfig & { context?: unknown }): void {
    if (!message || !isAIMessage(message) || !message.usage_metadata) return;
    const run = this.runOf(config);
    const state = this.stateOf(run);
    const key = message.id;
    if (key !== undefined) {
      if (state.usage.has(key)) return;
      state.usage.add(key);
      dropOldest(state.usage, this.cap);
    }
    const tokens = message.usage_metadata.total_tokens;
    if (Number.isFinite(tokens) && tokens > 0) run.recordUsage({ tokens });
  }

  /**
   * Guards LangChain tools themselves, for any node that runs tools (a prebuilt `ToolNode`, your
   * own node): each call is decided before the tool runs. The model-facing schema gains the
   * confidence argument.
   */
  guardTools<T extends StructuredToolInterface>(tools: readonly T[]): StructuredToolInterface[] {
    return tools.map((original) => {
      if (guardsItself(original)) return original;
      const guarded = this.describeTool(original.name, original);
      return this.selfGuarded(
        guarded,
        modelSchema(this.orbit, original.schema),
        async (args, config, callId) => {
          // Invoked with the tool call, the tool formats its own ToolMessage, as in LangChain's ToolNode.
          const output = await original.invoke(
            { name: original.name, args, id: callId, type: 'tool_call' },
            config,
          );
          return { message: asMessage(output, callId, original.name), output: contentOf(output) };
        },
      );
    });
  }

  /** An ORBIT tool definition as a LangChain tool: its schema with the confidence argument, guarded. */
  tool<Input, Output>(definition: ToolDefinition<Input, Output>): StructuredToolInterface {
    const guarded: Guarded = {
      name: definition.name,
      shape: definition,
      description: definition.description,
      undo: definition.undo
        ? (args: never, output: unknown, context: ToolContext) =>
            definition.undo!(args as Input, output as Output, context)
        : undefined,
      parsesItself: false,
    };
    // Run as a LangChain tool once ORBIT has decided, so callbacks (LangSmith, streamEvents) see it.
    const runner = lcTool(
      async (args: Record<string, unknown>, config: ToolRuntime) => {
        const run = this.runOf(config);
        const callId = (config.metadata?.orbit_call_id as string | undefined) ?? '';
        return definition.execute(args as Input, { runId: run.id, callId, agentId: run.agentId }) as never;
      },
      { name: definition.name, description: definition.description ?? definition.name, schema: ANY_OBJECT },
    );
    return this.selfGuarded(
      guarded,
      this.orbit.modelInputSchema(definition),
      async (args, config, callId) => {
        const output: unknown = await runner.invoke(args, {
          ...config,
          metadata: { ...config.metadata, orbit_call_id: callId },
        });
        return { message: asMessage(output, callId, definition.name), output };
      },
    );
  }

  private selfGuarded(
    guarded: Guarded,
    schema: z.ZodType,
    run: (args: Record<string, unknown>, config: RunnableConfig, callId: string) => Promise<Executed>,
  ): StructuredToolInterface {
    return new OrbitTool(this, guarded, schema, run) as unknown as StructuredToolInterface;
  }

  /**
   * A tool node for a hand-built `StateGraph`: a prebuilt `ToolNode` over guarded tools. Tool errors
   * reach the model as error messages (ORBIT records them); a halt ends the invoke. A call to a tool
   * the node does not have is decided too (outside the manifest, it halts) rather than crashing the
   * graph undecided. Route to it with `routeToolCalls` so that each call is its own task (a resume
   * re-runs only the paused call).
   */
  toolNode(tools: readonly StructuredToolInterface[], options: { name?: string } = {}): ToolNode {
    return new OrbitToolNode(this, this.guardTools(tools), { handleToolErrors: false, ...options });
  }

  /**
   * A conditional edge for a hand-built graph: one `Send` per pending tool call of the last AI
   * message (each its own task, as `createAgent` does), or `END` when there is none.
   */
  routeToolCalls(toolsNode = 'tools', end: string = END) {
    return (state: { messages: BaseMessage[] }): Send[] | string => {
      const last = state.messages.at(-1);
      const calls = last && isAIMessage(last) ? (last.tool_calls ?? []) : [];
      if (calls.length === 0) return end;
      return calls.map((call) => new Send(toolsNode, { ...state, lg_tool_call: call }));
    };
  }

  /**
   * An agent (a compiled graph, `createAgent`) as a tool of this one. Each call delegates: ORBIT
   * decides the spawn and mints a scoped token for the profile, and the sub-agent runs under it,
   * never under its parent's context. Its interrupts reach the top-level caller and resume.
   */
  subAgent<Schema extends z.ZodObject, Input, Output>(
    agent: Invocable<Input, Output>,
    spec: SubAgentOptions<z.output<Schema>> & {
      name: string;
      description: string;
      schema: Schema;
      input: (args: z.output<Schema>) => Input;
      output?: (result: Output) => string;
    },
  ): StructuredToolInterface {
    const made = lcTool(
      async (args: z.output<Schema>, runtime: ToolRuntime) => {
        const callId = runtime.toolCallId;
        const state = this.stateOf(this.runOf(runtime));
        // A node re-run presents a finished delegation again: its result answers, nothing runs again.
        const finished = state.results.get(callId);
        if (finished) return finished;
        const delegated = await this.delegate(runtime, callId, spec, args, spec.name);
        if (delegated instanceof ToolMessage) return delegated;
        let message: ToolMessage;
        try {
          const result = await this.runDelegated(delegated, () =>
            agent.invoke(spec.input(args), {
              context: { ...spec.context?.(args), [ORBIT_RUN_KEY]: delegated.id },
              ...(runtime.signal ? { signal: runtime.signal } : {}),
            }),
          );
          const content = spec.output ? spec.output(result) : lastText(result);
          message = new ToolMessage({ content, tool_call_id: callId, name: spec.name });
        } catch (error) {
          if (isGraphBubbleUp(error)) throw error;
          const halt = haltOf(error);
          // A person stopped the tree: the invoke ends. Anything else the parent's model is told.
          if (halt && stoppedByPerson(halt)) throw halt;
          const content = halt
            ? JSON.stringify({
                ...toRefusal(halt.decision),
                message: `The sub-agent was halted by ORBIT: ${halt.message}`,
              })
            : `Error: the sub-agent failed: ${(error as Error)?.message ?? String(error)}`;
          message = new ToolMessage({ content, tool_call_id: callId, name: spec.name, status: 'error' });
        }
        this.remember(state, callId, message);
        return message;
      },
      { name: spec.name, description: spec.description, schema: spec.schema },
    );
    Object.defineProperty(made, GUARDED, { value: true });
    return made as unknown as StructuredToolInterface;
  }

  /**
   * A compiled sub-graph as a node of a hand-built graph, run as a sub-agent: the node delegates
   * (once per task, also across a resume) and the sub-graph runs under the minted token.
   */
  subGraph<State, Update>(
    graph: Invocable<State, Update>,
    spec: SubAgentOptions<State>,
  ): (state: State, config: RunnableConfig) => Promise<Update> {
    return async (state, config) => {
      const key = `node:${String(config.configurable?.checkpoint_ns ?? spec.profile)}`;
      const delegated = await this.delegate(config, key, spec, state, spec.profile);
      // A node has no model to tell: a refused delegation ends the invoke (ERR_TOKEN_REFUSED).
      if (delegated instanceof ToolMessage)
        throw new OrbitError('ERR_TOKEN_REFUSED', String(delegated.content));
      return this.runDelegated(delegated, () =>
        graph.invoke(state, { context: { ...spec.context?.(state), [ORBIT_RUN_KEY]: delegated.id } }),
      );
    };
  }

  /**
   * Runs a sub-agent under its delegated run (also for nested invokes that replace `context`), then
   * ends and forgets the run. A person's stop_run inside it stops the whole tree; errors go on.
   */
  private async runDelegated<T>(child: Run, invoke: () => Promise<T>): Promise<T> {
    try {
      const result = await this.delegated.run(child.id, invoke);
      await child.end({ outcome: 'success' });
      this.forget(child);
      return result;
    } catch (error) {
      if (isGraphBubbleUp(error)) throw error;
      await child.end({ outcome: 'failure' });
      this.forget(child);
      if (stoppedByPerson(haltOf(error))) child.root.stop();
      throw error;
    }
  }

  /** The delegation of one call: decided and minted once, then reused by every replay. */
  private async delegate<Args>(
    config: RunnableConfig & { context?: unknown },
    key: string,
    spec: SubAgentOptions<Args>,
    args: Args,
    name: string,
  ): Promise<Run | ToolMessage> {
    const parent = this.runOf(config);
    const state = this.stateOf(parent);
    let delegation = state.children.get(key);
    if (!delegation) {
      // Kept before it settles: a concurrent replay of the same call waits for this one.
      delegation = this.delegateOnce(parent, state, key, spec, args, name);
      state.children.set(key, delegation);
      // A failure (the trust authority unreachable, say) is not kept: a retry delegates again.
      delegation.catch(() => state.children.delete(key));
    }
    return delegation;
  }

  private async delegateOnce<Args>(
    parent: Run,
    state: RunState,
    key: string,
    spec: SubAgentOptions<Args>,
    args: Args,
    name: string,
  ): Promise<Run | ToolMessage> {
    const result = await parent.delegate({
      ...spec.request?.(args),
      profile: spec.profile,
      ...(spec.agentId ? { agentId: spec.agentId } : {}),
    });
    if (result.decision.decision === 'halt') throw new RunHaltedError(result.decision);
    if (!result.run) {
      return new ToolMessage({
        content: JSON.stringify(toRefusal(result.decision)),
        tool_call_id: key,
        name,
        status: 'error',
      });
    }
    state.runs.push(result.run);
    this.runs.set(result.run.id, result.run);
    return result.run;
  }

  private stateOf(run: Run): RunState {
    let state = this.states.get(run);
    if (!state) {
      state = { results: new Map(), children: new Map(), runs: [], usage: new Set(), asks: new Map() };
      this.states.set(run, state);
    }
    return state;
  }

  private remember(state: RunState, callId: string, output: ToolMessage | Command): void {
    state.results.set(callId, output);
    dropOldest(state.results, this.cap);
  }
}

/**
 * A LangChain tool that guards itself. The model sees its schema (with the confidence argument),
 * but `invoke` does not validate before ORBIT: every call, even one with bad arguments, is decided
 * (`input_invalid` is a block the model can read, not an exception that ends the graph).
 */
class OrbitTool extends StructuredTool {
  readonly name: string;
  readonly description: string;
  readonly schema: z.ZodType;
  readonly [GUARDED] = true;
  private readonly binding: OrbitLangGraph;
  private readonly guarded: Guarded;
  private readonly runTool: (
    args: Record<string, unknown>,
    config: RunnableConfig,
    callId: string,
  ) => Promise<Executed>;

  constructor(binding: OrbitLangGraph, guarded: Guarded, schema: z.ZodType, runTool: OrbitTool['runTool']) {
    super();
    this.name = guarded.name;
    this.description = guarded.description ?? guarded.name;
    this.schema = schema;
    this.binding = binding;
    this.guarded = guarded;
    this.runTool = runTool;
  }

  // biome-ignore lint/suspicious/noExplicitAny: StructuredTool's invoke is generic over the call shape.
  override async invoke(input: any, config: RunnableConfig & { toolCall?: ToolCall } = {}): Promise<any> {
    const toolCall: ToolCall | undefined = input?.type === 'tool_call' ? input : config.toolCall;
    const args = (input?.type === 'tool_call' ? input.args : input) as Record<string, unknown>;
    const call: ToolCall = { name: this.name, args, id: toolCall?.id, type: 'tool_call' };
    const { toolCall: _omitted, ...rest } = config;
    return this.binding.guardCall(call, rest, this.guarded, (settled, id) => this.runTool(settled, rest, id));
  }

  protected override async _call(): Promise<never> {
    throw new OrbitError(
      'ERR_ARGUMENT_INVALID',
      `Call "${this.name}" through invoke(): ORBIT guards it there.`,
    );
  }
}

/**
 * The prebuilt `ToolNode` over guarded tools, with one change: a call to a tool it does not have is
 * decided by ORBIT (outside the manifest, it halts) instead of failing the graph undecided.
 */
class OrbitToolNode extends ToolNode {
  private readonly binding: OrbitLangGraph;

  constructor(
    binding: OrbitLangGraph,
    tools: StructuredToolInterface[],
    options: { name?: string; handleToolErrors: boolean },
  ) {
    super(tools, options);
    this.binding = binding;
  }

  protected override runTool(
    call: ToolCall,
    config: LangGraphRunnableConfig,
    state: unknown,
  ): Promise<ToolMessage | Command> {
    if (this.tools.some((tool) => tool.name === call.name)) return super.runTool(call, config, state);
    // Decided as a call that cannot be made: outside the manifest it halts, inside it is blocked (never paused).
    const missing = z.custom<never>(() => false, { message: `"${call.name}" is not a tool of this node` });
    const guarded: Guarded = {
      name: call.name,
      shape: { input: missing },
      description: undefined,
      undo: undefined,
      parsesItself: true,
    };
    return this.binding.guardCall(call, config, guarded, async () => {
      throw new Error(`Tool "${call.name}" is not in this tool node.`);
    });
  }
}

/** Binds an ORBIT deployment to LangGraph and LangChain. */
export function orbitLangGraph(orbit: Orbit, options?: OrbitLangGraphOptions): OrbitLangGraph {
  return new OrbitLangGraph(orbit, options);
}

function shapeFromHints(hints: ToolHints | undefined): ToolShape {
  return {
    input: ANY_OBJECT,
    ...(hints?.records ? { records: hints.records } : {}),
    ...(hints?.resource ? { resource: hints.resource } : {}),
  } as ToolShape;
}

/** True when the current LangGraph task runs one call (a `Send`: createAgent "v2", routeToolCalls). */
function inPushTask(): boolean {
  try {
    const path = getConfig()?.metadata?.langgraph_path;
    return Array.isArray(path) && path[0] === '__pregel_push';
  } catch {
    return false;
  }
}

/** The JSON schema of a tool's input, for HITL edit forms (none for a free-form input). */
function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> | undefined {
  if (schema === ANY_OBJECT) return undefined;
  try {
    return z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** A halt a person chose (a denial with stop_run), which stops the whole tree, not just a sub-agent. */
function stoppedByPerson(halt: RunHaltedError | undefined): boolean {
  return halt?.decision.reasons.includes('approval_denied') === true;
}

/** Keeps an insertion-ordered cache within `cap` entries: the oldest goes first. */
function dropOldest(cache: Map<unknown, unknown> | Set<unknown>, cap: number): void {
  if (cache.size > cap) cache.delete(cache.keys().next().value);
}

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isZod(schema: unknown): schema is z.ZodType {
  return typeof (schema as { safeParse?: unknown } | undefined)?.safeParse === 'function';
}

/** The model-facing schema of a LangChain tool: the confidence argument added to a zod object schema. */
function modelSchema(orbit: Orbit, schema: unknown): z.ZodType {
  if (schema instanceof z.ZodObject) return orbit.confidence.modelInputSchema(schema);
  return schema as z.ZodType;
}

export function errorMessage(name: string, callId: string, error: unknown): ToolMessage {
  const message = error instanceof Error ? error.message : String(error);
  return new ToolMessage({
    content: `Error: ${message}\n Please fix your mistakes.`,
    tool_call_id: callId,
    name,
    status: 'error',
  });
}

function asMessage(output: unknown, callId: string, name: string): ToolMessage | Command {
  if (output instanceof ToolMessage) return output;
  if (typeof output === 'object' && output !== null && 'lg_name' in output && output.lg_name === 'Command') {
    return output as Command;
  }
  const content = typeof output === 'string' ? output : JSON.stringify(output ?? null);
  return new ToolMessage({ content, tool_call_id: callId, name, status: 'success' });
}

/** What a LangChain tool returned, as ORBIT records it: a message's content, or the value itself. */
export function contentOf(output: unknown): unknown {
  return output instanceof ToolMessage ? output.content : output;
}

function lastText(result: unknown): string {
  const messages = (result as { messages?: BaseMessage[] } | undefined)?.messages;
  const last = messages?.at(-1);
  if (!last) return JSON.stringify(result ?? null);
  return typeof last.content === 'string' ? last.content : JSON.stringify(last.content);
}

export type { Guarded };
export { guardsItself };
