import { setUpTracing } from '@orbit-agents/example-support';
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

describe.each(runners)(
  "the research-orchestrator example's trace (%s): sub-agent runs nest under the call that delegated",
  async (_, run) => {
    const tracing = setUpTracing({ serviceName: 'test', memory: true });
    const report = await run({ telemetry: { tracer: tracing.tracer } });
    const spans = tracing.memory!.getFinishedSpans();
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const parentOf = (span: (typeof spans)[number]) => byId.get(span.parentSpanContext?.spanId ?? '');
    const named = (name: string) => spans.filter((span) => span.name === name);
    const root = named('invoke_agent research-orchestrator-v1')[0]!;

    it("has the orchestrator's run at the root, with one execute_tool span per delegation", () => {
      expect(parentOf(root)).toBeUndefined();
      const spawns = named('execute_tool spawn_sub_agent').filter((span) => parentOf(span) === root);
      expect(spawns).toHaveLength(4);
      expect(
        spawns.map((span) => [span.attributes['orbit.decision'], span.attributes['orbit.reasons']]),
      ).toEqual([
        ['proceed', []],
        ['block', ['scope_escalation']],
        ['proceed', []],
        ['halt', ['sub_agent_limit_exceeded']],
      ]);
    });

    it("nests each sub-agent's invoke_agent span under the spawn that created it, with its token id and depth", () => {
      const spawns = named('execute_tool spawn_sub_agent').filter((span) => parentOf(span) === root);
      const researcher = named('invoke_agent researcher')[0]!;
      const dataEntry = named('invoke_agent data-entry')[0]!;
      expect(parentOf(researcher)).toBe(spawns[0]);
      expect(parentOf(dataEntry)).toBe(spawns[2]);
      expect(researcher.attributes).toMatchObject({
        'gen_ai.agent.name': 'researcher',
        'orbit.token.id': report.tree.children[0]!.tokenId,
        'orbit.token.depth': 1,
        'orbit.run.parent_id': report.tree.runId,
      });
      expect(spawns[0]!.attributes['orbit.delegation.token_id']).toBe(report.tree.children[0]!.tokenId);
    });

    it("puts each sub-agent's tool calls under its own run, with the token on every call", () => {
      const researcher = named('invoke_agent researcher')[0]!;
      const calls = spans.filter((span) => parentOf(span) === researcher);
      expect(calls.map((span) => [span.name, span.attributes['orbit.decision']])).toEqual([
        ['execute_tool web_search', 'proceed'],
        ['execute_tool read_document', 'proceed'],
        ['execute_tool send_external_email', 'halt'],
      ]);
      expect(calls[2]!.attributes['orbit.reasons']).toEqual(['token_scope_violation']);
      for (const span of calls)
        expect(span.attributes['orbit.token.id']).toBe(report.tree.children[0]!.tokenId);
      const dataEntry = named('invoke_agent data-entry')[0]!;
      expect(
        spans.filter((span) => parentOf(span) === dataEntry).map((span) => span.attributes['orbit.decision']),
      ).toEqual(['proceed', 'proceed', 'proceed', 'block', 'halt']);
      expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    });
  },
);
