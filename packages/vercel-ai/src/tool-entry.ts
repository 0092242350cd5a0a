import type { Orbit, Run, ToolDefinition } from '@orbit-agents/core';
import {
  ANY_OBJECT,
  describeDefinition,
  describeTool,
  type GuardedTool,
  isZod,
  type ToolHints,
} from '@orbit-agents/core/adapter';
import { OptionsInvalidError } from '@orbit-agents/core/errors';
import { asSchema, jsonSchema, type Tool, type ToolExecutionOptions, zodSchema } from 'ai';
import { z } from 'zod';

/** What the binding knows of one tool: the SDK tool as given, and what the call handler needs. */
export interface ToolEntry {
  readonly name: string;
  /** The tool as the application gave it (an ORBIT definition: as an SDK tool). */
  readonly original: Tool;
  /** Runs the tool once ORBIT has decided: the SDK's execute options, and the run it acts in. */
  readonly execute: (args: unknown, options: ToolExecutionOptions<never>, run: Run) => unknown;
  readonly guarded: GuardedTool;
  /** The tool's own input check, for a schema that is not zod (ORBIT cannot parse it itself). */
  readonly validate: ((value: unknown) => Promise<unknown>) | undefined;
}

/** An ORBIT tool definition as the SDK tool it is run as (its `execute` gets ORBIT's context). */
export function fromDefinition(definition: ToolDefinition, hints: ToolHints | undefined): ToolEntry {
  const original = { description: definition.description, inputSchema: definition.input } as unknown as Tool;
  return {
    name: definition.name,
    original,
    execute: (args, options, run) =>
      definition.execute(args as never, { runId: run.id, callId: options.toolCallId, agentId: run.agentId }),
    guarded: describeDefinition(definition, hints),
    validate: undefined,
  };
}

/** An SDK `tool()` with the hints given for its name: a zod input schema is ORBIT's to parse. */
export function fromSdkTool(name: string, tool: Tool, hints: ToolHints | undefined): ToolEntry {
  if (typeof tool.execute !== 'function') {
    throw new OptionsInvalidError(
      `Tool "${name}" has no execute: ORBIT guards tools the SDK runs (a client-side tool is answered by the client, not guarded).`,
    );
  }
  const zod = isZod(tool.inputSchema);
  const validator = zod ? undefined : asSchema(tool.inputSchema as never);
  const execute = tool.execute;
  return {
    name,
    original: tool,
    execute: (args, options) => execute(args as never, options),
    // A zod schema is parsed by ORBIT as the SDK would (defaults, transforms); another is the tool's own to check.
    guarded: describeTool(name, tool, hints, { schema: tool.inputSchema, parsesItself: !zod }),
    validate:
      validator?.validate &&
      (async (value) => {
        const result = await validator.validate!(value);
        if (!result.success) throw result.error;
        return result.value;
      }),
  };
}

type ModelFacingSchema = ReturnType<typeof jsonSchema>;

/** Each entry's model-facing schema, with the orbit it was made for (an entry belongs to one binding). */
const modelFacing = new WeakMap<ToolEntry, { orbit: Orbit; schema: ModelFacingSchema }>();

/**
 * The input schema the model sees: the tool's own (its JSON schema, with ORBIT's confidence argument
 * for an object schema), but one that accepts whatever the model sends, so that every call, even one
 * with bad arguments, reaches ORBIT's decision (`input_invalid` is a refusal the model reads).
 * Made once per entry and orbit: `settings()` asks for it on every call, and building it (zod's
 * `toJSONSchema` of the extended schema) costs about 100 µs, more than the SDK's own tool call.
 */
export function modelFacingSchema(orbit: Orbit, entry: ToolEntry): ModelFacingSchema {
  const made = modelFacing.get(entry);
  if (made?.orbit === orbit) return made.schema;
  const schema = buildModelFacingSchema(orbit, entry);
  modelFacing.set(entry, { orbit, schema });
  return schema;
}

function buildModelFacingSchema(orbit: Orbit, entry: ToolEntry): ModelFacingSchema {
  const input = entry.guarded.shape.input;
  let schema: Record<string, unknown>;
  if (input instanceof z.ZodObject) {
    schema = asTheSdkSends(orbit.confidence.modelInputSchema(input));
  } else if (input === ANY_OBJECT) {
    const own = asSchema(entry.original.inputSchema as never).jsonSchema as Record<string, unknown>;
    schema = withConfidence(orbit, own);
  } else {
    schema = asTheSdkSends(input);
  }
  return permissive(schema);
}

/** A JSON schema the SDK sends as it is, with a check that lets every value through to ORBIT's decision. */
export function permissive(schema: Record<string, unknown>): ModelFacingSchema {
  return jsonSchema(schema as never, { validate: (value) => ({ success: true, value }) });
}

/**
 * A zod schema's JSON schema as the SDK alone would send it (its `zodSchema`: the input side, draft-07,
 * closed objects), so the model sees the tool as it would without ORBIT; types the SDK cannot convert
 * are any value rather than an error.
 */
export function asTheSdkSends(schema: z.ZodType): Record<string, unknown> {
  try {
    const converted = zodSchema(schema as never).jsonSchema;
    if (typeof (converted as PromiseLike<unknown>).then !== 'function')
      return converted as Record<string, unknown>;
  } catch {
    // a type zod cannot represent: converted below, as any value
  }
  return z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

/** A JSON object schema with the confidence property the default confidence source reads. */
function withConfidence(orbit: Orbit, own: Record<string, unknown>): Record<string, unknown> {
  if (own.type !== 'object' || typeof own.properties !== 'object') return own;
  const probe = z.toJSONSchema(orbit.confidence.modelInputSchema(z.object({}))) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  return {
    ...own,
    properties: { ...(own.properties as object), ...probe.properties },
    required: [...((own.required as string[] | undefined) ?? []), ...(probe.required ?? [])],
  };
}
