// The adapter conformance suite: what every framework adapter must do (design/ADAPTERS.md), run by
// each adapter with a small driver of its own. Public API of the core only, so that it holds for
// any adapter built on any version of the core's kit.
import { randomUUID } from 'node:crypto';
import { type Orbit, SqliteStore, type ToolDefinition } from '@orbit-agents/core';
import { describe, expect, it } from 'vitest';
import {
  approve,
  call,
  capturingAuthority,
  decisionCounts,
  decisionOf,
  decisions,
  deny,
  deployment,
  done,
  eventsOf,
  paused,
  resultOf,
  tempDbPath,
  toolkit,
} from './adapter-conformance-support.js';

export { conformanceManifest } from './adapter-conformance-support.js';

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
  'tool-error': 'a tool that throws gives the model an error result and an outcome event; the run goes on',
  delegation:
    "a sub-agent acts under a token minted for it, its approvals surface at the top and resume into it, and it cannot use its parent's tools",
  'stop-run-in-sub-agent':
    "a person's deny with stop_run on a sub-agent's request halts the whole run; nothing further runs in parent or child",
  'halt-in-sub-agent':
    "a policy halt inside a sub-agent ends the sub-agent only: its parent's model is told, as a refusal, and the parent goes on",
  'no-token-persisted':
    'no minted token (nor its signature) is in the persisted thread state, the audit events or the pending approvals',
  restart:
    'a pause survives a restart: on a new orbit over the same store, the approved call runs once, the auto call not again, nothing is decided twice',
  'restart-replay':
    'after a restart, a second resume (a replay of the answered step) runs nothing and decides nothing again',
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

/**
 * Registers the conformance cases. `makeDriver` is called once per case (a fresh checkpointer).
 *
 * @example
 * adapterConformance(() => langGraphDriver());
 */
export function adapterConformance(makeDriver: () => AdapterDriver): void {
  const { name, skip = {} } = makeDriver();
  const test = (id: ConformanceCase, fn: () => Promise<void>) => {
    const why = skip[id];
    if (why) it.skip(`${CONFORMANCE_CASES[id]} [${id}: skipped, ${why}]`, fn);
    else it(`${CONFORMANCE_CASES[id]} [${id}]`, fn);
  };
  const thread = () => `conformance-${randomUUID()}`;

  /** An agent on a fresh deployment with the suite's tools. */
  async function setUp(turns: ScriptedTurn[], sub?: Omit<SubAgentSpec, 'tools'>, options = {}) {
    const kit = toolkit();
    const { orbit, sink } = await deployment(options);
    const driver = makeDriver();
    const threadId = thread();
    const subAgent = sub && {
      ...sub,
      tools: [kit.tools.read, kit.tools.send, kit.tools.draft, kit.tools.merge],
    };
    const spec: AgentSpec = { orbit, tools: kit.all, turns, threadId, ...(subAgent ? { subAgent } : {}) };
    return { kit, sink, orbit, driver, threadId, spec, agent: driver.agent(spec) };
  }
  const researcher = (turns: ScriptedTurn[]) => ({
    name: 'research',
    description: 'delegate research',
    profile: 'researcher',
    turns,
  });

  describe(`adapter conformance: ${name}`, () => {
    describe('pauses and answers', () => {
      test('mixed-batch', async () => {
        const { agent, kit, sink } = await setUp([
          [
            call('c-auto', 'read', { id: 'r1' }),
            call('c-approve', 'update', { id: 'u1' }, 0.8),
            call('c-deny', 'send', { id: 's1' }, 0.8),
            call('c-bad', 'draft', { id: 42 }),
          ],
        ]);
        const pending = paused(await agent.invoke());
        expect(pending.map((p) => p.callId).sort()).toEqual(['c-approve', 'c-deny']);
        expect(pending.every((p) => p.depth === 0 && p.error === undefined)).toBe(true);
        expect(kit.runs('read')).toBe(1);
        const results = done(await agent.resume((p) => (p.tool === 'update' ? approve : deny)));
        expect(results.map((r) => r.callId)).toEqual(['c-auto', 'c-approve', 'c-deny', 'c-bad']);
        expect(resultOf(results, 'c-auto')).toMatchObject({ isError: false, content: 'read ok r1' });
        expect(resultOf(results, 'c-approve')).toMatchObject({ isError: false, content: 'update ok u1' });
        expect(resultOf(results, 'c-deny')).toMatchObject({ isError: true });
        expect(resultOf(results, 'c-deny').content).toContain('approval_denied');
        expect(resultOf(results, 'c-bad').content).toContain('input_invalid');
        expect([kit.runs('read'), kit.runs('update'), kit.runs('send'), kit.runs('draft')]).toEqual([
          1, 1, 0, 0,
        ]);
        expect(decisionCounts(sink)).toEqual({ 'c-auto': 1, 'c-approve': 1, 'c-deny': 1, 'c-bad': 1 });
        expect(decisionOf('c-auto', sink).decision).toBe('proceed');
        expect(decisionOf('c-approve', sink)).toMatchObject({
          decision: 'pause',
          reasons: ['below_tool_threshold'],
        });
        expect(decisionOf('c-deny', sink).decision).toBe('pause');
        expect(decisionOf('c-bad', sink)).toMatchObject({ decision: 'block', reasons: ['input_invalid'] });
        expect(
          eventsOf(sink, 'outcome')
            .map((e) => `${e.call_id} ${e.status}`)
            .sort(),
        ).toEqual(['c-approve executed', 'c-auto executed', 'c-bad not_executed', 'c-deny not_executed']);
      });

      test('duplicate-resume', async () => {
        const { agent, kit, sink } = await setUp([
          [call('c-auto', 'read', { id: 'r1' }), call('c-send', 'send', { id: 's1' }, 0.5)],
        ]);
        paused(await agent.invoke());
        const first = await agent.resume(() => approve);
        const events = sink.events.length;
        // The model sees what it saw the first time: the calls' recorded results, not refusals.
        expect(await agent.resume(() => approve)).toEqual(first);
        expect([kit.runs('read'), kit.runs('send')]).toEqual([1, 1]);
        expect(decisionCounts(sink)).toEqual({ 'c-auto': 1, 'c-send': 1 });
        expect(
          sink.events.slice(events).filter((e) => e.event === 'outcome' || e.event === 'decision'),
        ).toEqual([]);
      });

      test('concurrent-resume', async () => {
        const { agent, kit, sink } = await setUp([
          [call('c-auto', 'read', { id: 'r1' }), call('c-send', 'send', { id: 's1' }, 0.5)],
        ]);
        paused(await agent.invoke());
        const outcomes = await Promise.all([agent.resume(() => approve), agent.resume(() => approve)]);
        expect(outcomes.map((o) => o.status)).toEqual(['done', 'done']);
        expect([kit.runs('read'), kit.runs('send')]).toEqual([1, 1]);
        expect(decisionCounts(sink)).toEqual({ 'c-auto': 1, 'c-send': 1 });
        expect(eventsOf(sink, 'outcome', 'c-send').filter((e) => e.status === 'executed')).toHaveLength(1);
      });

      test('edit', async () => {
        const { agent, kit, sink } = await setUp([[call('c-send', 'send', { id: 'wrong' }, 0.5)]]);
        paused(await agent.invoke());
        const results = done(await agent.resume(() => ({ type: 'edit', args: { id: 'right' } })));
        expect(kit.argsOf('send')).toEqual([{ id: 'right' }]);
        expect(resultOf(results, 'c-send')).toMatchObject({ isError: false, content: 'send ok right' });
        expect(eventsOf(sink, 'approval', 'c-send').map((e) => [e.approval, e.input])).toContainEqual([
          'edit',
          { id: 'right' },
        ]);
        expect(decisionCounts(sink)).toEqual({ 'c-send': 1 });
      });

      test('invalid-edit', async () => {
        const { agent, kit } = await setUp([[call('c-send', 'send', { id: 'x' }, 0.5)]]);
        paused(await agent.invoke());
        const results = done(await agent.resume(() => ({ type: 'edit', args: { id: 42 } })));
        expect(kit.runs('send')).toBe(0);
        expect(resultOf(results, 'c-send').isError).toBe(true);
        expect(resultOf(results, 'c-send').content).toContain('input_invalid');
      });

      test('edit-regated', async () => {
        const { agent, kit } = await setUp([
          [call('c-pay', 'pay', { id: 'p1', target: 'invoice:1' }, 0.5)],
          [call('c-after', 'read', { id: 'after' })],
        ]);
        expect(paused(await agent.invoke())[0]).toMatchObject({
          tool: 'pay',
          args: { id: 'p1', target: 'invoice:1' },
        });
        const outcome = await agent.resume(() => ({
          type: 'edit',
          args: { id: 'p1', target: 'account:9' },
        }));
        expect(outcome).toEqual({ status: 'halted', reasons: ['resource_not_in_manifest'] });
        expect([kit.runs('pay'), kit.runs('read')]).toEqual([0, 0]);
      });

      test('malformed-answer', async () => {
        const { agent, kit, sink } = await setUp([[call('c-send', 'send', { id: 's1' }, 0.5)]]);
        const [first] = paused(await agent.invoke());
        const [again, ...others] = paused(
          await agent.resume(() => ({ type: 'raw', value: { approved: true } })),
        );
        expect(others).toEqual([]);
        expect(again).toMatchObject({
          approvalId: first!.approvalId,
          actionHash: first!.actionHash,
          callId: 'c-send',
        });
        expect(again!.error).toEqual(expect.any(String));
        expect(kit.runs('send')).toBe(0);
        done(await agent.resume(() => approve));
        expect(kit.runs('send')).toBe(1);
        expect(decisionCounts(sink)).toEqual({ 'c-send': 1 });
      });

      test('hash-mismatch', async () => {
        const { agent, kit, sink } = await setUp([[call('c-send', 'send', { id: 's1' }, 0.5)]]);
        const [first] = paused(await agent.invoke());
        const [again] = paused(await agent.resume(() => ({ type: 'approve', actionHash: 'sha256:other' })));
        expect(again).toMatchObject({ approvalId: first!.approvalId, callId: 'c-send' });
        expect(again!.error).toEqual(expect.any(String));
        expect(kit.runs('send')).toBe(0);
        done(await agent.resume(() => approve));
        expect(kit.runs('send')).toBe(1);
        expect(eventsOf(sink, 'approval', 'c-send').map((e) => e.approval)).toEqual(['requested', 'approve']);
      });
    });

    describe('halts, blocks and errors', () => {
      test('halt', async () => {
        const { agent, kit, sink } = await setUp([
          [call('c-merge', 'merge', { id: 'm' })],
          [call('c-read', 'read', { id: 'r' })],
        ]);
        expect(await agent.invoke()).toEqual({ status: 'halted', reasons: ['tool_explicitly_blocked'] });
        expect([kit.runs('merge'), kit.runs('read')]).toEqual([0, 0]);
        expect(decisions(sink).map((e) => [e.call_id, e.decision])).toEqual([['c-merge', 'halt']]);
      });

      test('tool-error', async () => {
        const { agent, kit, sink } = await setUp([
          [call('c-err', 'explode', { id: 'x' })],
          [call('c-next', 'read', { id: 'r' })],
        ]);
        const results = done(await agent.invoke());
        expect(resultOf(results, 'c-err').isError).toBe(true);
        expect(resultOf(results, 'c-err').content).toContain('tool exploded');
        expect(eventsOf(sink, 'outcome', 'c-err')).toEqual([expect.objectContaining({ status: 'error' })]);
        expect(resultOf(results, 'c-next')).toMatchObject({ isError: false, content: 'read ok r' });
        expect([kit.runs('explode'), kit.runs('read')]).toEqual([1, 1]);
      });
    });

    describe('delegation', () => {
      test('delegation', async () => {
        const { agent, kit, sink } = await setUp(
          [[call('p-research', 'research', { task: 'find x' })], [call('p-after', 'read', { id: 'parent' })]],
          researcher([
            [call('k-read', 'read', { id: 'r1' }), call('k-send', 'send', { id: 's1' }, 0.5)],
            [call('k-draft', 'draft', { id: 'd1' })],
          ]),
        );
        const [pending, ...others] = paused(await agent.invoke());
        expect(others).toEqual([]);
        expect(pending).toMatchObject({ callId: 'k-send', tool: 'send', depth: 1 });
        const results = done(await agent.resume(() => approve));
        expect([kit.runs('read'), kit.runs('send'), kit.runs('draft')]).toEqual([2, 1, 0]);
        expect(resultOf(results, 'p-after').content).toBe('read ok parent');

        const spawn = decisions(sink).filter((e) => e.tool === 'spawn_sub_agent');
        expect(spawn).toEqual([expect.objectContaining({ decision: 'proceed' })]);
        const minted = eventsOf(sink, 'token').filter((e) => e.token === 'minted');
        expect(minted).toHaveLength(1);
        for (const id of ['k-read', 'k-send', 'k-draft']) {
          expect(decisionOf(id, sink)).toMatchObject({
            token_id: minted[0]!.token_id,
            parent_run_id: spawn[0]!.run_id,
            run_id: expect.not.stringMatching(`^${spawn[0]!.run_id}$`),
          });
        }
        expect(['halt', 'block']).toContain(decisionOf('k-draft', sink).decision);
        expect(decisionOf('k-draft', sink).reasons).toContain('token_scope_violation');
        expect(decisionOf('p-after', sink)).toMatchObject({ decision: 'proceed', parent_run_id: null });
        expect(decisionOf('p-after', sink).token_id).toBeUndefined();
        expect(decisionCounts(sink)).toMatchObject({
          'k-read': 1,
          'k-send': 1,
          'k-draft': 1,
          'p-after': 1,
        });
      });

      test('stop-run-in-sub-agent', async () => {
        const { agent, kit } = await setUp(
          [[call('p-research', 'research', { task: 't' })], [call('p-after', 'read', { id: 'parent' })]],
          researcher([
            [call('k-send', 'send', { id: 's1' }, 0.5)],
            [call('k-read', 'read', { id: 'child' })],
          ]),
        );
        expect(paused(await agent.invoke())[0]).toMatchObject({ callId: 'k-send', depth: 1 });
        const outcome = await agent.resume(() => ({ type: 'deny', stopRun: true }));
        expect(outcome.status).toBe('halted');
        expect(outcome.status === 'halted' && outcome.reasons).toContain('approval_denied');
        expect([kit.runs('send'), kit.runs('read')]).toEqual([0, 0]);
      });

      test('halt-in-sub-agent', async () => {
        const { agent, kit, sink } = await setUp(
          [[call('p-research', 'research', { task: 't' })], [call('p-after', 'read', { id: 'parent' })]],
          researcher([[call('k-merge', 'merge', { id: 'm' })], [call('k-read', 'read', { id: 'child' })]]),
        );
        const results = done(await agent.invoke());
        expect(decisionOf('k-merge', sink)).toMatchObject({
          decision: 'halt',
          reasons: ['tool_explicitly_blocked'],
        });
        expect(resultOf(results, 'p-research').isError).toBe(true);
        expect(resultOf(results, 'p-research').content).toContain('tool_explicitly_blocked');
        expect(kit.argsOf('read')).toEqual([{ id: 'parent' }]);
        expect(kit.runs('merge')).toBe(0);
      });

      test('no-token-persisted', async () => {
        const { authority, tokens } = await capturingAuthority();
        const { agent, sink } = await setUp(
          [[call('p-research', 'research', { task: 't' })]],
          researcher([[call('k-send', 'send', { id: 's1' }, 0.5)]]),
          { trust: authority },
        );
        const pending = paused(await agent.invoke());
        const whilePaused = await agent.persisted();
        done(await agent.resume(() => approve));
        const everything = [
          whilePaused,
          await agent.persisted(),
          JSON.stringify(sink.events),
          JSON.stringify(pending),
        ].join('\n');
        expect(tokens).toHaveLength(1);
        expect(everything).toContain('k-send');
        for (const token of tokens) {
          expect(everything).not.toContain(token);
          expect(everything).not.toContain(token.split('.')[2]!);
        }
      });
    });

    describe('across processes', () => {
      /** Orbit A pauses on the thread; orbit B (a new store instance of the same file) and a new agent take it up. */
      async function restarted() {
        const path = tempDbPath();
        const kit = toolkit();
        const driver = makeDriver();
        const threadId = thread();
        const turns = [[call('c-auto', 'read', { id: 'r1' }), call('c-send', 'send', { id: 's1' }, 0.5)]];
        const stores = [new SqliteStore({ path }), new SqliteStore({ path })];
        const a = await deployment({ store: stores[0]! });
        paused(await driver.agent({ orbit: a.orbit, tools: kit.all, turns, threadId }).invoke());
        expect([kit.runs('read'), kit.runs('send')]).toEqual([1, 0]);
        const b = await deployment({ store: stores[1]! });
        const agent = driver.agent({ orbit: b.orbit, tools: kit.all, turns, threadId });
        const close = () => Promise.all(stores.map((store) => store.close()));
        return { kit, agent, sinks: [a.sink, b.sink], close };
      }

      test('restart', async () => {
        const { kit, agent, sinks, close } = await restarted();
        const results = done(await agent.resume(() => approve));
        expect(resultOf(results, 'c-send').content).toBe('send ok s1');
        expect([kit.runs('read'), kit.runs('send')]).toEqual([1, 1]);
        expect(decisionCounts(...sinks)).toEqual({ 'c-auto': 1, 'c-send': 1 });
        await close();
      });

      test('restart-replay', async () => {
        const { kit, agent, sinks, close } = await restarted();
        done(await agent.resume(() => approve));
        expect((await agent.resume(() => approve)).status).not.toBe('paused');
        expect([kit.runs('read'), kit.runs('send')]).toEqual([1, 1]);
        expect(decisionCounts(...sinks)).toEqual({ 'c-auto': 1, 'c-send': 1 });
        await close();
      });
    });

    it.todo('bounds the replay cache ...');
  });
}
