import type { AuditEvent } from '@orbit-agents/core';

/** The two periods whose confidence histograms are compared (PSI): ISO times, `[from, to)`. */
export interface DriftPeriods {
  baseline: { from: string; to: string };
  current: { from: string; to: string };
}

/** The first and last event time, in ms; null without a readable time. */
export interface TimeRange {
  firstMs: number;
  lastMs: number;
}

const WEEK_MS = 7 * 86_400_000;

/** The first and last `ts` of the events. */
export function timeRange(events: Iterable<AuditEvent>): TimeRange | null {
  let firstMs = Number.POSITIVE_INFINITY;
  let lastMs = Number.NEGATIVE_INFINITY;
  for (const event of events) {
    const ms = Date.parse(event.ts);
    if (Number.isNaN(ms)) continue;
    if (ms < firstMs) firstMs = ms;
    if (ms > lastMs) lastMs = ms;
  }
  return firstMs <= lastMs ? { firstMs, lastMs } : null;
}

/**
 * The default drift periods of a weekly review: the last 7 days of the log against the 7 days before
 * when the log spans at least 14 days; else its second half against its first. None when every event
 * has the same time. The current period ends just after the last event (periods are `[from, to)`).
 */
export function defaultDriftPeriods(range: TimeRange | null): DriftPeriods | null {
  if (!range || range.lastMs <= range.firstMs) return null;
  const end = range.lastMs + 1;
  const span = range.lastMs - range.firstMs;
  const split = span >= 2 * WEEK_MS ? end - WEEK_MS : range.firstMs + Math.ceil(span / 2);
  const start = span >= 2 * WEEK_MS ? split - WEEK_MS : range.firstMs;
  return {
    baseline: { from: iso(start), to: iso(split) },
    current: { from: iso(split), to: iso(end) },
  };
}

/**
 * Reads a period written `FROM..TO` (ISO dates or times, `[from, to)`); throws a `RangeError` naming
 * what is wrong.
 */
export function parsePeriod(text: string): { from: string; to: string } {
  const [from, to, extra] = text.split('..');
  if (from === undefined || to === undefined || extra !== undefined || from === '' || to === '') {
    throw new RangeError(`expected FROM..TO (two ISO dates or times), got "${text}"`);
  }
  for (const value of [from, to]) {
    if (Number.isNaN(Date.parse(value))) throw new RangeError(`"${value}" is not an ISO date or time`);
  }
  if (Date.parse(from) >= Date.parse(to)) throw new RangeError(`"${from}" is not before "${to}"`);
  return { from: iso(Date.parse(from)), to: iso(Date.parse(to)) };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
