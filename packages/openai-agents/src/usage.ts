import { randomUUID } from 'node:crypto';
import type { RunContext, Usage } from '@openai/agents';
import type { Run } from '@orbit-agents/core';
import type { RunRegistry } from '@orbit-agents/core/adapter';
import { fieldsOf, USAGE_KEY } from './context.js';

/**
 * Feeds the SDK's usage into the run's token budget, each model request once. The SDK keeps a running
 * list of its requests (`usage.requestUsageEntries`, also inside `RunState`); ORBIT counts the ones it
 * has not counted, and keeps in the context how many it counted (with their tokens, to tell a restored
 * state from a new run reusing the context object) and a stamp naming the SDK run, so that a state
 * restored twice (a replayed resume) is not counted twice.
 */
export class UsageCounter {
  /** How many requests of each live `Usage` were counted, and the SDK run's stamp. */
  private readonly seen = new WeakMap<Usage, { counted: number; stamp: string }>();

  constructor(private readonly registry: RunRegistry<unknown>) {}

  /** Counts the requests the SDK made since ORBIT last looked, into `run`'s budget. */
  count(run: Run, runContext: RunContext): void {
    const { usage } = runContext;
    const entries = usage?.requestUsageEntries;
    if (!entries) return;
    const fields = fieldsOf(runContext.context);
    let seen = this.seen.get(usage);
    if (!seen) {
      const mark = fields[USAGE_KEY] as { requests: number; tokens: number; stamp?: string } | undefined;
      const restored =
        mark !== undefined &&
        typeof mark.stamp === 'string' &&
        entries.length >= mark.requests &&
        tokensOf(entries, mark.requests) === mark.tokens;
      seen = restored ? { counted: mark.requests, stamp: mark.stamp! } : { counted: 0, stamp: randomUUID() };
      this.seen.set(usage, seen);
    }
    if (seen.counted >= entries.length) return;
    for (let i = seen.counted; i < entries.length; i++)
      this.registry.countUsage(run, `${seen.stamp}:${i}`, entries[i]!.totalTokens);
    seen.counted = entries.length;
    fields[USAGE_KEY] = {
      requests: entries.length,
      tokens: tokensOf(entries, entries.length),
      stamp: seen.stamp,
    };
  }
}

function tokensOf(entries: readonly { totalTokens: number }[], count: number): number {
  let tokens = 0;
  for (let i = 0; i < count; i++) tokens += entries[i]!.totalTokens;
  return tokens;
}
