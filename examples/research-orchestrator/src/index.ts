export { ScriptedAgentsModel } from '@orbit-agents/example-support/scripted-agents-model';
export { ScriptedAiModel } from '@orbit-agents/example-support/scripted-ai-model';
export { ScriptedChatModel } from '@orbit-agents/example-support/scripted-model';
export {
  MANIFEST_URL,
  type OrchestratorReport,
  type RefusalReport,
  runResearchOrchestrator,
  type TreeNode,
} from './run-core.js';
export {
  type LangGraphOrchestratorReport,
  runResearchOrchestratorOnLangGraph,
  scriptedModels,
} from './run-langgraph.js';
export {
  AGENTS_NOBODY_ON_DUTY,
  type AgentsToldResult,
  defaultAgentsModels,
  HANDOFF_TOOL,
  type OpenAIAgentsOrchestratorReport,
  type OrchestratorAgentsModels,
  runResearchOrchestratorOnOpenAIAgents,
  scriptedAgentsModels,
} from './run-openai-agents.js';
export {
  defaultAiModels,
  NOBODY_ON_DUTY,
  type OrchestratorAiModels,
  runResearchOrchestratorOnVercelAi,
  scriptedAiModels,
  type ToldResult,
  type VercelAiOrchestratorReport,
} from './run-vercel-ai.js';
export {
  AGENT_PROMPTS,
  type AgentScript,
  ORCHESTRATOR_SCRIPT,
  ORCHESTRATOR_TASK,
  type OrchestratorAgent,
} from './scenario.js';
export { createTools, FakeWorld } from './tools.js';
