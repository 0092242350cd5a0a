import type { z } from 'zod';
import type { Reversibility } from '../manifest/manifest-schema.js';

/** What a tool's `execute` and `undo` receive besides their input. */
export interface ToolContext {
  readonly runId: string;
  readonly callId: string;
  readonly agentId: string;
}

/**
 * A tool ORBIT can guard: a name (the manifest's), a zod input schema, and an `execute`. Optional:
 * `undo` (compensation for reversible tools), `records` (how many records a call touches) and
 * `resource` (the resource it acts on, `type:id`).
 */
// biome-ignore lint/suspicious/noExplicitAny: the defaults let tools of any types share one list (input and output are contravariant/covariant).
export interface ToolDefinition<Input = any, Output = any> {
  readonly name: string;
  readonly description?: string;
  readonly input: z.ZodType<Input>;
  execute(input: Input, context: ToolContext): Output | Promise<Output>;
  undo?(input: Input, output: Output, context: ToolContext): unknown;
  records?(input: Input): number;
  resource?(input: Input): string | undefined;
  /**
   * The tier of this call, when it depends on the input or the time (a booking cancellable until 24 h
   * before it starts). A stricter tier than the manifest's always applies; a more lenient one only down
   * to the manifest's `reversibility_min` (else the manifest's tier stands). `undefined`: no opinion. A
   * hook that throws or returns something that is no tier leaves the manifest's tier (never more lenient).
   */
  reversibility?(input: Input, context: { readonly now: Date }): Reversibility | undefined;
}

/**
 * Asks a tool's `reversibility()` hook about a call: its answer, `undefined` without a hook (or no
 * opinion), `null` when it threw (the gate then keeps the manifest's tier).
 */
export function askReversibility<Input>(
  tool: Pick<ToolDefinition<Input>, 'reversibility'>,
  input: Input,
  now: number,
): unknown {
  if (tool.reversibility === undefined) return undefined;
  try {
    return tool.reversibility(input, { now: new Date(now) });
  } catch {
    return null;
  }
}

/**
 * Defines a tool with its types inferred from the input schema.
 *
 * @example
 * const updateInvoice = defineTool({
 *   name: 'update_invoice_status',
 *   input: z.object({ invoice_id: z.string(), status: z.enum(['paid', 'open']) }),
 *   resource: (input) => `invoice:${input.invoice_id}`,
 *   records: () => 1,
 *   execute: async (input) => billing.setStatus(input.invoice_id, input.status),
 * });
 */
export function defineTool<Schema extends z.ZodType, Output>(
  definition: Omit<ToolDefinition<z.output<Schema>, Output>, 'input'> & { input: Schema },
): ToolDefinition<z.output<Schema>, Output> {
  return definition as ToolDefinition<z.output<Schema>, Output>;
}
