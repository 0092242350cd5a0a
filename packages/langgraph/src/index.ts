export { haltOf } from '@orbit-agents/core/adapter';
export {
  isOrbitInterrupt,
  type OrbitHITLDecision,
  type OrbitHITLResponse,
  type OrbitInterruptDetails,
  type OrbitInterruptValue,
} from './hitl.js';
export { orbitMiddleware } from './middleware.js';
export {
  ORBIT_RUN_KEY,
  OrbitLangGraph,
  type OrbitLangGraphOptions,
  orbitLangGraph,
  type SubAgentOptions,
  type ToolHints,
} from './orbit-langgraph.js';
export { type PendingApproval, pendingApprovals, type ResumeCommand, resumeWith } from './resume.js';
