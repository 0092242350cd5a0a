import { z } from 'zod';
import { OptionsInvalidError } from '../errors.js';
import type { Orbit } from '../run/create-orbit.js';
import type { ToolContext, ToolDefinition } from '../run/define-tool.js';
import type { ToolShape } from '../run/guard-request.js';

/**
 * What ORBIT needs to know of a framework's own tool besides its name and schema, given by name when
 * an adapter wraps tools it did not define (`defineTool` has these fields itself).
 */
export interface ToolHints<Args = Record<string, unknown>> {
  /** How many records a call touches (the records budget and the per-call record limit). */
  records?(args: Args): number;
  /** The resource a call acts on, `type:id` (new resource types pause; manifest `resources` bound it). */
  resource?(args: Args): string | undefined;
  /** Compensation for a reversible tool: called by `run.rollback()`. */
  undo?(args: Args, output: unknown, context: ToolContext): unknown;
}

/** What the call handler needs of one tool. */
export interface GuardedTool {
  readonly name: string;
  /** The input schema (to validate, and re-validate edits), records and resource. */
  readonly shape: ToolShape;
  readonly description: string | undefined;
  readonly undo: ((args: never, output: unknown, context: ToolContext) => unknown) | undefined;
  /** The tool parses its own arguments (a framework's tool): it gets the model's (or the editor's) as given, not ORBIT's parsed copy. */
  readonly parsesItself: boolean;
}

/** Any object: the input schema of a tool whose own schema is not zod (it validates itself). */
export const ANY_OBJECT = z.record(z.string(), z.unknown());

/**
 * Describes a framework's tool for the call handler: its zod schema if it has one (else any object),
 * and the hints given for its name.
 *
 * @param how Where the framework keeps the tool's schema (default its `schema` field, as LangChain's), and
 * whether the tool parses its own arguments (default true; false: ORBIT's parsed copy is what it runs with).
 */
export function describeTool(
  name: string,
  tool: unknown,
  hints: ToolHints | undefined,
  how: { schema?: unknown; parsesItself?: boolean } = {},
): GuardedTool {
  const candidate = tool as { schema?: unknown; description?: unknown } | undefined;
  const schema = 'schema' in how ? how.schema : candidate?.schema;
  return {
    name,
    shape: {
      input: isZod(schema) ? schema : ANY_OBJECT,
      ...(hints?.records ? { records: hints.records as ToolShape['records'] } : {}),
      ...(hints?.resource ? { resource: hints.resource as ToolShape['resource'] } : {}),
    },
    description: typeof candidate?.description === 'string' ? candidate.description : undefined,
    undo: hints?.undo as GuardedTool['undo'],
    parsesItself: how.parsesItself ?? true,
  };
}

/**
 * Describes an ORBIT tool definition (`defineTool`) for the call handler: its own schema, records,
 * resource and undo (an `undo` hint given for its name when it has none). ORBIT parses its arguments.
 */
export function describeDefinition(definition: ToolDefinition, hints: ToolHints | undefined): GuardedTool {
  return {
    name: definition.name,
    shape: definition,
    description: definition.description,
    undo: (definition.undo ?? hints?.undo) as GuardedTool['undo'],
    parsesItself: false,
  };
}

/** The JSON schema of a tool's input, for edit forms (none for a free-form input). */
export function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> | undefined {
  if (schema === ANY_OBJECT) return undefined;
  try {
    return z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** True for a zod schema (anything with `safeParse`). */
export function isZod(schema: unknown): schema is z.ZodType {
  return typeof (schema as { safeParse?: unknown } | undefined)?.safeParse === 'function';
}

/**
 * Fails fast, before the model is asked, when the manifest binds a tool to `resources` but ORBIT cannot
 * tell which resource a call acts on: every call of it would name no resource and halt the run.
 *
 * @param howToHint How to give the `resource` hint in this adapter, for the error.
 * @throws OptionsInvalidError naming the tool and the hint it needs.
 */
export function checkResourceHint(orbit: Orbit, tool: GuardedTool, howToHint: string): void {
  if (tool.shape.resource) return;
  if (orbit.policy.tools.get(tool.name)?.resources === undefined) return;
  throw new OptionsInvalidError(
    `Tool "${tool.name}" is bound to resources in the manifest, but ORBIT cannot tell which resource a call acts on: give ${howToHint}.`,
  );
}
