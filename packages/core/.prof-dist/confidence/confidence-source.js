import { z } from 'zod';
/**
 * The default confidence source: a required `confidence` argument (0..1) in the model-facing schema.
 * A missing, NaN or out-of-range value is passed on as is, and the gate counts it as missing.
 */
export function argumentConfidence(options = {}) {
    const field = options.field ?? 'confidence';
    const description = options.description ??
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
            const { [field]: confidence, ...args } = rawArgs;
            return { confidence, args };
        },
    };
}
