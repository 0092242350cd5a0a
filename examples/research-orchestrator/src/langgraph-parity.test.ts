import { type AuditEvent, MemorySink } from '@orbit-agents/core';
import { describe, expect, it } from 'vitest';
import { runResearchOrchestrator, type TreeNode } from './run-core.js';
import { runResearchOrchestratorOnLangGraph, scriptedModels } from './run-langgraph.js';

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

describe('the research orchestrator on LangGraph: parity with the core-only reference', async () => {
  const coreSink = new MemorySink();
  const graphSink = new MemorySink();
  const core = await runResearchOrchestrator({ sink: coreSink });
  const models = scriptedModels();
  const graph = await runResearchOrchestratorOnLangGraph({ sink: graphSink, models });

  const decisions = (sink: MemorySink) =>
    of(sink, 'decision').map(({ agent_id, tool, decision, reasons, confidence, detail }) => ({
      agent_id,
      tool,
      decision,
      reasons,
      confidence,
      detail,
    }));

  it('records the same decisions, event for event: agent, tool, decision and reasons, each once', () => {
    expect(decisions(graphSink)).toEqual(decisions(coreSink));
    expect(decisions(graphSink).map((d) => [d.agent_id, d.tool, d.decision, d.reasons])).toEqual([
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
    // One decision per call and run: nothing decided twice, whatever LangGraph re-ran.
    const keys = of(graphSink, 'decision').map((event) => `${event.run_id}/${event.call_id}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("gives the sub-agents' tool calls the same call ids; only the data-entry agent's spawn is numbered apart", () => {
    const ids = (sink: MemorySink) => of(sink, 'decision').map((event) => event.call_id);
    const graphIds = ids(graphSink);
    const coreIds = ids(coreSink);
    // The reference's data-entry run numbers its spawn after its four calls (spawn-5); on LangGraph
    // those calls carry the model's call ids, so the spawn is the run's first sequence number.
    expect(coreIds[10]).toBe('spawn-5');
    expect(graphIds[10]).toBe('spawn-1');
    expect(graphIds.filter((_, i) => i !== 10)).toEqual(coreIds.filter((_, i) => i !== 10));
  });

  it('has the same outcomes: what ran, what was refused, and nothing after a halt', () => {
    const outcomes = (sink: MemorySink) =>
      of(sink, 'outcome').map(({ agent_id, call_id, tool, status, decision, reasons }) => ({
        agent_id,
        call_id,
        tool,
        status,
        decision,
        reasons,
      }));
    expect(outcomes(graphSink)).toEqual(outcomes(coreSink));
    expect(outcomes(graphSink)).toHaveLength(7);
  });

  it('mints and refuses the same tokens (the third sub-agent is a second call of the research tool)', () => {
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
    const graphTokens = tokens(graphSink);
    const coreTokens = tokens(coreSink);
    expect(graphTokens.map((t) => t.sub_agent)).toEqual([
      'researcher',
      'payments',
      'data-entry',
      'helper',
      'researcher',
    ]);
    expect(coreTokens.at(-1)?.sub_agent).toBe('researcher-2');
    const sameBut = (list: typeof graphTokens) =>
      list.map((t, i) => (i === 4 ? { ...t, sub_agent: '(third)' } : t));
    expect(sameBut(graphTokens)).toEqual(sameBut(coreTokens));
  });

  it('raises the same alerts', () => {
    const alerts = (sink: MemorySink) =>
      of(sink, 'alert').map(({ agent_id, alert, severity, reasons }) => ({
        agent_id,
        alert,
        severity,
        reasons,
      }));
    expect(alerts(graphSink)).toEqual(alerts(coreSink));
  });

  it('reports the same refusals, in the same order, and the same delegation tree', () => {
    expect(graph.refusals).toEqual(core.refusals);
    const shape = (node: TreeNode): unknown => ({
      agentId: node.agentId,
      depth: node.depth,
      scope: timeless(node.scope),
      token: node.tokenId === undefined ? 'none' : 'minted',
      // The reference names its steps by hand; compare what happened to them.
      outcomes: node.events.map((event) => event.split(' → ')[1] ?? event),
      children: node.children.map(shape),
    });
    expect(shape(graph.tree)).toEqual(shape(core.tree));
    expect(graph.tree.runId).toBe(graph.threadId);
    expect(graph.tree.children.map((child) => child.tokenId)).toEqual(
      of(graphSink, 'token')
        .filter((event) => event.token === 'minted')
        .map((event) => event.token_id),
    );
  });

  it('leaves the world in the same state: three CRM notes, no email sent', () => {
    expect([...graph.world.crm]).toEqual([...core.world.crm]);
    expect(graph.world.outbox).toEqual([]);
    expect(graph.world.flags).toEqual(core.world.flags);
  });

  it("tells the orchestrator's model, as tool results, that its sub-agents were stopped", () => {
    expect(graph.told.map((message) => [message.status, JSON.parse(message.content).reasons])).toEqual([
      ['error', ['token_scope_violation']],
      ['error', ['scope_escalation']],
      ['error', ['spawn_not_permitted']],
    ]);
    expect(graph.told[0]!.content).toContain('The sub-agent was halted by ORBIT');
    // Every scripted turn was asked once: the orchestrator's four, the researcher's three, the data-entry agent's five.
    expect([
      models.orchestrator.calls,
      models.researcher.calls,
      models.dataEntry.calls,
      models.helper.calls,
    ]).toEqual([4, 3, 5, 0]);
  });
});
