import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '@orbit-agents/core';
import { describe, expect, it } from 'vitest';
import { runResearchOrchestrator } from './run-core.js';
import { runResearchOrchestratorOnLangGraph, scriptedModels } from './run-langgraph.js';
import { runResearchOrchestratorOnOpenAIAgents, scriptedAgentsModels } from './run-openai-agents.js';
import { runResearchOrchestratorOnVercelAi, scriptedAiModels } from './run-vercel-ai.js';

// The same story whichever way the scenario runs: on the core alone, on LangChain createAgent + LangGraph,
// on the Vercel AI SDK, or on the OpenAI Agents SDK.
const runners = [
  ['core-only', runResearchOrchestrator],
  [
    'LangGraph',
    (options: Parameters<typeof runResearchOrchestrator>[0]) =>
      runResearchOrchestratorOnLangGraph({ ...options, models: scriptedModels() }),
  ],
  [
    'Vercel AI SDK',
    (options: Parameters<typeof runResearchOrchestrator>[0]) =>
      runResearchOrchestratorOnVercelAi({ ...options, models: scriptedAiModels() }),
  ],
  [
    'OpenAI Agents SDK',
    (options: Parameters<typeof runResearchOrchestrator>[0]) =>
      runResearchOrchestratorOnOpenAIAgents({ ...options, models: scriptedAgentsModels() }),
  ],
] as const;

describe.each(runners)('the research-orchestrator example (%s): trust is not transitive', async (_, run) => {
  const auditPath = join(mkdtempSync(join(tmpdir(), 'orbit-orch-')), 'audit.jsonl');
  const report = await run({ auditPath });
  const events: AuditEvent[] = readFileSync(auditPath, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const decisions = events.filter((event) => event.event === 'decision');
  const byAgent = (agent: string) =>
    decisions
      .filter((event) => event.agent_id === agent)
      .map((event) => [event.tool, event.decision, event.reasons]);

  it('halts the researcher when it tries send_external_email, and tells the orchestrator', () => {
    expect(byAgent('researcher')).toEqual([
      ['web_search', 'proceed', []],
      ['read_document', 'proceed', []],
      ['send_external_email', 'halt', ['token_scope_violation']],
    ]);
    expect(report.tree.events).toContain("told: researcher's run halted (token_scope_violation)");
    expect(report.world.outbox).toEqual([]);
  });

  it("refuses the data-entry agent's 4th update and its attempt to spawn a helper", () => {
    expect(byAgent('data-entry')).toEqual([
      ['update_crm_record', 'proceed', []],
      ['update_crm_record', 'proceed', []],
      ['update_crm_record', 'proceed', []],
      ['update_crm_record', 'block', ['max_calls_exceeded']],
      ['spawn_sub_agent', 'halt', ['spawn_not_permitted']],
    ]);
    expect([...report.world.crm.keys()]).toEqual(['C-1', 'C-2', 'C-3']);
  });

  it("refuses the orchestrator's token with trigger_payment (scope_escalation) and its third sub-agent (sub_agent_limit_exceeded)", () => {
    expect(byAgent('research-orchestrator-v1')).toEqual([
      ['spawn_sub_agent', 'proceed', []],
      ['spawn_sub_agent', 'block', ['scope_escalation']],
      ['spawn_sub_agent', 'proceed', []],
      ['spawn_sub_agent', 'halt', ['sub_agent_limit_exceeded']],
    ]);
    const refusal = events.find(
      (event) => event.event === 'token' && event.token === 'refused' && event.field,
    );
    expect(refusal).toMatchObject({ field: 'tools.trigger_payment', reasons: ['scope_escalation'] });
  });

  it("gives each sub-agent its own token, a child of the orchestrator's run, scoped to its profile", () => {
    const minted = events.filter((event) => event.event === 'token' && event.token === 'minted');
    expect(minted.map((event) => [event.sub_agent, event.depth, event.parent_token_id])).toEqual([
      ['researcher', 1, null],
      ['data-entry', 1, null],
    ]);
    const [researcher, dataEntry] = report.tree.children;
    expect(Object.keys(researcher!.scope.tools)).toEqual([
      'web_search',
      'read_document',
      'flag_for_human_review',
    ]);
    expect(dataEntry!.scope.tools).toEqual({
      update_crm_record: { max_calls: 3, threshold: 0.8, resources: ['crm:contact:*'] },
    });
    const childRuns = events.filter(
      (event) =>
        event.event === 'run' && event.run === 'started' && event.parent_run_id === report.tree.runId,
    );
    expect(childRuns).toHaveLength(2);
  });
});
