import type { SpanData } from '@openai/agents';
import type { Attributes } from '@opentelemetry/api';

/** Attribute names of the bridged spans, defined once: the SDK's own words under `openai_agents.`. */
export const OA_ATTR = {
  SPAN_TYPE: 'openai_agents.span_type',
  TRACE_ID: 'openai_agents.trace_id',
  SPAN_ID: 'openai_agents.span_id',
  WORKFLOW_NAME: 'openai_agents.workflow_name',
  GROUP_ID: 'openai_agents.group_id',
  METADATA: 'openai_agents.metadata',
  NAME: 'openai_agents.name',
  AGENT_TOOLS: 'openai_agents.agent.tools',
  AGENT_HANDOFFS: 'openai_agents.agent.handoffs',
  AGENT_OUTPUT_TYPE: 'openai_agents.agent.output_type',
  TURN: 'openai_agents.turn',
  AGENT_NAME: 'openai_agents.agent_name',
  FROM_AGENT: 'openai_agents.handoff.from_agent',
  TO_AGENT: 'openai_agents.handoff.to_agent',
  TRIGGERED: 'openai_agents.guardrail.triggered',
  INPUT: 'openai_agents.input',
  OUTPUT: 'openai_agents.output',
  DATA: 'openai_agents.data',
  MCP_DATA: 'openai_agents.function.mcp_data',
  MODEL: 'openai_agents.model',
  MODEL_CONFIG: 'openai_agents.model_config',
  RESPONSE_ID: 'openai_agents.response.id',
  MCP_SERVER: 'openai_agents.mcp.server',
  MCP_TOOLS: 'openai_agents.mcp.tools',
  USAGE_INPUT_TOKENS: 'openai_agents.usage.input_tokens',
  USAGE_OUTPUT_TOKENS: 'openai_agents.usage.output_tokens',
  USAGE_REQUESTS: 'openai_agents.usage.requests',
  ERROR_DATA: 'openai_agents.error.data',
} as const;

/** The prefix of every bridged span's name. */
export const SPAN_PREFIX = 'openai_agents.';

/** A bridged span's name: its type, and the name the SDK gave it where it has one. */
export function spanName(data: SpanData): string {
  switch (data.type) {
    case 'agent':
    case 'task':
    case 'function':
    case 'guardrail':
    case 'custom':
      return `${SPAN_PREFIX}${data.type} ${data.name}`;
    case 'turn':
      return `${SPAN_PREFIX}turn ${data.turn}`;
    default:
      return `${SPAN_PREFIX}${data.type}`;
  }
}

/**
 * The attributes of a span's data. What the application's users or tools said (a tool's input and
 * output, a model's messages, a custom span's data) only with `sensitive`; audio never.
 */
export function spanAttributes(data: SpanData, sensitive: boolean): Attributes {
  const attributes: Attributes = { [OA_ATTR.SPAN_TYPE]: data.type };
  switch (data.type) {
    case 'agent':
      attributes[OA_ATTR.NAME] = data.name;
      if (data.tools) attributes[OA_ATTR.AGENT_TOOLS] = data.tools;
      if (data.handoffs) attributes[OA_ATTR.AGENT_HANDOFFS] = data.handoffs;
      if (data.output_type) attributes[OA_ATTR.AGENT_OUTPUT_TYPE] = data.output_type;
      break;
    case 'task':
      attributes[OA_ATTR.NAME] = data.name;
      addUsage(attributes, data.usage);
      if (typeof data.usage?.requests === 'number') attributes[OA_ATTR.USAGE_REQUESTS] = data.usage.requests;
      break;
    case 'turn':
      attributes[OA_ATTR.TURN] = data.turn;
      attributes[OA_ATTR.AGENT_NAME] = data.agent_name;
      addUsage(attributes, data.usage);
      break;
    case 'function':
      attributes[OA_ATTR.NAME] = data.name;
      if (data.mcp_data) attributes[OA_ATTR.MCP_DATA] = data.mcp_data;
      if (sensitive) addText(attributes, data.input, data.output);
      break;
    case 'handoff':
      if (data.from_agent) attributes[OA_ATTR.FROM_AGENT] = data.from_agent;
      if (data.to_agent) attributes[OA_ATTR.TO_AGENT] = data.to_agent;
      break;
    case 'guardrail':
      attributes[OA_ATTR.NAME] = data.name;
      attributes[OA_ATTR.TRIGGERED] = data.triggered;
      break;
    case 'custom':
      attributes[OA_ATTR.NAME] = data.name;
      if (sensitive) attributes[OA_ATTR.DATA] = json(data.data);
      break;
    case 'generation':
      if (data.model) attributes[OA_ATTR.MODEL] = data.model;
      if (data.model_config) attributes[OA_ATTR.MODEL_CONFIG] = json(data.model_config);
      addUsage(attributes, data.usage);
      if (sensitive) addText(attributes, data.input && json(data.input), data.output && json(data.output));
      break;
    case 'response':
      // `_input` and `_response` are the SDK's private fields: its own exporter leaves them out too.
      if (data.response_id) attributes[OA_ATTR.RESPONSE_ID] = data.response_id;
      break;
    case 'transcription':
      if (data.model) attributes[OA_ATTR.MODEL] = data.model;
      if (sensitive) addText(attributes, undefined, data.output);
      break;
    case 'speech':
      if (data.model) attributes[OA_ATTR.MODEL] = data.model;
      if (sensitive) addText(attributes, data.input, undefined);
      break;
    case 'speech_group':
      if (sensitive) addText(attributes, data.input, undefined);
      break;
    case 'mcp_tools':
      if (data.server) attributes[OA_ATTR.MCP_SERVER] = data.server;
      if (data.result) attributes[OA_ATTR.MCP_TOOLS] = data.result;
      break;
  }
  return attributes;
}

/** A value as an attribute string (attributes take primitives only). */
export function json(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return '[unserializable]';
  }
}

function addText(attributes: Attributes, input: string | undefined, output: string | undefined): void {
  // The SDK leaves them '' when the run does not trace sensitive data (traceIncludeSensitiveData: false).
  if (input) attributes[OA_ATTR.INPUT] = input;
  if (output) attributes[OA_ATTR.OUTPUT] = output;
}

function addUsage(
  attributes: Attributes,
  usage: { input_tokens?: number; output_tokens?: number } | undefined,
): void {
  if (typeof usage?.input_tokens === 'number') attributes[OA_ATTR.USAGE_INPUT_TOKENS] = usage.input_tokens;
  if (typeof usage?.output_tokens === 'number') attributes[OA_ATTR.USAGE_OUTPUT_TOKENS] = usage.output_tokens;
}
