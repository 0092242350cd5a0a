import { resolve } from 'node:path';
import type { TokenScope } from '@orbit-agents/core';
import { chooseFramework, setUpTracing } from '@orbit-agents/example-support';
import { type OrchestratorReport, runResearchOrchestrator, type TreeNode } from './run-core.js';
import { runResearchOrchestratorOnLangGraph } from './run-langgraph.js';
import { runResearchOrchestratorOnOpenAIAgents } from './run-openai-agents.js';
import { runResearchOrchestratorOnVercelAi } from './run-vercel-ai.js';

// Trust is not transitive: every sub-agent acts under a token minted for it, scoped to its task.
// On the core alone by default; `--langgraph` runs the same scenario on LangChain createAgent + LangGraph
// and `--vercel-ai` (or ORBIT_FRAMEWORK=vercel-ai) on the Vercel AI SDK (the orchestrator's tools are its
// sub-agents), `--openai-agents` (or ORBIT_FRAMEWORK=openai-agents) on the OpenAI Agents SDK (agents as
// tools and a handoff), offline with scripted models, or real ones when OPENAI_API_KEY is set.
const framework = chooseFramework(process.argv.slice(2), process.env, 'core');
const stamp = Date.now();
const auditPath = resolve(process.env.ORBIT_AUDIT_PATH ?? `.orbit/research-orchestrator-${stamp}.jsonl`);
const tracing = setUpTracing({
  serviceName: 'research-orchestrator',
  file: resolve(`.orbit/research-orchestrator-${stamp}.trace.jsonl`),
});
const telemetry = { tracer: tracing.tracer };
const report: OrchestratorReport =
  framework === 'langgraph'
    ? await runResearchOrchestratorOnLangGraph({ auditPath, telemetry })
    : framework === 'vercel-ai'
      ? await runResearchOrchestratorOnVercelAi({ auditPath, telemetry })
      : framework === 'openai-agents'
        ? await runResearchOrchestratorOnOpenAIAgents({ auditPath, telemetry })
        : await runResearchOrchestrator({ auditPath, telemetry });
await tracing.shutdown();

const describeScope = (scope: TokenScope) => {
  const tools = Object.entries(scope.tools)
    .map(([name, t]) => `${name}×${t.max_calls}${t.resources ? ` [${t.resources.join(', ')}]` : ''}`)
    .join(', ');
  const budgets = [
    scope.max_tokens !== undefined ? `${scope.max_tokens} tokens` : '',
    scope.max_records !== undefined ? `${scope.max_records} records` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const delegate = scope.delegate.allowed
    ? `may delegate ${scope.delegate.max_sub_agents} (depth ≤ ${scope.delegate.max_depth})`
    : 'may not delegate';
  return `${tools}${budgets ? `; ${budgets}` : ''}; ${delegate}`;
};
const print = (node: TreeNode, indent: string) => {
  const token = node.tokenId
    ? `token ${node.tokenId.slice(0, 8)}…, depth ${node.depth}`
    : 'own manifest, depth 0';
  console.log(`${indent}${node.agentId} (${token})`);
  console.log(`${indent}  scope: ${describeScope(node.scope)}`);
  for (const event of node.events) console.log(`${indent}  - ${event}`);
  for (const child of node.children) print(child, `${indent}    `);
};

console.log('ORBIT demo: research orchestrator (trust is not transitive)');
const models = process.env.OPENAI_API_KEY
  ? `with ${process.env.OPENAI_MODEL ?? 'gpt-4o-mini'}`
  : 'offline with scripted models (set OPENAI_API_KEY to use a real one)';
console.log(
  framework === 'langgraph'
    ? `runs on: LangChain createAgent + LangGraph (sub-agents as tools, ORBIT middleware), ${models}\n`
    : framework === 'vercel-ai'
      ? `runs on: the Vercel AI SDK (generateText; sub-agents are ToolLoopAgents behind orbitAi.subAgent tools), ${models}\n`
      : framework === 'openai-agents'
        ? `runs on: the OpenAI Agents SDK (run(); the researcher is an agent-as-tool, the data-entry agent is reached by a handoff; the SDK's traces stay local), ${models}\n`
        : 'runs on: the ORBIT core alone, offline and scripted (--langgraph: on LangChain createAgent + LangGraph)\n',
);
console.log('Delegation tree:');
print(report.tree, '  ');
console.log('\nRefusals:');
for (const refusal of report.refusals) {
  console.log(
    `  ${refusal.agentId.padEnd(24)} ${refusal.tool.padEnd(20)} ${refusal.decision.padEnd(6)} ${refusal.reasons.join(', ')}${refusal.detail ? ` — ${refusal.detail}` : ''}`,
  );
}
console.log(`\nEmails sent: ${report.world.outbox.length}; CRM records written: ${report.world.crm.size}`);
console.log(`Audit log (JSONL): ${auditPath}`);
console.log(`Trace (OpenTelemetry spans): ${tracing.destinations.join('; ')}`);
