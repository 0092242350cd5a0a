import type { AuditEvent } from '@orbit-agents/core';
import { computeMetrics } from '@orbit-agents/core/metrics';

/** The length of one point of the rates over time. */
export type Bucket = 'day' | 'week';

/** One agent's figures for one day or week (UTC; a week starts on Monday), from `computeMetrics`. */
export interface SeriesPoint {
  from: string;
  to: string;
  decisions: number;
  interrupts: number;
  interruptRate: number | null;
  humanAnswers: number;
  humanOverrides: number;
  humanOverrideRate: number | null;
}

const DAY_MS = 86_400_000;
/** At most this many points: a longer log is shown by its last ones. */
const MAX_POINTS = 400;

/**
 * The interrupt and override rates of each agent per day or week: the events are put in periods (an
 * answer in the period of the decision it answers, so that a pause answered the next day still counts
 * where it was asked) and `computeMetrics` runs on each period. Every period from the first event to
 * the last is a point, empty ones included (their rates are null).
 */
export function seriesByAgent(events: readonly AuditEvent[], bucket: Bucket): Map<string, SeriesPoint[]> {
  const startOf = bucket === 'day' ? startOfDay : startOfWeek;
  const length = bucket === 'day' ? DAY_MS : 7 * DAY_MS;
  const decisionPeriod = new Map<string, number>();
  for (const event of events) {
    const ms = Date.parse(event.ts);
    if (event.event === 'decision' && typeof event.call_id === 'string' && !Number.isNaN(ms)) {
      decisionPeriod.set(callKey(event), startOf(ms));
    }
  }
  const periods = new Map<number, AuditEvent[]>();
  for (const event of events) {
    const ms = Date.parse(event.ts);
    if (Number.isNaN(ms)) continue;
    const joined =
      event.event === 'approval' && typeof event.call_id === 'string'
        ? decisionPeriod.get(callKey(event))
        : undefined;
    const period = joined ?? startOf(ms);
    const list = periods.get(period);
    if (list) list.push(event);
    else periods.set(period, [event]);
  }
  const result = new Map<string, SeriesPoint[]>();
  if (periods.size === 0) return result;
  const starts = [...periods.keys()];
  const last = Math.max(...starts);
  const first = Math.max(Math.min(...starts), last - (MAX_POINTS - 1) * length);
  const agents = new Set(events.map((event) => event.agent_id));
  for (const agent of agents) result.set(agent, []);
  for (let start = first; start <= last; start += length) {
    const metrics = computeMetrics(periods.get(start) ?? []);
    for (const agent of agents) {
      const group = metrics.agents[agent];
      result.get(agent)!.push({
        from: new Date(start).toISOString(),
        to: new Date(start + length).toISOString(),
        decisions: group?.decisions ?? 0,
        interrupts: group?.interrupts ?? 0,
        interruptRate: group?.interruptRate ?? null,
        humanAnswers: group?.humanAnswers ?? 0,
        humanOverrides: group?.humanOverrides ?? 0,
        humanOverrideRate: group?.humanOverrideRate ?? null,
      });
    }
  }
  return result;
}

function callKey(event: AuditEvent): string {
  return `${event.run_id}\u0000${event.call_id}`;
}

function startOfDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Monday 00:00 UTC of the week of `ms` (1970-01-01 was a Thursday). */
function startOfWeek(ms: number): number {
  const day = startOfDay(ms);
  const weekday = (new Date(day).getUTCDay() + 6) % 7;
  return day - weekday * DAY_MS;
}
