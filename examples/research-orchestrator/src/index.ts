export {
  MANIFEST_URL,
  type OrchestratorReport,
  type RefusalReport,
  runResearchOrchestrator,
  type TreeNode,
} from './run-core.js';
export { createTools, FakeWorld } from './tools.js';
