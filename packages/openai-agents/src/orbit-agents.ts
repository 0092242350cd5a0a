import { Agent, type FunctionTool, type Handoff, type RunContext, type Tool } from '@openai/agents';
import type { Decision, Orbit, Run, RunHaltedError, ToolDefinition } from '@orbit-agents/core';
import { RunHaltedError as Halted } from '@orbit-agents/core';
import { DEFAULT_REPLAY_CACHE, RunRegistry, type ToolHints } from '@orbit-agents/core/adapter';
import { OptionsInvalidError, RunUnknownError } from '@orbit-agents/core/errors';
import type { OrbitAnswer } from './answers.js';
import { DecidedCalls, Frames, GivenAnswers } from './call-memory.js';
import { checkAgent, checkBindingOptions, checkEndOptions, checkRecord } from './check-input.js';
import { fieldsOf, RUN_KEY, THREAD_KEY } from './context.js';
import {
  GUARDED_AGENT,
  guardedHandoff,
  type HandoffOptions,
  type SubAgentToolOptions,
  subAgentTool,
} from './delegation.js';
import { GUARDED, guardedTool } from './guarded-tool.js';
import { haltOf } from './halt.js';
import type { OpenTelemetryTraceProcessor } from './otel-trace-processor.js';
import { answerInterruption, type PendingApproval, pendingApprovals } from './pending.js';
import type { AnyAgent, AnyRunState } from './sdk-types.js';
import { fromDefinition, fromFunctionTool, fromOptions, type SdkToolOptions } from './tool-entry.js';
import { UsageCounter } from './usage.js';

/** Options of `orbitOpenAIAgents`. */
export interface OrbitAgentsOptions {
  /** Hints for SDK tools by name: records, resource, undo (an ORBIT definition has its own). */
  tools?: Record<string, ToolHints>;
  /** Who answered, when an answer does not say. Default `'openai-agents'`. */
  approver?: string;
  /** How many entries each run's replay caches keep. Default 1000. */
  replayCache?: number;
  /**
   * The processor bridging the SDK's traces to OpenTelemetry (registered with `setTraceProcessors`):
   * ORBIT's call span and the SDK's function span of a call are linked both ways, and the tool's own
   * spans nest under the SDK's function span. Without it, nothing of this is done.
   */
  traceProcessor?: OpenTelemetryTraceProcessor;
}

/** The approver recorded for a pause the SDK's own `state.reject(item)` rejected. */
export const SDK_REJECTER = 'openai-agents:state.reject';

/** The approver recorded when an answer does not name one. */
export const DEFAULT_APPROVER = 'openai-agents';

/**
 * ORBIT bound to the OpenAI Agents SDK: guarded tools, agents, agents-as-tools and handoffs, and the
 * answers to the SDK's interruptions. Make one per deployment (`createOrbit`) and process.
 */
export class OrbitAgents {
  readonly orbit: Orbit;
  readonly registry: RunRegistry<unknown>;
  /** @internal */ readonly usage: UsageCounter;
  /** @internal */ readonly decisions: DecidedCalls;
  /** @internal */ readonly answers: GivenAnswers;
  /** @internal */ readonly frames = new Frames();
  /** @internal The approver recorded when an answer names none. */
  readonly approver: string;
  /** @internal The bridge of the SDK's traces, if the application gave one. */
  readonly traceProcessor: OpenTelemetryTraceProcessor | undefined;
  private readonly hints: Record<string, ToolHints>;
  /** @internal Runs with a pause raised in this process, not known to be answered: rejections are looked for there. */
  readonly pausedRuns = new WeakSet<Run>();
  /** @internal The SDK's name of each guarded tool, by manifest name (the SDK rewrites `send-email`). */
  readonly sdkNames = new Map<string, string>();
  /**
   * @internal Roots a person stopped from inside a sub-agent (a denial with `stop_run`, given with
   * `answer()`): stopped when a call of theirs is next decided or run, before any sibling's call runs.
   */
  readonly stopsAsked = new WeakSet<Run>();
  /** The halt that ended each run's tools (an agent-as-tool's run: its parent is told, or stops). */
  private readonly halts = new WeakMap<Run, RunHaltedError>();
  /** Guarded clones of the agents given, so that a handoff back to one finds the same agent. */
  private readonly guardedAgents = new WeakMap<AnyAgent, AnyAgent>();
  /** The sub-agent run of each handoff: the agent it was handed to, and the run it was handed from. */
  private readonly handoffs = new WeakMap<Run, { agent: AnyAgent; from: Run }>();

  /** @throws OptionsInvalidError for an orbit or option of the wrong kind, naming it. */
  constructor(orbit: Orbit, options: OrbitAgentsOptions = {}) {
    checkBindingOptions(orbit, options);
    this.orbit = orbit;
    const cap = options.replayCache ?? DEFAULT_REPLAY_CACHE;
    this.registry = new RunRegistry(orbit, { replayCache: cap });
    this.usage = new UsageCounter(this.registry);
    this.decisions = new DecidedCalls(cap);
    this.answers = new GivenAnswers(cap);
    this.approver = options.approver ?? DEFAULT_APPROVER;
    this.hints = options.tools ?? {};
    this.traceProcessor = options.traceProcessor;
  }

  /**
   * A guarded SDK function tool: from an ORBIT definition (`defineTool`), from the SDK's `tool()`
   * options (without `needsApproval`: ORBIT decides), or from a function tool the SDK built.
   *
   * @throws OptionsInvalidError when the options lack a name or `execute`, or set `needsApproval`; for a
   * plain `agent.asTool()` (use `subAgent()`).
   */
  tool(definition: ToolDefinition | SdkToolOptions | FunctionTool): FunctionTool {
    checkRecord(
      definition as unknown,
      'orbitAgents.tool(definition)',
      "an ORBIT tool definition (defineTool), the SDK's tool() options or a function tool",
    );
    if (isGuarded(definition)) return definition as FunctionTool;
    const given = definition as { type?: unknown; input?: unknown; name?: string; on?: unknown };
    // agent.asTool() gives a function tool with `on` (its stream events): a delegation ORBIT must mint for.
    if (given.type === 'function' && typeof given.on === 'function')
      throw new OptionsInvalidError(
        `Tool "${given.name}" is an agent as a tool (agent.asTool()): its agent would act under its caller's run, with no token of its own. Use orbitAgents.subAgent(agent, { profile, ... }).`,
      );
    const hints = given.name === undefined ? undefined : this.hints[given.name];
    const entry =
      given.type === 'function'
        ? fromFunctionTool(this.orbit, definition as FunctionTool, hints)
        : given.input !== undefined && typeof (definition as ToolDefinition).execute === 'function'
          ? fromDefinition(this.orbit, definition as ToolDefinition, hints)
          : fromOptions(this.orbit, definition as SdkToolOptions, hints);
    return guardedTool(this, entry);
  }

  /**
   * The agent with every tool guarded (a clone: the given agent is left as it is). Its handoffs must
   * be `orbitAgents.handoff()`s, so that the receiving agent acts under a token minted for it.
   *
   * @throws OptionsInvalidError for a tool ORBIT cannot guard (a hosted tool, a plain `agent.asTool()`),
   * MCP servers (`mcpServers`: their tools would run undecided) or an unguarded handoff.
   */
  agent<A extends AnyAgent>(agent: A): A {
    checkAgent(agent, 'orbitAgents.agent(agent)');
    if ((agent as unknown as Record<symbol, unknown>)[GUARDED_AGENT]) return agent;
    const made = this.guardedAgents.get(agent);
    if (made) return made as A;
    if (agent.mcpServers.length > 0)
      throw new OptionsInvalidError(
        `Agent "${agent.name}" has mcpServers: the SDK lists their tools at run time and would run them with no ORBIT decision. List them yourself (getAllMcpTools / mcpToFunctionTool) and give each to orbitAgents.tool().`,
      );
    const tools = agent.tools.map((tool) => this.guardTool(agent.name, tool));
    const handoffs = agent.handoffs.map((handoff) => checkHandoff(agent.name, handoff));
    const clone = agent.clone({ tools: tools as never, handoffs: handoffs as never });
    Object.defineProperty(clone, GUARDED_AGENT, { value: true });
    // The SDK's clone() copies no listener: a clone of this agent (another model, other instructions) is
    // guarded again, so that its usage is counted and its handoff runs followed like this one's.
    const cloneOf = clone.clone.bind(clone);
    Object.defineProperty(clone, 'clone', {
      value: (config: Parameters<A['clone']>[0]) => this.agent(cloneOf(config) as A),
      configurable: true,
      writable: true,
    });
    // The final model response of a turn with no tool call is counted when the agent ends.
    clone.on('agent_end', (runContext) => this.countAtEnd(runContext as RunContext));
    clone.on('agent_start', (runContext) => this.actAsStarted(runContext as RunContext, clone));
    this.guardedAgents.set(agent, clone);
    return clone as A;
  }

  /**
   * An agent as a tool of another (`agent.asTool()`), run as a sub-agent: each call delegates (ORBIT
   * decides the spawn and mints a token from the profile, per call), and the agent's tools act under
   * that token, never under the caller's. Its interruptions surface at the top-level run and resume.
   */
  subAgent(agent: AnyAgent, options: SubAgentToolOptions): FunctionTool {
    checkAgent(agent, 'orbitAgents.subAgent(agent, options)');
    checkRecord(
      options,
      'orbitAgents.subAgent(agent, options) options',
      "an object with the profile ({ profile: 'researcher', ... })",
    );
    return subAgentTool(this, this.agent(agent), options);
  }

  /**
   * A handoff (`handoff()`) to an agent that acts under a token minted for it from its profile, each
   * time the conversation is handed to it: the context then names its run (`orbit_run`), never a token.
   */
  handoff(agent: AnyAgent, options: HandoffOptions): Handoff {
    checkAgent(agent, 'orbitAgents.handoff(agent, options)');
    checkRecord(
      options,
      'orbitAgents.handoff(agent, options) options',
      "an object with the profile ({ profile: 'billing', ... })",
    );
    return guardedHandoff(this, this.agent(agent), options);
  }

  /**
   * The interruptions of a paused run (`result.interruptions`, or a restored `RunState`'s) with what a
   * person needs to answer each: ORBIT's pause details (reasons, confidence, tier, action hash, depth)
   * and the arguments. An interruption ORBIT did not raise has no `orbit`.
   */
  pendingApprovals(paused: { interruptions?: unknown[]; state?: AnyRunState } | AnyRunState) {
    return pendingApprovals(this, paused);
  }

  /**
   * Answers one interruption: approve, deny (optionally `stop_run`) or edit (new arguments,
   * re-validated and re-gated before the tool runs). Checked here, before the SDK is told: an answer
   * bound to another action hash, or malformed, is refused and the interruption stays pending. Then
   * resume with the SDK's own `run(agent, state)`.
   *
   * @throws ApprovalUnknownError when ORBIT did not raise this interruption (nothing is recorded).
   * @throws ApprovalHashMismatchError, ApprovalAnswerInvalidError: the request stays pending.
   */
  answer(state: AnyRunState, interruption: PendingApproval | unknown, answer: OrbitAnswer): Promise<void> {
    return answerInterruption(this, state, interruption, answer);
  }

  /** The ORBIT run of a thread (its ledger, its decisions). */
  runOf(threadId: string): Run {
    return this.registry.thread(threadId, 'threadId');
  }

  /** Ends a thread's run (and forgets it and its sub-agents); the next call on the thread starts anew. */
  endRun(threadId: string, options?: { outcome?: 'success' | 'failure' | 'abandoned' }): Promise<void> {
    try {
      checkEndOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.registry.end(this.runOf(threadId), options);
  }

  /**
   * @internal The run a call acts under: the agent-as-tool invocation it is inside, else the sub-agent a
   * handoff handed the conversation to, else the thread's run.
   */
  actingRun(runContext: RunContext): Run {
    const current = this.registry.current();
    if (current !== undefined) return this.registry.subAgent(current, 'the agent-as-tool invocation');
    const fields = fieldsOf(runContext.context);
    const handedTo = fields[RUN_KEY];
    if (handedTo !== undefined) {
      const child = this.registry.subAgent(handedTo, `context.${RUN_KEY}`);
      // A saved state edited to name another thread's sub-agent must not act under its token.
      if (child.root.id !== fields[THREAD_KEY])
        throw new RunUnknownError(
          `context.${RUN_KEY} names run ${JSON.stringify(handedTo)}, which is not a sub-agent of thread ${JSON.stringify(fields[THREAD_KEY])}.`,
        );
      return child;
    }
    return this.registry.thread(fields[THREAD_KEY], `context.${THREAD_KEY}`);
  }

  /** @internal A handoff handed the conversation to `agent` under the sub-agent run `child`, from `parent`. */
  handedOff(child: Run, agent: AnyAgent, parent: Run): void {
    this.handoffs.set(child, { agent, from: parent });
  }

  /**
   * An agent starts a run of the SDK (the first agent of `run()`, or one handed the conversation): the
   * context's `orbit_run` is the run of the handoff that handed the conversation to this agent, else none
   * (the thread's run). A context object used again for a new `run()` from the first agent must not keep
   * acting under the sub-agent run a handoff of an earlier run named.
   */
  private actAsStarted(runContext: RunContext, agent: AnyAgent): void {
    if (this.registry.current() !== undefined) return; // an agent-as-tool acts under its invocation's run
    const fields = runContext.context as Record<string, unknown> | null;
    const named = fields !== null && typeof fields === 'object' ? fields[RUN_KEY] : undefined;
    if (named === undefined) return;
    let run: Run | undefined;
    try {
      run = this.registry.subAgent(named, `context.${RUN_KEY}`);
    } catch {
      return; // not a run this process handed to: actingRun refuses it
    }
    while (run !== undefined) {
      const handoff = this.handoffs.get(run);
      if (handoff === undefined) return; // not a handoff's run: left as it is
      if (handoff.agent === agent || handoff.agent.name === agent.name) {
        fields![RUN_KEY] = run.id;
        return;
      }
      run = handoff.from.depth > 0 ? handoff.from : undefined;
    }
    delete fields![RUN_KEY];
  }

  /** @internal A halted call ends unexecuted: `perform` records its outcome once and gives the halt. */
  async haltCall(run: Run, decision: Decision): Promise<RunHaltedError> {
    let halt: RunHaltedError | undefined;
    try {
      await run.perform(decision, () => undefined);
    } catch (error) {
      halt = haltOf(error);
      if (!halt) throw error;
    }
    halt ??= new Halted(decision);
    this.noteHalt(run, halt);
    return halt;
  }

  /** @internal Stops the run's root if a person asked for it from inside a sub-agent (see `stopsAsked`). */
  applyStop(run: Run): void {
    if (this.stopsAsked.delete(run.root)) run.root.stop();
  }

  /**
   * @internal What a guarded tool does first, when the SDK asks about a call and when it runs it: the run
   * the call acts under, with a stop asked from a sub-agent applied, the SDK's new usage counted and its
   * own rejections recorded. A promise only when there are rejections to look for (a pause raised in this
   * process): the common call takes no extra tick.
   */
  enterCall(runContext: RunContext): Run | Promise<Run> {
    const run = this.actingRun(runContext);
    this.applyStop(run);
    this.usage.count(run, runContext);
    if (!this.pausedRuns.has(run)) return run;
    return this.recordRejections(run, runContext).then(() => run);
  }

  /** @internal Keeps the halt that ended a run's tool, for the agent-as-tool around it. */
  noteHalt(run: Run, halt: RunHaltedError): void {
    if (!this.halts.has(run)) this.halts.set(run, halt);
  }

  /** @internal The halt that ended one of the run's tools, if any. */
  haltOf(run: Run): RunHaltedError | undefined {
    return this.halts.get(run);
  }

  private guardTool(agentName: string, tool: Tool<unknown>): FunctionTool {
    if (tool.type !== 'function')
      throw new OptionsInvalidError(
        `Agent "${agentName}" has a ${tool.type} tool${'name' in tool ? ` "${tool.name}"` : ''}: ORBIT guards function tools only, and a tool it cannot guard would run undecided. Remove it, or call it through a function tool.`,
      );
    return this.tool(tool as FunctionTool);
  }

  private countAtEnd(runContext: RunContext): void {
    let run: Run;
    try {
      run = this.actingRun(runContext);
    } catch {
      return; // no ORBIT thread in this context: no tool was guarded, nothing to count against
    }
    this.usage.count(run, runContext);
    // The SDK does not wait for its event listeners: a failure here is the run's, not the listener's.
    this.recordRejections(run, runContext).catch(() => undefined);
  }

  /**
   * @internal Records the SDK's own rejections (`state.reject(item)`) of pauses ORBIT raised, as denials
   * (approver `openai-agents:state.reject`, the SDK's rejection message as the comment) with the call not
   * executed: the SDK calls neither the tool nor its error function for them. Asked when ORBIT next sees
   * the run (a call decided or run, the agent's end); free when nothing is pending.
   */
  async recordRejections(run: Run, runContext: RunContext): Promise<void> {
    if (!this.pausedRuns.has(run)) return;
    const pending = run.pendingApprovals();
    if (pending.length === 0) {
      this.pausedRuns.delete(run);
      return;
    }
    for (const approval of pending) {
      const toolName = this.sdkNames.get(approval.tool) ?? approval.tool;
      if (runContext.isToolApproved({ toolName, callId: approval.call_id }) !== false) continue;
      const message = runContext.getRejectionMessage(toolName, approval.call_id);
      const { decision } = await run.resolveApproval(approval.approval_id, {
        type: 'deny',
        approver: SDK_REJECTER,
        action_hash: approval.action_hash,
        ...(message ? { comment: message } : {}),
      });
      // The call's outcome: not executed (perform records it once; a denial never runs the tool).
      await run
        .perform(decision, () => undefined)
        .catch((error: unknown) => {
          if (!haltOf(error)) throw error;
        });
    }
  }
}

/**
 * Binds ORBIT to the OpenAI Agents SDK.
 *
 * @example
 * const orbitAgents = orbitOpenAIAgents(orbit);
 * const agent = orbitAgents.agent(new Agent({ name: 'Billing', tools: [orbitAgents.tool(updateInvoice)] }));
 * const result = await run(agent, 'Reconcile March', { context: orbitContext('inv-42') });
 */
export function orbitOpenAIAgents(orbit: Orbit, options?: OrbitAgentsOptions): OrbitAgents {
  return new OrbitAgents(orbit, options);
}

function isGuarded(value: unknown): boolean {
  return typeof value === 'object' && value !== null && GUARDED in value;
}

function checkHandoff(agentName: string, handoff: unknown): unknown {
  if (isGuarded(handoff)) return handoff;
  const target = handoff instanceof Agent ? handoff.name : (handoff as { agentName?: string }).agentName;
  throw new OptionsInvalidError(
    `Agent "${agentName}" hands off to "${target}" without ORBIT: the receiving agent would act under its parent's run. Use orbitAgents.handoff(agent, { profile }) so that it acts under a token minted for it.`,
  );
}
