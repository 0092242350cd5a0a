// The adapter conformance suite's driver interface: what an adapter supplies to run the suite
// (adapter-conformance.ts) on its framework. Framework-neutral; public API of the core only.
import type { Orbit, Run, ToolDefinition } from '@orbit-agents/core';

/** One tool call of a scripted model message. */
export interface ScriptedCall {
  /** The tool call id (unique within the thread). */
  id: string;
  /** The tool's name. */
  tool: string;
  /** The arguments as the model gives them, ORBIT's `confidence` included. */
  args: Record<string, unknown>;
}

/** One model message's tool calls (parallel calls). After the last turn the model answers with text. */
export type ScriptedTurn = ScriptedCall[];

/** A sub-agent the parent delegates to. */
export interface SubAgentSpec {
  /** The tool name the parent's model calls it by, with arguments `{ task: string }` (+ confidence). */
  name: string;
  /** The tool description the parent's model sees. */
  description: string;
  /** The manifest's sub-agent profile its token is minted from. */
  profile: string;
  /** The sub-agent's tools (ORBIT definitions). */
  tools: ToolDefinition[];
  /** The sub-agent's model script (one conversation per delegation). */
  turns: ScriptedTurn[];
}

/** What an agent is made of. */
export interface AgentSpec {
  /** The deployment: its manifest, store, sink and trust authority. */
  orbit: Orbit;
  /** ORBIT tool definitions (`defineTool`); the driver turns them into the framework's native tools. */
  tools: ToolDefinition[];
  /** The parent model's script. */
  turns: ScriptedTurn[];
  /** A sub-agent offered to the parent as a tool, delegated to through the adapter. */
  subAgent?: SubAgentSpec;
  /** The conversation (thread) id: one ORBIT run per thread. */
  threadId: string;
  /** The adapter's replay cache (results kept per run to answer replays); default the adapter's. */
  replayCache?: number;
  /** Run all tool calls of one model message in one framework step (LangGraph: createAgent "v1"), if the framework can. */
  sharedStep?: boolean;
  /** Tokens each model response reports as its usage (the framework's own usage report). */
  usage?: number;
}

/** A pending approval as the framework surfaced it at the top-level invoke. */
export interface PendingView {
  /** ORBIT's approval id (the same across re-asks of one request). */
  approvalId: string;
  /** The action hash an answer must be bound to. */
  actionHash: string;
  /** The paused tool call's id. */
  callId: string;
  /** The paused tool's name. */
  tool: string;
  /** The arguments the approval is asked for. */
  args: unknown;
  /** 0 for the top-level agent, 1 for its sub-agent. */
  depth: number;
  /** Set when an earlier answer to this request was refused (malformed, or bound to another hash). */
  error?: string;
}

/** A human's answer to one pending approval, in neutral terms; the driver maps it to the framework's. */
export type DriverAnswer =
  | {
      type: 'approve' | 'deny';
      /** Carry the request's action hash (default true). */
      bindHash?: boolean;
      /** Carry this hash instead (a wrong one, on purpose). */
      actionHash?: string;
      /** With `deny`: stop the whole run. */
      stopRun?: boolean;
    }
  | {
      type: 'edit';
      /** The edited arguments (without confidence). */
      args: Record<string, unknown>;
      /** Carry the request's action hash (default true). */
      bindHash?: boolean;
      /** Carry this hash instead. */
      actionHash?: string;
    }
  /** The framework's resume value for this request, as is (a malformed answer). */
  | { type: 'raw'; value: unknown };

/** The result a tool call of the top-level agent gave its model. */
export interface ToolResultView {
  /** The tool call id. */
  callId: string;
  /** The tool's name. */
  tool: string;
  /** The content the model reads. */
  content: string;
  /** True for an error result (a refusal, a tool that threw). */
  isError: boolean;
}

/** How an invoke or a resume ended. */
export type Outcome =
  /** The model answered with text: every tool call of the conversation got a result (in call order). */
  | { status: 'done'; results: ToolResultView[] }
  /** Waiting for humans: the pending approvals (sub-agents' included). */
  | { status: 'paused'; pending: PendingView[] }
  /** The invoke ended with ORBIT's `RunHaltedError`; the reasons of its decision. */
  | { status: 'halted'; reasons: string[] };

/** One agent on one thread. */
export interface AgentSession {
  /** Starts the conversation (a user message) and runs it until it is done, paused or halted. */
  invoke(): Promise<Outcome>;
  /**
   * Answers the pending approvals, one answer each, and resumes. The pending approvals are those of
   * this session's last paused outcome; a session that has seen none (a restarted process) reads
   * them from the framework's persisted thread state. Calling it again re-delivers answers to the
   * same requests in the same paused state (a duplicate resume): the framework replays the step the
   * requests were raised in, as it would for a resume that arrived twice, not a no-op on a thread
   * that has moved on (LangGraph: the resume goes to the checkpoint the interrupts were raised in).
   */
  resume(answer: (pending: PendingView) => DriverAnswer): Promise<Outcome>;
  /** Everything the framework persisted for the thread (checkpoints, saved state), serialised. */
  persisted(): Promise<string>;
  /** The ORBIT run the thread is bound to (its ledger shows the usage counted). */
  run(): Run;
  /** How many results the adapter keeps for the thread's run to answer replays. */
  replayCacheSize(): number;
}

/** The cases of the suite: id (for `AdapterDriver.skip`) and what it specifies. */
export const CONFORMANCE_CASES = {
  'mixed-batch':
    'a batch of parallel calls: the auto call runs at once, each paused call waits for its own answer, the blocked one never runs; each call is decided once and gets a result',
  'duplicate-resume':
    'a resume delivered twice runs nothing again, records no second decision and gives the same results',
  'concurrent-resume': 'two resumes of the same pause at once: the paused tool runs once in all',
  edit: 'an edit runs the tool once, with the edited arguments',
  'invalid-edit': 'an edit whose arguments fail the schema is blocked (input_invalid); the tool does not run',
  'edit-regated':
    'an edit is gated again: edited arguments naming a resource outside the manifest halt the run',
  'malformed-answer':
    'a malformed answer is refused: the same request is raised again with an error, nothing runs, then a valid answer works',
  'hash-mismatch':
    'an answer bound to another action hash is refused and the request stays pending; the right one then works',
  halt: 'a call to an explicitly blocked tool halts the invoke with the reasons; nothing after it runs',
  'halt-inside-tool':
    'a tool that makes a guarded call itself, which halts: the halt ends the invoke (it is not the tool error), nothing after it runs',
  'tool-error': 'a tool that throws gives the model an error result and an outcome event; the run goes on',
  delegation:
    "a sub-agent acts under a token minted for it, its approvals surface at the top and resume into it, and it cannot use its parent's tools",
  'stop-run-in-sub-agent':
    "a person's deny with stop_run on a sub-agent's request halts the whole run; nothing further runs in parent or child, and the parent's next call halts",
  'halt-in-sub-agent':
    "a policy halt inside a sub-agent ends the sub-agent only: its parent's model is told, as a refusal, and the parent goes on",
  'no-token-persisted':
    'no minted token (nor its signature) is in the persisted thread state, the audit events or the pending approvals',
  restart:
    'a pause survives a restart: on a new orbit over the same store, the approved call runs once, the auto call not again, nothing is decided twice',
  'restart-replay':
    'after a restart, a second resume (a replay of the answered step) runs nothing and decides nothing again',
  'shared-step':
    'calls sharing one framework step: an answer that does not name its request (no action hash) is refused and asked again, so it can never reach another call; a call answered earlier in the step runs with its answer (an edit) and gives its result',
  usage:
    "the framework's token usage counts into the run's budget once per model response, also when a step is replayed",
  'replay-cache-bound':
    'the replay cache stays within its bound, and a call it forgot is still never run again (a refusal answers its replay)',
} as const;

/** A case id. */
export type ConformanceCase = keyof typeof CONFORMANCE_CASES;

/** How the suite drives one framework. */
export interface AdapterDriver {
  /** The framework's name, in the suite's title. */
  name: string;
  /**
   * Cases this adapter cannot meet on its framework: case id -> why. A named, documented skip: the
   * reason is in the skipped test's title (and belongs in the adapter's README).
   */
  skip?: Partial<Record<ConformanceCase, string>>;
  /**
   * An agent for a thread. Agents made by one driver with the same `threadId` share the framework's
   * persisted thread state (its checkpointer): a new agent on a new orbit (same store) is a process
   * restart.
   */
  agent(spec: AgentSpec): AgentSession;
}
