import type { Agent, RunResult, RunState } from '@openai/agents';

// biome-ignore lint/suspicious/noExplicitAny: a state of any context and agent (ORBIT reads only its interruptions and context).
export type AnyRunState = RunState<any, any>;
// biome-ignore lint/suspicious/noExplicitAny: an agent of any context and output type.
export type AnyAgent = Agent<any, any>;
// biome-ignore lint/suspicious/noExplicitAny: a result of any context and agent.
export type AnyRunResult = RunResult<any, any>;
// biome-ignore lint/suspicious/noExplicitAny: a type argument the SDK bounds itself (an agent's context, a tool's parameters).
export type Unbound = any;
