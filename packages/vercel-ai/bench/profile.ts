// Who owns a frame of the AI SDK bench's CPU profiles (part 4); the profiling and the tables: bench/lib/profile.ts.
import { adapterOwners, type OwnerOf } from '../../../bench/lib/profile.js';

/**
 * ORBIT (core or this adapter, source or build), the AI SDK (`ai`, `@ai-sdk/*`), the scripted model or the
 * bench loop; zod, OpenTelemetry, Node internals and builtins have no owner (charged to their caller).
 */
export const ownerOf: OwnerOf = adapterOwners('vercel-ai', ['test/'], (url) =>
  url.includes('/node_modules/ai/') || url.includes('/node_modules/@ai-sdk/') ? 'AI SDK' : undefined,
);
