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
export function defineTool(definition) {
    return definition;
}
