// Helpers of the adapter conformance suite (adapter-conformance.ts): a neutral manifest, tools that
// count their executions, deployments and readers of the audit log. Public API of the core only.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditEvent,
  createOrbit,
  defineTool,
  loadManifest,
  type ManifestInput,
  MemorySink,
  type Orbit,
  type OrbitOptions,
  type ToolDefinition,
  TrustAuthority,
} from '@orbit-agents/core';
import { z } from 'zod';
import type {
  DriverAnswer,
  Outcome,
  PendingView,
  ScriptedTurn,
  ToolResultView,
} from './adapter-conformance.js';

/**
 * The suite's manifest: one tool per tier, a tool bound to `invoice:*` resources, a tool that
 * throws, an explicitly blocked tool, and a `researcher` sub-agent profile (read and send only).
 */
export function conformanceManifest(): ManifestInput {
  return {
    agent_id: 'conformance-agent',
    manifest_version: 1,
    owner_team: '#team-test',
    deployed_at: '2026-11-01T09:00:00Z',
    task_scope: 'Adapter conformance',
    maturity_level: 3,
    allowed_tools: [
      { name: 'read', max_calls_per_run: 50, reversibility: 'read_only' },
      { name: 'draft', max_calls_per_run: 50, reversibility: 'reversible' },
      { name: 'update', max_calls_per_run: 50, reversibility: 'partial', confidence_threshold: 0.88 },
      { name: 'send', max_calls_per_run: 50, reversibility: 'irreversible', confidence_threshold: 0.9 },
      {
        name: 'pay',
        max_calls_per_run: 50,
        reversibility: 'irreversible',
        confidence_threshold: 0.9,
        resources: ['invoice:*'],
      },
      { name: 'explode', max_calls_per_run: 50, reversibility: 'read_only' },
    ],
    explicitly_blocked_tools: ['merge'],
    interruption_policy: {
      confidence_floor: 0.72,
      max_tokens_per_run: 80_000,
      max_records_touched_per_run: 200,
      time_limit_minutes: 30,
    },
    delegation: {
      max_depth: 1,
      max_sub_agents_per_run: 3,
      profiles: [
        {
          name: 'researcher',
          description: 'reads and sends, nothing else',
          tools: [
            { name: 'read', max_calls_per_run: 5 },
            { name: 'send', max_calls_per_run: 2 },
          ],
          may_delegate: false,
          ttl_seconds: 600,
        },
      ],
    },
  };
}

/** A deployment of the suite's manifest whose audit events go to a `MemorySink`. */
export function deployment(options: Partial<OrbitOptions> = {}): Promise<{ orbit: Orbit; sink: MemorySink }> {
  return deploymentOf({}, options);
}

/**
 * A deployment of the suite's manifest with `overrides` (top-level fields replaced), its audit events in a
 * `MemorySink`: the adapters' own tests deploy with it.
 *
 * @example
 * const { orbit, sink } = await deploymentOf(budget(100, 'hard'));
 */
export async function deploymentOf(
  overrides: Partial<ManifestInput> = {},
  options: Partial<OrbitOptions> = {},
): Promise<{ orbit: Orbit; sink: MemorySink }> {
  const manifest = await loadManifest({
    manifest: { ...conformanceManifest(), ...overrides },
    allowUnsigned: true,
    logger: { warn() {} },
  });
  const sink = new MemorySink();
  return { orbit: createOrbit({ manifest, sink, ...options }), sink };
}

/** A manifest override: the token budget per run, soft (a call over it pauses) or hard (it halts). */
export const budget = (tokens: number, mode: 'soft' | 'hard') => ({
  interruption_policy: {
    confidence_floor: 0.72,
    max_tokens_per_run: tokens,
    max_records_touched_per_run: 200,
    time_limit_minutes: 30,
    budget_mode: mode,
  },
});

/** A path for a SQLite store in a fresh temporary directory. */
export function tempDbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'orbit-conformance-')), 'runs.db');
}

/** The suite's tools (ORBIT definitions); each one logs the arguments of every execution. */
export function toolkit() {
  const executions: Record<string, unknown[]> = {};
  const logged = (name: string, input: unknown) => {
    executions[name] = [...(executions[name] ?? []), input];
  };
  const plain = (name: string) =>
    defineTool({
      name,
      description: `${name} a thing`,
      input: z.object({ id: z.string() }),
      // Like real I/O, a tool takes a moment: a replay can arrive while the call runs.
      execute: async (input) => {
        logged(name, input);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return `${name} ok ${input.id}`;
      },
    });
  const tools = {
    read: plain('read'),
    draft: plain('draft'),
    update: plain('update'),
    send: plain('send'),
    merge: plain('merge'),
    pay: defineTool({
      name: 'pay',
      description: 'pay an invoice',
      input: z.object({ id: z.string(), target: z.string() }),
      resource: (input) => input.target,
      execute: (input) => {
        logged('pay', input);
        return `paid ${input.id}`;
      },
    }),
    explode: defineTool({
      name: 'explode',
      description: 'always fails',
      input: z.object({ id: z.string() }),
      execute: (input): string => {
        logged('explode', input);
        throw new Error('tool exploded');
      },
    }),
  } satisfies Record<string, ToolDefinition>;
  return {
    tools,
    /** Every tool of the kit, for an agent that may call any of them. */
    all: Object.values(tools) as ToolDefinition[],
    /** How many times the named tool's `execute` ran. */
    runs: (name: keyof typeof tools) => executions[name]?.length ?? 0,
    /** The arguments of each execution of the named tool. */
    argsOf: (name: keyof typeof tools) => executions[name] ?? [],
  };
}

/** The `decision` events of one or more sinks, in order. */
export function decisions(...sinks: MemorySink[]): AuditEvent[] {
  return sinks.flatMap((sink) => sink.events.filter((event) => event.event === 'decision'));
}

/** The decision event of a call id (the test fails unless there is exactly one, across the sinks). */
export function decisionOf(callId: string, ...sinks: MemorySink[]): AuditEvent {
  const found = decisions(...sinks).filter((event) => event.call_id === callId);
  if (found.length !== 1) {
    throw new Error(`expected exactly one decision event for call ${callId}, found ${found.length}`);
  }
  return found[0]!;
}

/** How many decision events each call id has (every call should have exactly one). */
export function decisionCounts(...sinks: MemorySink[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of decisions(...sinks)) {
    const key = event.call_id ?? `(no call id: ${event.tool})`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The events of a kind (and optionally a call id). */
export function eventsOf(sink: MemorySink, kind: AuditEvent['event'], callId?: string): AuditEvent[] {
  return sink.events.filter(
    (event) => event.event === kind && (callId === undefined || event.call_id === callId),
  );
}

/** A scripted call: its id, its tool and its arguments (with the confidence ORBIT reads). */
export function call(id: string, tool: string, args: Record<string, unknown>, confidence = 0.99) {
  return { id, tool, args: { ...args, confidence } };
}

/**
 * A call of an adapter's model script, in the form the adapters' scripted models take (`{ id, name, args }`),
 * with the confidence ORBIT reads; {@link call} is the suite's own form.
 */
export function scriptedCall(id: string, name: string, args: Record<string, unknown>, confidence = 0.99) {
  return { id, name, args: { ...args, confidence } };
}

/** A spec's turns as the adapters' scripted models take them: `{ id, name, args }` per call. */
export const scriptOf = (turns: ScriptedTurn[]) =>
  turns.map((turn) => turn.map((call) => ({ id: call.id, name: call.tool, args: call.args })));

/** What an adapter's pending approval carries of ORBIT's pause (its `orbit` details). */
export interface PauseView {
  approval_id: string;
  action_hash: string;
  call_id: string;
  tool: string;
  args: unknown;
  depth: number;
}

/** ORBIT's pause details of a pending approval as the suite's neutral view. */
export function pendingView(orbit: PauseView): PendingView {
  return {
    approvalId: orbit.approval_id,
    actionHash: orbit.action_hash,
    callId: orbit.call_id,
    tool: orbit.tool,
    args: orbit.args,
    depth: orbit.depth,
  };
}

/**
 * The action hash a driver's answer carries: the one the answer names (a wrong one, on purpose), none when
 * it asks not to bind, else the request's `actionHash`.
 */
export function boundHash(answer: DriverAnswer, actionHash: string): string | undefined {
  if (answer.type === 'raw') return undefined;
  return answer.actionHash ?? (answer.bindHash === false ? undefined : actionHash);
}

/** Answers. */
export const approve: DriverAnswer = { type: 'approve' };
export const deny: DriverAnswer = { type: 'deny' };

/** The results of a `done` outcome (the test fails on any other). */
export function done(outcome: Outcome): ToolResultView[] {
  if (outcome.status !== 'done') throw new Error(`expected done, got ${JSON.stringify(outcome)}`);
  return outcome.results;
}

/** The pending approvals of a `paused` outcome (the test fails on any other). */
export function paused(outcome: Outcome) {
  if (outcome.status !== 'paused') throw new Error(`expected paused, got ${JSON.stringify(outcome)}`);
  return outcome.pending;
}

/** The result of a call id (the test fails when it has none). */
export function resultOf(results: ToolResultView[], callId: string): ToolResultView {
  const result = results.find((r) => r.callId === callId);
  if (!result) throw new Error(`no result for call ${callId} in ${JSON.stringify(results)}`);
  return result;
}

/** A trust authority that keeps every token it mints (to look for them where they must not be). */
export async function capturingAuthority() {
  const tokens: string[] = [];
  const authority = await TrustAuthority.ephemeral();
  const mint = authority.mint.bind(authority);
  authority.mint = async (claims) => {
    const minted = await mint(claims);
    tokens.push(minted.token);
    return minted;
  };
  return { authority, tokens };
}
