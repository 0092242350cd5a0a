export type { OrbitAnswer } from './answers.js';
export { type OrbitContextFields, orbitContext } from './context.js';
export type { HandoffOptions, SubAgentToolOptions } from './delegation.js';
export { haltOf } from './halt.js';
export { OrbitAgents, type OrbitAgentsOptions, orbitOpenAIAgents } from './orbit-agents.js';
export {
  OpenTelemetryTraceProcessor,
  type OpenTelemetryTraceProcessorOptions,
} from './otel-trace-processor.js';
export type { PendingApproval } from './pending.js';
export type { SdkToolOptions } from './tool-entry.js';
