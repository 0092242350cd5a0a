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
export { createTools, FakeWorld } from './tools.js';
