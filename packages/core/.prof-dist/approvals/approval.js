import { z } from 'zod';
const base = {
    action_hash: z.string().min(1, 'expected the action_hash of the request being answered'),
    approver: z.string().min(1, 'expected who answered (approver)'),
    comment: z.string().optional(),
};
/** A human's answer. Validated at the edge; bound to the request by `action_hash`. */
export const ApprovalAnswerSchema = z.discriminatedUnion('type', [
    z.strictObject({
        type: z.literal('approve'),
        ...base,
        /** For a soft-budget pause: raise the run's budgets by this much. */
        extend_budget: z
            .strictObject({
            tokens: z.number().int().nonnegative().optional(),
            records: z.number().int().nonnegative().optional(),
            minutes: z.number().nonnegative().optional(),
        })
            .optional(),
    }),
    z.strictObject({
        type: z.literal('deny'),
        ...base,
        /** Stop the whole run, not only this call (the "stop" answer to a soft-budget pause). */
        stop_run: z.boolean().optional(),
    }),
    z.strictObject({ type: z.literal('edit'), ...base, args: z.unknown() }),
]);
