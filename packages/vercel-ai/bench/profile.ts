// Who owns a frame of the AI SDK bench's CPU profiles (part 4); the profiling and the tables: bench/lib/profile.ts.
import { ORBIT, type OwnerOf } from '../../../bench/lib/profile.js';

/**
 * ORBIT (core or this adapter, source or build), the AI SDK (`ai`, `@ai-sdk/*`), the scripted model or the
 * bench loop; zod, OpenTelemetry, Node internals and builtins have no owner (charged to their caller).
 */
export const ownerOf: OwnerOf = (url) => {
  if (
    url.includes('/packages/core/') ||
    url.includes('/packages/vercel-ai/src/') ||
    url.includes('/packages/vercel-ai/dist/')
  )
    return ORBIT;
  if (url.includes('/packages/vercel-ai/test/')) return 'scripted model';
  if (url.includes('/packages/vercel-ai/bench/')) return 'bench loop';
  if (url.includes('/node_modules/ai/') || url.includes('/node_modules/@ai-sdk/')) return 'AI SDK';
  return undefined;
};
