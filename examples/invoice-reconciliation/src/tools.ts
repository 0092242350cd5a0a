import { defineTool } from '@orbit-agents/core';
import { z } from 'zod';

/** An in-memory CRM and billing system: the world the scripted agent acts on. */
export class FakeBilling {
  readonly accounts = [
    { id: 'ACC-17', name: 'Acme Corp', email: 'ap@acme.example' },
    { id: 'ACC-18', name: 'Acme Corporation', email: 'billing@acme-corp.example' },
  ];
  readonly invoices = new Map<string, string>([
    ['INV-1001', 'open'],
    ['INV-1002', 'open'],
    ['INV-1003', 'open'],
  ]);
  readonly flags: string[] = [];
  merged = false;
}

/** The example's tools, bound to one billing system. */
export function createTools(billing: FakeBilling) {
  const searchCrmAccounts = defineTool({
    name: 'search_crm_accounts',
    description: 'Search CRM accounts by name.',
    input: z.object({ query: z.string().min(1) }),
    resource: () => 'crm_account:*',
    execute: ({ query }) =>
      billing.accounts.filter((account) => account.name.toLowerCase().includes(query.toLowerCase())),
  });

  const updateInvoiceStatus = defineTool({
    name: 'update_invoice_status',
    description: 'Set the billing status of one invoice.',
    input: z.object({
      invoice_id: z.string().regex(/^INV-\d+$/),
      status: z.enum(['matched', 'open', 'disputed']),
      account_id: z.string(),
    }),
    resource: ({ invoice_id }) => `invoice:${invoice_id}`,
    records: () => 1,
    execute: ({ invoice_id, status }) => {
      const previous = billing.invoices.get(invoice_id);
      if (previous === undefined) throw new Error(`no invoice ${invoice_id}`);
      billing.invoices.set(invoice_id, status);
      return { invoice_id, previous, status };
    },
    undo: ({ invoice_id }, output) => billing.invoices.set(invoice_id, output.previous),
  });

  const flagForHumanReview = defineTool({
    name: 'flag_for_human_review',
    description: 'Ask a person to look at something the agent is unsure about.',
    input: z.object({ subject: z.string(), note: z.string() }),
    execute: ({ subject, note }) => {
      billing.flags.push(`${subject}: ${note}`);
      return { flagged: subject };
    },
  });

  const mergeCrmAccounts = defineTool({
    name: 'merge_crm_accounts',
    description: 'Merge two CRM accounts into one.',
    input: z.object({ source_id: z.string(), target_id: z.string() }),
    resource: ({ target_id }) => `crm_account:${target_id}`,
    records: () => 2,
    execute: () => {
      billing.merged = true;
      return { merged: true };
    },
  });

  return { searchCrmAccounts, updateInvoiceStatus, flagForHumanReview, mergeCrmAccounts };
}
