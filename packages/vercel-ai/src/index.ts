export { haltOf } from '@orbit-agents/core/adapter';
export type { OrbitAgentSettings, OrbitCallOptions } from './agent.js';
export {
  approvalResponse,
  type OrbitAnswer,
  type OrbitApprovalResponse,
  type OrbitResponseFields,
} from './answers.js';
export {
  type AiResult,
  OrbitAi,
  type OrbitAiOptions,
  type OrbitCallInput,
  type OrbitCallSettings,
  orbitVercelAi,
  type PendingApproval,
  type ToolHints,
} from './orbit-ai.js';
export type { OrbitApprovalDetails } from './pending.js';
export type { GeneratingAgent, SubAgentOptions } from './sub-agent.js';
export { ToolRefusedError } from './tool-refused-error.js';
