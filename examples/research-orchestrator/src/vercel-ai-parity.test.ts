import { type AuditEvent, MemorySink } from '@orbit-agents/core';
import { describe, expect, it } from 'vitest';
import { runResearchOrchestrator, type TreeNode } from './run-core.js';
import { runResearchOrchestratorOnVercelAi, scriptedAiModels } from './run-vercel-ai.js';
import { ORCHESTRATOR_SCRIPT } from './scenario.js';

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

describe('the research orchestrator on the Vercel AI SDK: parity with the core-only reference', async () => {
  const coreSink = new MemorySink();
  const aiSink = new MemorySink();
  const core = await runResearchOrchestrator({ sink: coreSink });
  const models = scriptedAiModels();
  const ai = await runResearchOrchestratorOnVercelAi({ sink: aiSink, models });

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
    expect(decisions(aiSink)).toEqual(decisions(coreSink));
    expect(decisions(aiSink).map((d) => [d.agent_id, d.tool, d.decision, d.reasons])).toEqual([
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
    // One decision per call and run: nothing decided twice, though the SDK asks toolApproval and runs the tool apart.
    const keys = of(aiSink, 'decision').map((event) => `${event.run_id}/${event.call_id}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("gives the sub-agents' tool calls the same call ids; only the data-entry agent's spawn is numbered apart", () => {
    const ids = (sink: MemorySink) => of(sink, 'decision').map((event) => event.call_id);
    const aiIds = ids(aiSink);
    const coreIds = ids(coreSink);
    // The reference's data-entry run numbers its spawn after its four calls (spawn-5); on the AI SDK
    // those calls carry the model's call ids, so the spawn is the run's first sequence number.
    expect(coreIds[10]).toBe('spawn-5');
    expect(aiIds[10]).toBe('spawn-1');
    expect(aiIds.filter((_, i) => i !== 10)).toEqual(coreIds.filter((_, i) => i !== 10));
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
    expect(outcomes(aiSink)).toEqual(outcomes(coreSink));
    expect(outcomes(aiSink)).toHaveLength(7);
    // The researcher's email, halted in the SDK's toolApproval, is recorded as not executed.
    expect(outcomes(aiSink)[2]).toMatchObject({
      agent_id: 'researcher',
      tool: 'send_external_email',
      status: 'not_executed',
      decision: 'halt',
    });
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
    const aiTokens = tokens(aiSink);
    const coreTokens = tokens(coreSink);
    expect(aiTokens.map((t) => t.sub_agent)).toEqual([
      'researcher',
      'payments',
      'data-entry',
      'helper',
      'researcher',
    ]);
    expect(coreTokens.at(-1)?.sub_agent).toBe('researcher-2');
    const sameBut = (list: typeof aiTokens) =>
      list.map((t, i) => (i === 4 ? { ...t, sub_agent: '(third)' } : t));
    expect(sameBut(aiTokens)).toEqual(sameBut(coreTokens));
  });

  it('raises the same alerts', () => {
    const alerts = (sink: MemorySink) =>
      of(sink, 'alert').map(({ agent_id, alert, severity, reasons }) => ({
        agent_id,
        alert,
        severity,
        reasons,
      }));
    expect(alerts(aiSink)).toEqual(alerts(coreSink));
  });

  it('reports the same refusals, in the same order, and the same delegation tree', () => {
    expect(ai.refusals).toEqual(core.refusals);
    const shape = (node: TreeNode): unknown => ({
      agentId: node.agentId,
      depth: node.depth,
      scope: timeless(node.scope),
      token: node.tokenId === undefined ? 'none' : 'minted',
      // The reference names its steps by hand; compare what happened to them.
      outcomes: node.events.map((event) => event.split(' → ')[1] ?? event),
      children: node.children.map(shape),
    });
    expect(shape(ai.tree)).toEqual(shape(core.tree));
    expect(ai.tree.runId).toBe(ai.threadId);
    expect(ai.tree.children.map((child) => child.tokenId)).toEqual(
      of(aiSink, 'token')
        .filter((event) => event.token === 'minted')
        .map((event) => event.token_id),
    );
  });

  it('leaves the world in the same state: three CRM notes, no email sent', () => {
    expect([...ai.world.crm]).toEqual([...core.world.crm]);
    expect(ai.world.outbox).toEqual([]);
    expect(ai.world.flags).toEqual(core.world.flags);
  });

  it("tells the orchestrator's model, as tool results, that its sub-agents were stopped", () => {
    expect(ai.told.map((result) => [result.tool, result.status])).toEqual([
      ['research', 'error'],
      ['pay_rival_invoice', 'denied'],
      ['enter_data', 'error'],
    ]);
    // The halted sub-agents' errors are ORBIT's structured refusals (JSON, as on LangGraph); the
    // refused delegation is the SDK's denial with ORBIT's reasons.
    expect(JSON.parse(ai.told[0]!.content)).toMatchObject({
      refused: true,
      decision: 'halt',
      reasons: ['token_scope_violation'],
      message: expect.stringMatching(/of "researcher" at "send_external_email" \(token_scope_violation\)/),
    });
    expect(ai.told[1]!.content).toContain('block: scope_escalation');
    expect(JSON.parse(ai.told[2]!.content)).toMatchObject({
      reasons: ['spawn_not_permitted'],
      message: expect.stringMatching(/of "data-entry" at "spawn_sub_agent" \(spawn_not_permitted\)/),
    });
  });

  it('asks each scripted turn once, in one generateText call: the scenario never pauses', () => {
    expect(ai.invocations).toBe(1);
    // The orchestrator's four turns, the researcher's three, the data-entry agent's five, never the helper.
    const turns = (agent: keyof typeof ORCHESTRATOR_SCRIPT) => ORCHESTRATOR_SCRIPT[agent].turns.length;
    expect([
      models.orchestrator.calls,
      models.researcher.calls,
      models.dataEntry.calls,
      models.helper.calls,
    ]).toEqual([turns('orchestrator'), turns('researcher'), turns('dataEntry'), 0]);
  });
});
