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
 * restored twice (a replayed resume) is not counted twice. Tokens the SDK totals with no request entry
 * (a response whose usage reports several requests at once) are counted too, by the growth of that rest.
 */
export class UsageCounter {
  /** How many requests of each live `Usage` were counted, the tokens counted outside them, and the SDK run's stamp. */
  private readonly seen = new WeakMap<Usage, { counted: number; untracked: number; stamp: string }>();

  constructor(private readonly registry: RunRegistry<unknown>) {}

  /** Counts the requests the SDK made since ORBIT last looked, into `run`'s budget. */
  count(run: Run, runContext: RunContext): void {
    const { usage } = runContext;
    if (!usage) return;
    const entries = usage.requestUsageEntries ?? [];
    // Tokens the SDK totals without a per-request entry (a response reporting several requests at once).
    // A total that is not a finite number (a provider's NaN, a string the SDK concatenated) tells nothing.
    const total = usage.totalTokens ?? 0;
    const untracked =
      typeof total === 'number' && Number.isFinite(total)
        ? Math.max(0, total - tokensOf(entries, entries.length))
        : (this.seen.get(usage)?.untracked ?? 0);
    const fields = fieldsOf(runContext.context);
    let seen = this.seen.get(usage);
    if (!seen) {
      const mark = fields[USAGE_KEY] as
        | { requests: number; tokens: number; stamp?: string; untracked?: number }
        | undefined;
      const restored =
        mark !== undefined &&
        typeof mark.stamp === 'string' &&
        entries.length >= mark.requests &&
        tokensOf(entries, mark.requests) === mark.tokens &&
        untracked >= (mark.untracked ?? 0);
      seen = restored
        ? { counted: mark.requests, untracked: mark.untracked ?? 0, stamp: mark.stamp! }
        : { counted: 0, untracked: 0, stamp: randomUUID() };
      this.seen.set(usage, seen);
    }
    if (seen.counted >= entries.length && untracked <= seen.untracked) return;
    for (let i = seen.counted; i < entries.length; i++)
      this.registry.countUsage(run, `${seen.stamp}:${i}`, tokenCount(entries[i]!.totalTokens));
    if (untracked > seen.untracked)
      this.registry.countUsage(run, `${seen.stamp}:untracked:${untracked}`, untracked - seen.untracked);
    seen.counted = Math.max(seen.counted, entries.length);
    seen.untracked = Math.max(seen.untracked, untracked);
    fields[USAGE_KEY] = {
      requests: seen.counted,
      tokens: tokensOf(entries, seen.counted),
      stamp: seen.stamp,
      ...(seen.untracked > 0 ? { untracked: seen.untracked } : {}),
    };
  }
}

function tokensOf(entries: readonly { totalTokens: number }[], count: number): number {
  let tokens = 0;
  for (let i = 0; i < count; i++) tokens += tokenCount(entries[i]!.totalTokens);
  return Number.isFinite(tokens) ? tokens : Number.MAX_VALUE;
}

/**
 * A provider's token count as ORBIT counts it: a number, or a numeric string (the SDK keeps what the
 * provider sent); nothing for what is not a count (NaN, negative); `Infinity` as the largest safe
 * integer, over any budget (the core drops what is not finite).
 */
function tokenCount(value: unknown): number {
  const count = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof count !== 'number' || Number.isNaN(count) || count <= 0) return 0;
  return Number.isFinite(count) ? count : Number.MAX_SAFE_INTEGER;
}
