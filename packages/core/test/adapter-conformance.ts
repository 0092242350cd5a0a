// The adapter conformance suite: what every framework adapter must do (design/ADAPTERS.md), run by
// each adapter with a small driver of its own. Public API of the core only, so that it holds for
// any adapter built on any version of the core's kit.
import { randomUUID } from 'node:crypto';
import { defineTool } from '@orbit-agents/core';
import { SqliteStore } from '@orbit-agents/core/stores/sqlite';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type AdapterDriver,
  type AgentSpec,
  CONFORMANCE_CASES,
  type ConformanceCase,
  type DriverAnswer,
  type PendingView,
  type ScriptedTurn,
  type SubAgentSpec,
} from './adapter-conformance-driver.js';
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

export * from './adapter-conformance-driver.js';
export { conformanceManifest } from './adapter-conformance-support.js';

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
  async function setUp(
    turns: ScriptedTurn[],
    sub?: Omit<SubAgentSpec, 'tools'>,
    options = {},
    extra: Pick<AgentSpec, 'replayCache' | 'sharedStep' | 'usage'> = {},
  ) {
    const kit = toolkit();
    const { orbit, sink } = await deployment(options);
    const driver = makeDriver();
    const threadId = thread();
    const subAgent = sub && {
      ...sub,
      tools: [kit.tools.read, kit.tools.send, kit.tools.draft, kit.tools.merge],
    };
    const spec: AgentSpec = {
      orbit,
      tools: kit.all,
      turns,
      threadId,
      ...extra,
      ...(subAgent ? { subAgent } : {}),
    };
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
        // Each resume gives the model the call's result: the second waits for the running call.
        for (const outcome of outcomes)
          expect(resultOf(done(outcome), 'c-send')).toMatchObject({ isError: false, content: 'send ok s1' });
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
        // The halted call is recorded as not executed, once, as a refused call is.
        expect(eventsOf(sink, 'outcome', 'c-merge')).toEqual([
          expect.objectContaining({ status: 'not_executed', decision: 'halt' }),
        ]);
      });

      test('halt-inside-tool', async () => {
        const kit = toolkit();
        const { orbit, sink } = await deployment();
        // A tool that makes a guarded call itself (here, to a blocked tool): its halt ends the invoke.
        const merge = defineTool({ name: 'merge', input: z.object({}), execute: () => 'merged' });
        const draft = defineTool({
          name: 'draft',
          description: 'drafts, merging first through ORBIT',
          input: z.object({ id: z.string() }),
          execute: async () => {
            await orbit.startRun().execute(merge, { confidence: 1 });
            return 'drafted';
          },
        });
        const turns = [[call('c-draft', 'draft', { id: 'd' })], [call('c-read', 'read', { id: 'r' })]];
        const agent = makeDriver().agent({
          orbit,
          tools: [draft, kit.tools.read],
          turns,
          threadId: thread(),
        });
        expect(await agent.invoke()).toEqual({ status: 'halted', reasons: ['tool_explicitly_blocked'] });
        expect(kit.runs('read')).toBe(0);
        expect(decisionOf('c-draft', sink).decision).toBe('proceed');
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
        // The person stopped the whole run, not only the sub-agent: the parent's next call halts too.
        expect(agent.run().halted).toBe(true);
        expect(await agent.invoke()).toEqual({ status: 'halted', reasons: ['run_halted'] });
        expect(kit.runs('read')).toBe(0);
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

    describe('replays and usage', () => {
      test('shared-step', async () => {
        const { agent, kit, sink } = await setUp(
          [[call('c-update', 'update', { id: 'u1' }, 0.8), call('c-send', 'send', { id: 's1' }, 0.8)]],
          undefined,
          {},
          { sharedStep: true },
        );
        const first = paused(await agent.invoke());
        // Answers found by their position in the step: without a hash, none may apply.
        const unbound = (p: PendingView): DriverAnswer => ({
          type: p.tool === 'update' ? 'deny' : 'approve',
          bindHash: false,
        });
        const again = paused(await agent.resume(unbound));
        expect(again.map((p) => p.callId)).toEqual(first.map((p) => p.callId));
        expect(again.every((p) => p.error?.includes('action_hash'))).toBe(true);
        expect([kit.runs('update'), kit.runs('send')]).toEqual([0, 0]);
        // Bound answers apply, each to its own call (a framework may raise the step's requests one by one),
        // and a call answered earlier in the step runs with its answer's arguments (an edit's).
        const answer = (p: PendingView): DriverAnswer =>
          p.tool === 'update' ? { type: 'edit', args: { id: 'u-edited' } } : deny;
        let outcome = await agent.resume(answer);
        for (let i = 0; i < 3 && outcome.status === 'paused'; i++) outcome = await agent.resume(answer);
        const results = done(outcome);
        expect(kit.argsOf('update')).toEqual([{ id: 'u-edited' }]);
        expect(kit.runs('send')).toBe(0);
        expect(resultOf(results, 'c-update').content).toBe('update ok u-edited');
        expect(resultOf(results, 'c-send').content).toContain('approval_denied');
        expect(decisionCounts(sink)).toEqual({ 'c-update': 1, 'c-send': 1 });
      });

      test('usage', async () => {
        const { agent } = await setUp(
          [[call('c-send', 'send', { id: 's1' }, 0.5)], [call('c-read', 'read', { id: 'r1' })]],
          undefined,
          {},
          { usage: 60 },
        );
        paused(await agent.invoke());
        expect(agent.run().ledger.tokens).toBe(60); // the first response
        done(await agent.resume(() => approve));
        expect(agent.run().ledger.tokens).toBe(180); // three responses: two with calls, one final
        done(await agent.resume(() => approve)); // the step replayed: its responses are not counted again
        expect(agent.run().ledger.tokens).toBe(180);
      });

      test('replay-cache-bound', async () => {
        const { agent, kit, sink } = await setUp(
          [
            [call('c-send', 'send', { id: 's1' }, 0.5)],
            [
              call('c-r1', 'read', { id: 'r1' }),
              call('c-r2', 'read', { id: 'r2' }),
              call('c-r3', 'read', { id: 'r3' }),
            ],
          ],
          undefined,
          {},
          { replayCache: 1 },
        );
        paused(await agent.invoke());
        done(await agent.resume(() => approve));
        expect(agent.replayCacheSize()).toBeLessThanOrEqual(1);
        const events = sink.events.length;
        const replay = done(await agent.resume(() => approve));
        // The replayed send was forgotten by the cache: it is refused, never run a second time.
        expect(resultOf(replay, 'c-send')).toMatchObject({ isError: true });
        expect(resultOf(replay, 'c-send').content).toContain('already_executed');
        expect([kit.runs('send'), kit.runs('read')]).toEqual([1, 3]);
        expect(
          sink.events.slice(events).filter((e) => e.event === 'decision' || e.event === 'outcome'),
        ).toEqual([]);
        expect(agent.replayCacheSize()).toBeLessThanOrEqual(1);
      });
    });
  });
}
