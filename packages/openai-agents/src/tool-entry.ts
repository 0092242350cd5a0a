import type { FunctionTool, RunContext, tool } from '@openai/agents';
import type { Orbit, Run, ToolDefinition } from '@orbit-agents/core';
import {
  describeDefinition,
  describeTool,
  type GuardedTool,
  isZod,
  type ToolHints,
} from '@orbit-agents/core/adapter';
import { OptionsInvalidError } from '@orbit-agents/core/errors';
import { z } from 'zod';
import { isRecord, shown } from './check-input.js';

/** The SDK's `tool()` options. */
export type SdkToolOptions = Parameters<typeof tool>[0];
/** What the SDK passes a tool's `invoke` besides the context and input. */
export type CallDetails = Parameters<FunctionTool['invoke']>[2];

/** What the binding knows of one tool: what the model sees, what the call handler needs, how to run it. */
export interface ToolEntry {
  readonly name: string;
  readonly guarded: GuardedTool;
  /** The JSON schema the model sees (with ORBIT's confidence argument). */
  readonly parameters: Record<string, unknown>;
  readonly strict: boolean;
  /** The SDK tool fields kept as they were (description, isEnabled, guardrails, timeouts). */
  readonly kept: Partial<FunctionTool>;
  /** Runs the tool once ORBIT has decided, with the arguments ORBIT settled on. */
  readonly execute: (
    args: unknown,
    runContext: RunContext,
    details: CallDetails,
    run: Run,
    callId: string,
  ) => Promise<unknown>;
}

/** An ORBIT tool definition (`defineTool`) as an SDK tool: ORBIT parses its arguments, its `execute` gets ORBIT's context. */
export function fromDefinition(
  orbit: Orbit,
  definition: ToolDefinition,
  hints: ToolHints | undefined,
): ToolEntry {
  return {
    name: definition.name,
    guarded: describeDefinition(definition, hints),
    parameters: modelFacing(orbit, definition.input),
    strict: false,
    kept: { description: definition.description ?? definition.name },
    execute: async (args, _context, _details, run, callId) =>
      definition.execute(args as never, { runId: run.id, callId, agentId: run.agentId }),
  };
}

/** The SDK's `tool()` options: a zod schema is ORBIT's to parse (as the SDK would); `execute` gets the SDK's context. */
export function fromOptions(orbit: Orbit, options: SdkToolOptions, hints: ToolHints | undefined): ToolEntry {
  const name = options.name ?? (options.execute as { name?: string } | undefined)?.name;
  if (typeof name !== 'string' || name.length === 0)
    throw new OptionsInvalidError(
      `orbitAgents.tool(options) needs options.name (the manifest tool name, a non-empty string), got ${shown(name)}.`,
    );
  if (typeof options.execute !== 'function')
    throw new OptionsInvalidError(`Tool "${name}" needs options.execute (a function).`);
  const { parameters } = options as { parameters: unknown };
  const zod = isZod(parameters);
  if (!zod && (!isRecord(parameters) || parameters.type !== 'object'))
    throw new OptionsInvalidError(
      `Tool "${name}" needs options.parameters: a zod object schema or a JSON schema of type "object", got ${shown(parameters)}.`,
    );
  const execute = options.execute as (input: unknown, context: RunContext, details: CallDetails) => unknown;
  const {
    name: _name,
    parameters: _parameters,
    execute: _execute,
    needsApproval,
    strict,
    errorFunction: _errors,
    ...rest
  } = options as SdkToolOptions & { strict?: boolean; errorFunction?: unknown };
  if (needsApproval !== undefined)
    throw new OptionsInvalidError(
      `Tool "${name}" sets needsApproval: ORBIT decides when a call pauses (the manifest's thresholds and tiers). Remove it.`,
    );
  return {
    name,
    guarded: describeTool(name, undefined, hints, {
      schema: zod ? parameters : undefined,
      parsesItself: !zod,
    }),
    parameters: zod
      ? modelFacing(orbit, parameters as z.ZodType)
      : withConfidence(orbit, parameters as Record<string, unknown>, strict !== false),
    strict: zod ? false : strict !== false,
    kept: { ...(rest as Partial<FunctionTool>), description: options.description },
    execute: async (args, context, details) => execute(args, context, details),
  };
}

/**
 * A function tool the SDK built already (`tool()`, `mcpToFunctionTool`): its own `invoke` parses and
 * runs it. Its own error handling stays (a halt inside it reaches ORBIT as its failure text).
 */
export function fromFunctionTool(orbit: Orbit, built: FunctionTool, hints: ToolHints | undefined): ToolEntry {
  const { invoke } = built;
  if (typeof built.name !== 'string' || built.name.length === 0 || typeof invoke !== 'function')
    throw new OptionsInvalidError(
      `orbitAgents.tool(functionTool) needs a function tool the SDK built (tool({ ... })): a name and invoke, got name ${shown(built.name)}.`,
    );
  return {
    name: built.name,
    guarded: describeTool(built.name, undefined, hints, { schema: undefined, parsesItself: true }),
    parameters: withConfidence(orbit, built.parameters as Record<string, unknown>, built.strict),
    strict: built.strict,
    kept: {
      description: built.description,
      isEnabled: built.isEnabled,
      inputGuardrails: built.inputGuardrails,
      outputGuardrails: built.outputGuardrails,
    } as Partial<FunctionTool>,
    execute: async (args, context, details) => invoke(context, JSON.stringify(args ?? {}), details),
  };
}

/**
 * The JSON schema the model sees for a zod input: the tool's schema with the confidence argument, sent
 * non-strict, because the SDK validates nothing against a JSON schema: every call, even one with bad
 * arguments, reaches ORBIT's decision (`input_invalid` is a refusal the model reads).
 */
function modelFacing(orbit: Orbit, input: z.ZodType): Record<string, unknown> {
  const withArg = input instanceof z.ZodObject ? orbit.confidence.modelInputSchema(input) : input;
  const { $schema: _dropped, ...schema } = z.toJSONSchema(withArg, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return schema;
}

/** A JSON object schema with the confidence property the default confidence source reads. */
function withConfidence(
  orbit: Orbit,
  own: Record<string, unknown>,
  strict: boolean,
): Record<string, unknown> {
  if (own?.type !== 'object' || typeof own.properties !== 'object') return own;
  const probe = z.toJSONSchema(orbit.confidence.modelInputSchema(z.object({}))) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  const added = Object.keys(probe.properties ?? {});
  return {
    ...own,
    properties: { ...(own.properties as object), ...probe.properties },
    // A strict schema lists every property as required (the OpenAI API's rule).
    required: [
      ...((own.required as string[] | undefined) ?? []),
      ...(strict ? added : (probe.required ?? [])),
    ],
  };
}
