import { defineTool } from '@orbit-agents/core';
import { z } from 'zod';

/** The world the scripted agents act on: a web index, documents, a CRM and an outbox. */
export class FakeWorld {
  readonly crm = new Map<string, string>();
  readonly outbox: string[] = [];
  readonly flags: string[] = [];
}

export function createTools(world: FakeWorld) {
  const webSearch = defineTool({
    name: 'web_search',
    description: 'Search the web; returns result URLs.',
    input: z.object({ query: z.string().min(1) }),
    execute: ({ query }) => [`https://example.com/pricing?q=${encodeURIComponent(query)}`],
  });
  const readDocument = defineTool({
    name: 'read_document',
    description: 'Read a document at a URL.',
    input: z.object({ url: z.string() }),
    execute: ({ url }) => ({ url, text: 'Rival Pro: $49/seat; Rival Team: $29/seat.' }),
  });
  const flagForHumanReview = defineTool({
    name: 'flag_for_human_review',
    description: 'Ask a person to look at something.',
    input: z.object({ subject: z.string(), note: z.string() }),
    execute: ({ subject, note }) => world.flags.push(`${subject}: ${note}`),
  });
  const updateCrmRecord = defineTool({
    name: 'update_crm_record',
    description: 'Write a note on one CRM contact.',
    input: z.object({ contact_id: z.string(), note: z.string() }),
    resource: ({ contact_id }) => `crm:contact:${contact_id}`,
    records: () => 1,
    execute: ({ contact_id, note }) => {
      const previous = world.crm.get(contact_id);
      world.crm.set(contact_id, note);
      return { contact_id, previous };
    },
  });
  const sendExternalEmail = defineTool({
    name: 'send_external_email',
    description: 'Send an email outside the company.',
    input: z.object({ to: z.string(), body: z.string() }),
    execute: ({ to }) => world.outbox.push(to),
  });
  return { webSearch, readDocument, flagForHumanReview, updateCrmRecord, sendExternalEmail };
}
