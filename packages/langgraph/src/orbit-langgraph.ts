import { type BaseMessage, isAIMessage, ToolMessage } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import type { RunnableConfig } from '@langchain/core/runnables';
import { tool as lcTool, type StructuredToolInterface, type ToolRuntime } from '@langchain/core/tools';
import { type Command, END, getConfig, interrupt, isGraphBubbleUp, Send } from '@langchain/langgraph';
import type { ToolNode } from '@langchain/langgraph/prebuilt';
import { type Orbit, type Run, type ToolDefinition, toRefusal } from '@orbit-agents/core';
import {
  ANY_OBJECT,
  checkResourceHint,
  delegateOnce,
  describeDefinition,
  describeTool,
  dropOldest,
  type FrameworkHooks,
  type GuardedTool,
  haltOf,
  handleCall,
  isRefusal,
  type SubAgentOptions as KitSubAgentOptions,
  RunRegistry,
  runDelegated,
  stoppedByPerson,
  type ToolHints,
} from '@orbit-agents/core/adapter';
import { TokenError } from '@orbit-agents/core/errors';
import { z } from 'zod';
import { interruptValue, toApprovalAnswer } from './hitl.js';
import { asMessage, contentOf, errorMessage, GUARDED, guardsItself, refusalMessage } from './messages.js';
import { orbitMiddleware } from './middleware.js';
import { OrbitTool, OrbitToolNode } from './orbit-tool.js';

/** The context key that names a sub-agent's run. Only the run's id: its token never leaves ORBIT. */
export const ORBIT_RUN_KEY = 'orbit_run';

export type { ToolHints };

export interface OrbitLangGraphOptions {
  /**
   * Hints for LangChain tools guarded by name (the middleware, `guardTools`): `records`, `resource`
   * (required for a manifest tool with `resources`) and `undo`.
   */
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
export interface SubAgentOptions<Args> extends KitSubAgentOptions<Args> {
  /** Extra context for the sub-agent (the parent's is never passed on). */
  context?: (args: Args) => Record<string, unknown>;
}

type Invocable<Input, Output> = {
  invoke(input: Input, config?: RunnableConfig & { context?: Record<string, unknown> }): Promise<Output>;
};

/** What a LangGraph tool call resolves to. */
export type LgResult = ToolMessage | Command;

/** A tool call's result: the message LangGraph gets, and the tool's own output ORBIT records. */
export interface Executed {
  result: LgResult;
  output: unknown;
}

/**
 * ORBIT for LangGraph and LangChain: one binding of an ORBIT deployment to LangGraph invocations,
 * on the core's adapter kit. Every path (the `createAgent` middleware, guarded tools in a
 * `StateGraph`, sub-agents) goes through `guardCall`, one decision per tool call.
 *
 * @example
 * const orbitLg = orbitLangGraph(orbit);
 * const agent = createAgent({ model, tools, middleware: [orbitLg.middleware()], checkpointer });
 */
export class OrbitLangGraph {
  readonly orbit: Orbit;
  /** The runs of this binding (threads and sub-agents) and their replay state. */
  readonly registry: RunRegistry<LgResult>;
  private readonly options: OrbitLangGraphOptions;
  private readonly facing = new WeakMap<object, unknown>();
  private readonly described = new WeakMap<object, GuardedTool>();
  /** The guarded call ids of recent LangGraph tasks (a task with more than one is shared). */
  private readonly taskCalls = new Map<string, string | Set<string>>();
  private lastTools: { input: readonly unknown[]; output: unknown[] } | undefined;

  constructor(orbit: Orbit, options: OrbitLangGraphOptions = {}) {
    this.orbit = orbit;
    this.options = options;
    this.registry = new RunRegistry(orbit, { replayCache: options.replayCache });
  }

  /**
   * The ORBIT run of an invocation: a sub-agent's, named by `context.orbit_run`; otherwise the
   * thread's (`configurable.thread_id`), taken up from the store when this process has not seen it.
   *
   * @throws RunUnknownError without a thread id, or for a sub-agent run this process did not delegate to.
   */
  runOf(config: RunnableConfig & { context?: unknown }): Run {
    const named =
      (config.context as Record<string, unknown> | undefined)?.[ORBIT_RUN_KEY] ?? this.registry.current();
    if (named !== undefined) return this.registry.subAgent(named, `context.${ORBIT_RUN_KEY}`);
    const runId = this.options.runId?.(config) ?? config.configurable?.thread_id;
    return this.registry.thread(
      runId,
      'configurable.thread_id (pass { configurable: { thread_id } } to invoke, or the runId option)',
    );
  }

  /** Notes a guarded call of a LangGraph task (from its config, no lookup); true when the task has guarded another call already. */
  private noteTask(config: RunnableConfig, callId: string | undefined): boolean {
    const task = config.configurable?.__pregel_task_id;
    if (typeof task !== 'string' || callId === undefined) return false;
    // One call per task is the rule: its id alone is kept; a second turns the entry into a set.
    const calls = this.taskCalls.get(task);
    if (calls === undefined) {
      this.taskCalls.set(task, callId);
      dropOldest(this.taskCalls, this.registry.cap);
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
    await this.registry.end(this.runOf(config), options);
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
    this.checkHints(tools);
    const output = tools.map((tool) => this.modelFacing(tool));
    this.lastTools = { input: [...tools], output };
    return output;
  }

  /**
   * Fails fast, before the model is asked, when a LangChain tool is bound by the manifest to `resources`
   * but has no `resource` hint: every call of it would name no resource and halt the run.
   *
   * @throws OptionsInvalidError naming the tool and the hint it needs.
   */
  private checkHints(tools: readonly unknown[]): void {
    for (const tool of tools) {
      if (guardsItself(tool)) continue; // ORBIT definitions and sub-agents carry their own resource
      const name = (tool as { name?: unknown }).name;
      if (typeof name !== 'string') continue;
      checkResourceHint(
        this.orbit,
        this.describeTool(name, tool),
        `orbitLangGraph(orbit, { tools: { ${name}: { resource: (args) => \`type:\${args.id}\` } } }) (or define it with defineTool and orbitLg.tool)`,
      );
    }
  }

  /** What the decision path needs of a LangChain tool: its zod schema (to validate and re-validate edits) and hints. */
  describeTool(name: string, tool: unknown): GuardedTool {
    const known = typeof tool === 'object' && tool !== null ? this.described.get(tool) : undefined;
    if (known?.name === name) return known;
    const guarded = describeTool(name, tool, this.options.tools?.[name]);
    if (typeof tool === 'object' && tool !== null) this.described.set(tool, guarded);
    return guarded;
  }

  /**
   * The one decision path of every tool call, on the kit's `handleCall`: LangGraph's `interrupt()`
   * asks, LangChain's HITL decisions answer, `ToolMessage`s are the results. `execute` runs the tool
   * with the arguments ORBIT settled on (the model's, without the confidence, or a human's edit).
   */
  guardCall(
    call: ToolCall,
    config: RunnableConfig & { context?: unknown },
    guarded: GuardedTool,
    execute: (args: Record<string, unknown>, callId: string) => Promise<Executed>,
  ): Promise<LgResult> {
    const run = this.runOf(config);
    // Several guarded calls in one LangGraph task (createAgent "v1", a ToolNode without
    // routeToolCalls, a tool that makes guarded calls itself): the node re-runs them all on resume,
    // and interrupts are matched to answers by their order in it.
    const several = this.noteTask(config, call.id);
    const approver = this.options.approver ?? 'langgraph:resume';
    const hooks: FrameworkHooks<LgResult> = {
      ask: (pause) => interrupt(interruptValue(pause)),
      toAnswer: (value, approval) => toApprovalAnswer(value, approval, approver),
      replayAsks: (count) => {
        for (let i = 0; i < count; i++) interrupt(undefined);
      },
      invoke: (args, id) => execute(args as Record<string, unknown>, id),
      refused: (refusal, id) => refusalMessage(refusal, id, call.name),
      failed: (error, id) => errorMessage(call.name, id, error),
      suspends: isGraphBubbleUp,
      toolErrors: this.options.toolErrors,
      sharedStepHint:
        'resumeWith adds it; or route each call to its own task (createAgent "v2", routeToolCalls).',
    };
    const shared = () => several || !inPushTask();
    return handleCall(
      this.registry,
      run,
      { tool: call.name, args: call.args, callId: call.id, shared },
      guarded,
      hooks,
    );
  }

  /**
   * Adds a model response's `usage_metadata` to the run's token budget, once per message (a node
   * re-run does not count it twice). The middleware does this by itself; call it in a hand-built
   * graph's model node.
   */
  recordUsage(message: BaseMessage | undefined, config: RunnableConfig & { context?: unknown }): void {
    if (!message || !isAIMessage(message) || !message.usage_metadata) return;
    this.registry.countUsage(this.runOf(config), message.id, message.usage_metadata.total_tokens);
  }

  /**
   * Guards LangChain tools themselves, for any node that runs tools (a prebuilt `ToolNode`, your
   * own node): each call is decided before the tool runs. The model-facing schema gains the
   * confidence argument.
   */
  guardTools<T extends StructuredToolInterface>(tools: readonly T[]): StructuredToolInterface[] {
    this.checkHints(tools); // here, when the graph is built: its first call would halt the run
    return tools.map((original) => {
      if (guardsItself(original)) return original;
      const schema =
        original.schema instanceof z.ZodObject
          ? this.orbit.confidence.modelInputSchema(original.schema)
          : (original.schema as z.ZodType);
      return new OrbitTool(
        this,
        this.describeTool(original.name, original),
        schema,
        async (args, config, callId) => {
          // Invoked with the tool call, the tool formats its own ToolMessage, as in LangChain's ToolNode.
          const output = await original.invoke(
            { name: original.name, args, id: callId, type: 'tool_call' },
            config,
          );
          return { result: asMessage(output, callId, original.name), output: contentOf(output) };
        },
      ) as unknown as StructuredToolInterface;
    });
  }

  /** An ORBIT tool definition as a LangChain tool: its schema with the confidence argument, guarded. */
  tool<Input, Output>(definition: ToolDefinition<Input, Output>): StructuredToolInterface {
    const guarded = describeDefinition(definition as ToolDefinition, this.options.tools?.[definition.name]);
    // Run as a LangChain tool once ORBIT has decided, so callbacks (LangSmith, streamEvents) see it.
    const runner = lcTool(
      async (args: Record<string, unknown>, config: ToolRuntime) => {
        const run = this.runOf(config);
        const callId = (config.metadata?.orbit_call_id as string | undefined) ?? '';
        return definition.execute(args as Input, { runId: run.id, callId, agentId: run.agentId }) as never;
      },
      { name: definition.name, description: definition.description ?? definition.name, schema: ANY_OBJECT },
    );
    const schema = this.orbit.modelInputSchema(definition);
    return new OrbitTool(this, guarded, schema, async (args, config, callId) => {
      const output: unknown = await runner.invoke(args, {
        ...config,
        metadata: { ...config.metadata, orbit_call_id: callId },
      });
      return { result: asMessage(output, callId, definition.name), output };
    }) as unknown as StructuredToolInterface;
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
        const parent = this.runOf(runtime);
        // A node re-run presents a finished delegation again: its result answers, nothing runs again.
        const finished = this.registry.stateOf(parent).results.get(callId);
        if (finished) return finished;
        const delegated = await delegateOnce(this.registry, parent, callId, spec, args);
        if (isRefusal(delegated)) return refusalMessage(delegated, callId, spec.name);
        let message: ToolMessage;
        try {
          const result = await runDelegated(
            this.registry,
            delegated,
            () =>
              agent.invoke(spec.input(args), {
                context: { ...spec.context?.(args), [ORBIT_RUN_KEY]: delegated.id },
                ...(runtime.signal ? { signal: runtime.signal } : {}),
              }),
            isGraphBubbleUp,
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
        this.registry.remember(parent, callId, message);
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
   *
   * @throws TokenError (`ERR_TOKEN_REFUSED`) when the delegation is refused (a node has no model to tell).
   */
  subGraph<State, Update>(
    graph: Invocable<State, Update>,
    spec: SubAgentOptions<State>,
  ): (state: State, config: RunnableConfig) => Promise<Update> {
    return async (state, config) => {
      const key = `node:${String(config.configurable?.checkpoint_ns ?? spec.profile)}`;
      const delegated = await delegateOnce(this.registry, this.runOf(config), key, spec, state);
      if (isRefusal(delegated)) throw new TokenError(delegated.reasons[0]!, JSON.stringify(delegated));
      return runDelegated(
        this.registry,
        delegated,
        () => graph.invoke(state, { context: { ...spec.context?.(state), [ORBIT_RUN_KEY]: delegated.id } }),
        isGraphBubbleUp,
      );
    };
  }
}

/** Binds an ORBIT deployment to LangGraph and LangChain. */
export function orbitLangGraph(orbit: Orbit, options?: OrbitLangGraphOptions): OrbitLangGraph {
  return new OrbitLangGraph(orbit, options);
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

function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function lastText(result: unknown): string {
  const last = (result as { messages?: BaseMessage[] } | undefined)?.messages?.at(-1);
  if (!last) return JSON.stringify(result ?? null);
  return typeof last.content === 'string' ? last.content : JSON.stringify(last.content);
}
