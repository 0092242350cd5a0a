/**
 * `@orbit-agents/core/adapter`: the kit every framework adapter is built on. It owns the generic
 * choreography of a framework's tool calls (replays, answers, delegation, usage, halts); an adapter
 * supplies callbacks and translates shapes.
 */
export type { AdapterRun } from '../adapter/adapter-run.js';
export {
  type DecidedCall,
  decideCall,
  type FrameworkCall,
  type FrameworkHooks,
  handleCall,
  type PauseRequest,
  type ReadCall,
  readCall,
  recallCall,
} from '../adapter/call-handler.js';
export { haltOf, stoppedByPerson } from '../adapter/halt-of.js';
export { type PauseDetails, pauseDetails } from '../adapter/pause-details.js';
export {
  type AdapterState,
  DEFAULT_REPLAY_CACHE,
  dropOldest,
  RunRegistry,
} from '../adapter/run-registry.js';
export { delegateOnce, isRefusal, runDelegated, type SubAgentOptions } from '../adapter/sub-agents.js';
export {
  ANY_OBJECT,
  checkResourceHint,
  describeDefinition,
  describeTool,
  type GuardedTool,
  isZod,
  jsonSchemaOf,
  type ToolHints,
} from '../adapter/tool-hints.js';
export { parseAnswer } from '../run/approval-desk.js';
export { SPAWN_TOOL } from '../trust/spawn-tool.js';
