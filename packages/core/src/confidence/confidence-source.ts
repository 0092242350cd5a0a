import { z } from 'zod';

/**
 * Where a call's confidence comes from. The default reads a `confidence` argument that ORBIT adds to
 * the model-facing input schema, and strips it before the tool runs.
 */
export interface ConfidenceSource {
  /**
   * The schema the model sees for a tool whose own input schema is `input`.
   *
   * @throws TypeError from `argumentConfidence`'s (a plain one) when `input` is not a `z.object`.
   */
  modelInputSchema(input: z.ZodType): z.ZodType;
  /** Splits raw model arguments into the confidence (or `undefined`) and the tool's own arguments. */
  read(rawArgs: unknown): { confidence: unknown; args: unknown };
}

/**
 * The default confidence source: a required `confidence` argument (0..1) in the model-facing schema.
 * A missing, NaN or out-of-range value is passed on as is, and the gate counts it as missing.
 *
 * @throws TypeError (a plain one, not an ORBIT error) from its `modelInputSchema` when a tool's input
 * schema is not a `z.object`. Making the source never throws; `options` are not checked.
 */
export function argumentConfidence(options: { field?: string; description?: string } = {}): ConfidenceSource {
  const field = options.field ?? 'confidence';
  const description =
    options.description ??
    'Your confidence, from 0 to 1, that this call is correct and intended by the task. Be calibrated: low values ask a human first.';
  return {
    modelInputSchema(input) {
      if (!(input instanceof z.ZodObject)) {
        throw new TypeError(`argumentConfidence() needs an object input schema to add "${field}" to`);
      }
      return input.extend({ [field]: z.number().min(0).max(1).describe(description) });
    },
    read(rawArgs) {
      if (rawArgs === null || typeof rawArgs !== 'object' || Array.isArray(rawArgs) || !(field in rawArgs)) {
        return { confidence: undefined, args: rawArgs };
      }
      const { [field]: confidence, ...args } = rawArgs as Record<string, unknown>;
      return { confidence, args };
    },
  };
}
