// Who owns a frame of the OpenAI Agents bench's CPU profiles (part 4); the profiling and the tables:
// bench/lib/profile.ts.
import { adapterOwners, type OwnerOf } from '../../../bench/lib/profile.js';

/**
 * ORBIT (core or this adapter, source or build), the OpenAI Agents SDK (`@openai/agents*`; the errors it
 * constructs apart: it throws and catches one per candidate item when it commits a turn's tool outputs), the
 * scripted model or the bench loop; zod, Node internals and builtins have no owner (charged to their caller).
 */
export const ownerOf: OwnerOf = adapterOwners('openai-agents', ['bench/model.ts', 'test/'], (url) => {
  if (url.includes('/@openai/agents-core/dist/errors.'))
    return 'SDK: its errors (new UserError, thrown and caught)';
  if (url.includes('/@openai/agents')) return 'OpenAI Agents SDK (the rest)';
  return undefined;
});
