// Who owns a frame of the LangGraph bench's CPU profiles (part 4); the profiling and the tables: bench/lib/profile.ts.
import { ORBIT, type OwnerOf } from '../../../bench/lib/profile.js';

/**
 * ORBIT (core or this adapter), LangChain/LangGraph (with LangSmith and Node's web streams, which LangGraph's
 * invoke reads) or the bench's scripted model; zod, Node internals and builtins have no owner (charged to their
 * caller).
 */
export const ownerOf: OwnerOf = (url) => {
  if (url.includes('/packages/core/') || url.includes('/packages/langgraph/src/')) return ORBIT;
  if (url.includes('/packages/langgraph/test/')) return 'scripted model';
  if (
    url.includes('@langchain') ||
    url.includes('/langchain/') ||
    url.includes('/langsmith/') ||
    url.startsWith('node:internal/webstreams')
  ) {
    return 'LangChain/LangGraph';
  }
  return undefined;
};
