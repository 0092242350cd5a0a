/**
 * The comparisons of a framework run of the research orchestrator against the core-only reference,
 * shared by the LangGraph, the AI SDK and the OpenAI Agents parity tests (`*-parity.test.ts`): each
 * test file runs its framework through `parityRuns`, registers these cases with
 * `itMatchesTheReference`, and adds the cases particular to its framework. Test support only (it
 * asserts with vitest); not exported by the example.
 */
import { type AuditEvent, MemorySink } from '@orbit-agents/core';
import { type ParityRuns as BothRuns, parityOf } from '@orbit-agents/example-support/parity';
import { expect, it } from 'vitest';
import { type OrchestratorReport, runResearchOrchestrator, type TreeNode } from './run-core.js';
import { ORCHESTRATOR_SCRIPT, type OrchestratorAgent } from './scenario.js';

/** A framework's report: the reference's, and the thread its run was keyed by. */
export type FrameworkReport = OrchestratorReport & { threadId: string };

type ParityRuns = BothRuns<MemorySink, OrchestratorReport, FrameworkReport>;

/** Runs the core-only reference, then the framework's run given, each writing to a memory sink of its own. */
export const parityRuns = parityOf(
  () => new MemorySink(),
  (sink: MemorySink) => runResearchOrchestrator({ sink }),
);

/** The audit events of one kind, in the order they were written. */
const of = (sink: MemorySink, kind: AuditEvent['event']) =>
  sink.events.filter((event) => event.event === kind);

/** A token scope without its clock: `time_limit_ms` is what the parent has left, so it moves by the ms. */
function timeless(scope: unknown) {
  if (!scope || typeof scope !== 'object') return scope;
  const { time_limit_ms, ...rest } = scope as { time_limit_ms?: number };
  expect(time_limit_ms).toBeGreaterThan(29 * 60_000);
  expect(time_limit_ms).toBeLessThanOrEqual(30 * 60_000);
  return rest;
}

const decisions = (sink: MemorySink) =>
  of(sink, 'decision').map(({ agent_id, tool, decision, reasons, confidence, detail }) => ({
    agent_id,
    tool,
    decision,
    reasons,
    confidence,
    detail,
  }));

/** The same decisions as the reference, event for event, the scenario's twelve, and each call decided once. */
function expectSameDecisions({ coreSink, frameworkSink }: ParityRuns): void {
  expect(decisions(frameworkSink)).toEqual(decisions(coreSink));
  expect(decisions(frameworkSink).map((d) => [d.agent_id, d.tool, d.decision, d.reasons])).toEqual([
    ['research-orchestrator-v1', 'spawn_sub_agent', 'proceed', []],
    ['researcher', 'web_search', 'proceed', []],
    ['researcher', 'read_document', 'proceed', []],
    ['researcher', 'send_external_email', 'halt', ['token_scope_violation']],
    ['research-orchestrator-v1', 'spawn_sub_agent', 'block', ['scope_escalation']],
    ['research-orchestrator-v1', 'spawn_sub_agent', 'proceed', []],
    ['data-entry', 'update_crm_record', 'proceed', []],
    ['data-entry', 'update_crm_record', 'proceed', []],
    ['data-entry', 'update_crm_record', 'proceed', []],
    ['data-entry', 'update_crm_record', 'block', ['max_calls_exceeded']],
    ['data-entry', 'spawn_sub_agent', 'halt', ['spawn_not_permitted']],
    ['research-orchestrator-v1', 'spawn_sub_agent', 'halt', ['sub_agent_limit_exceeded']],
  ]);
  // One decision per call and run: nothing decided twice, whatever the framework re-ran or asked apart.
  const keys = of(frameworkSink, 'decision').map((event) => `${event.run_id}/${event.call_id}`);
  expect(new Set(keys).size).toBe(keys.length);
}

/**
 * The reference's call ids, but for the data-entry agent's spawn: the reference numbers it after its
 * four calls (spawn-5); on a framework those calls carry the model's call ids, so the spawn is the
 * run's first sequence number.
 */
function expectSameCallIds({ coreSink, frameworkSink }: ParityRuns): void {
  const ids = (sink: MemorySink) => of(sink, 'decision').map((event) => event.call_id);
  const frameworkIds = ids(frameworkSink);
  const coreIds = ids(coreSink);
  expect(coreIds[10]).toBe('spawn-5');
  expect(frameworkIds[10]).toBe('spawn-1');
  expect(frameworkIds.filter((_, i) => i !== 10)).toEqual(coreIds.filter((_, i) => i !== 10));
}

/**
 * The reference's seven outcomes, in order.
 * @returns the framework's outcomes, for checks particular to a framework.
 */
function expectSameOutcomes({ coreSink, frameworkSink }: ParityRuns) {
  const outcomes = (sink: MemorySink) =>
    of(sink, 'outcome').map(({ agent_id, call_id, tool, status, decision, reasons }) => ({
      agent_id,
      call_id,
      tool,
      status,
      decision,
      reasons,
    }));
  const frameworkOutcomes = outcomes(frameworkSink);
  expect(frameworkOutcomes).toEqual(outcomes(coreSink));
  expect(frameworkOutcomes).toHaveLength(7);
  // The researcher's email, halted before it ran (on the AI SDK, in its toolApproval), is recorded as not executed.
  expect(frameworkOutcomes[2]).toMatchObject({
    agent_id: 'researcher',
    tool: 'send_external_email',
    status: 'not_executed',
    decision: 'halt',
  });
}

/** The same tokens minted and refused; the third sub-agent is named apart (a second call of the research tool). */
function expectSameTokens({ coreSink, frameworkSink }: ParityRuns): void {
  const tokens = (sink: MemorySink) =>
    of(sink, 'token').map(
      ({ agent_id, token, sub_agent, depth, parent_token_id, reasons, field, scope }) => ({
        agent_id,
        token,
        sub_agent,
        depth,
        parent_token_id,
        reasons,
        field,
        scope: timeless(scope),
      }),
    );
  const frameworkTokens = tokens(frameworkSink);
  const coreTokens = tokens(coreSink);
  expect(frameworkTokens.map((t) => t.sub_agent)).toEqual([
    'researcher',
    'payments',
    'data-entry',
    'helper',
    'researcher',
  ]);
  expect(coreTokens.at(-1)?.sub_agent).toBe('researcher-2');
  const sameBut = (list: typeof frameworkTokens) =>
    list.map((t, i) => (i === 4 ? { ...t, sub_agent: '(third)' } : t));
  expect(sameBut(frameworkTokens)).toEqual(sameBut(coreTokens));
}

/** The same alerts as the reference. */
function expectSameAlerts({ coreSink, frameworkSink }: ParityRuns): void {
  const alerts = (sink: MemorySink) =>
    of(sink, 'alert').map(({ agent_id, alert, severity, reasons }) => ({
      agent_id,
      alert,
      severity,
      reasons,
    }));
  expect(alerts(frameworkSink)).toEqual(alerts(coreSink));
}

/** The same refusals in the same order, and the same delegation tree, its tokens those the sink minted. */
function expectSameRefusalsAndTree({ core, framework, frameworkSink }: ParityRuns): void {
  expect(framework.refusals).toEqual(core.refusals);
  const shape = (node: TreeNode): unknown => ({
    agentId: node.agentId,
    depth: node.depth,
    scope: timeless(node.scope),
    token: node.tokenId === undefined ? 'none' : 'minted',
    // The reference names its steps by hand; compare what happened to them.
    outcomes: node.events.map((event) => event.split(' → ')[1] ?? event),
    children: node.children.map(shape),
  });
  expect(shape(framework.tree)).toEqual(shape(core.tree));
  expect(framework.tree.runId).toBe(framework.threadId);
  expect(framework.tree.children.map((child) => child.tokenId)).toEqual(
    of(frameworkSink, 'token')
      .filter((event) => event.token === 'minted')
      .map((event) => event.token_id),
  );
}

/** The world as the reference left it: the same CRM notes and flags, no email sent. */
function expectSameWorld({ core, framework }: ParityRuns): void {
  expect([...framework.world.crm]).toEqual([...core.world.crm]);
  expect(framework.world.outbox).toEqual([]);
  expect(framework.world.flags).toEqual(core.world.flags);
}

/**
 * Every scripted turn asked once: the orchestrator's, the researcher's and the data-entry agent's,
 * never the helper's (its spawn is refused).
 */
export function expectEachScriptedTurnAskedOnce(models: Record<OrchestratorAgent, { calls: number }>): void {
  const turns = (agent: OrchestratorAgent) => ORCHESTRATOR_SCRIPT[agent].turns.length;
  expect([
    models.orchestrator.calls,
    models.researcher.calls,
    models.dataEntry.calls,
    models.helper.calls,
  ]).toEqual([turns('orchestrator'), turns('researcher'), turns('dataEntry'), 0]);
}

/**
 * Registers the cases every framework shares with the reference (call it inside the test's
 * `describe`): decisions, call ids, outcomes, tokens, alerts, refusals and tree, the world.
 */
export function itMatchesTheReference(runs: ParityRuns): void {
  it('records the same decisions, event for event: agent, tool, decision and reasons, each once', () =>
    expectSameDecisions(runs));
  it("gives the sub-agents' tool calls the same call ids; only the data-entry agent's spawn is numbered apart", () =>
    expectSameCallIds(runs));
  it('has the same outcomes: what ran, what was refused, and nothing after a halt', () =>
    expectSameOutcomes(runs));
  it('mints and refuses the same tokens (the third sub-agent is a second call of the research tool)', () =>
    expectSameTokens(runs));
  it('raises the same alerts', () => expectSameAlerts(runs));
  it('reports the same refusals, in the same order, and the same delegation tree', () =>
    expectSameRefusalsAndTree(runs));
  it('leaves the world in the same state: three CRM notes, no email sent', () => expectSameWorld(runs));
}
