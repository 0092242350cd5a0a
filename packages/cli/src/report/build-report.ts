import type { AuditEvent } from '@orbit-agents/core';
import {
  type AuditMetrics,
  computeMetrics,
  type MaturityReadiness,
  maturityReadiness,
  recommendThreshold,
  type ThresholdRecommendations,
} from '@orbit-agents/core/metrics';
import { type DriftPeriods, defaultDriftPeriods, timeRange } from './drift-periods.js';
import { type Bucket, type SeriesPoint, seriesByAgent } from './time-series.js';

export type MaturityLevel = 1 | 2 | 3 | 4;

/** What `buildReport` is asked for; every field is optional. */
export interface ReportOptions {
  /** The audit files the events came from (shown in the report). */
  sources?: readonly string[];
  /** The `--agent` filter, when the events were filtered by it (shown in the report). */
  agent?: string | null;
  /** The `--since` filter, an ISO time, when the events were filtered by it (shown in the report). */
  since?: string | null;
  /** Lines skipped as not audit events (`--skip-invalid`). */
  skippedLines?: number;
  /** The drift periods; default: the last 7 days against the 7 before, or the second half against the first. */
  drift?: DriftPeriods | null;
  /** Buckets of the rates over time; `auto` (default): per day up to 31 days, else per week. */
  bucket?: Bucket | 'auto';
  /** Target override rate of the threshold recommendations. Default 0.05. */
  targetOverrideRate?: number;
  /** Fewest human answers a threshold is based on. Default 30 (the core's). */
  minSamples?: number;
  /** The agents' current maturity level; default: the highest level on their decisions, else 1. */
  level?: MaturityLevel;
}

/** One agent's part of the report, beside its metrics (`metrics.agents[agentId]`). */
export interface AgentReport {
  agentId: string;
  /** The level readiness is judged from, and where it came from. */
  level: MaturityLevel;
  levelSource: 'option' | 'events' | 'default';
  thresholds: ThresholdRecommendations;
  readiness: MaturityReadiness;
  /** Interrupt and override rates per day or week, from the first to the last event. */
  series: SeriesPoint[];
}

/** The computed report: what `orbit report --json` prints, and what the text and HTML renderers read. */
export interface ReportDocument {
  report: {
    sources: string[];
    agent: string | null;
    since: string | null;
    skippedLines: number;
    bucket: Bucket;
    targetOverrideRate: number;
    minSamples: number;
  };
  /** `computeMetrics` of the events (null drift when the events span no time). */
  metrics: AuditMetrics;
  /** One per agent, in the order of `metrics.agents`. */
  agents: AgentReport[];
}

const DAY_MS = 86_400_000;

/**
 * Computes the report of audit events with the core's metrics: `computeMetrics` (with drift periods),
 * `recommendThreshold` per agent, `maturityReadiness` per agent, and the rates per day or week (the
 * same `computeMetrics` over each period's decisions). Nothing here defines a metric of its own.
 *
 * @throws OptionsInvalidError (from the core) when an option is out of range (`targetOverrideRate`).
 */
export function buildReport(events: readonly AuditEvent[], options: ReportOptions = {}): ReportDocument {
  const range = timeRange(events);
  const drift = options.drift === undefined ? defaultDriftPeriods(range) : options.drift;
  const metrics = computeMetrics(events, drift ? { drift } : {});
  const span = range ? range.lastMs - range.firstMs : 0;
  const bucket: Bucket =
    options.bucket === undefined || options.bucket === 'auto'
      ? span <= 31 * DAY_MS
        ? 'day'
        : 'week'
      : options.bucket;
  const targetOverrideRate = options.targetOverrideRate ?? 0.05;
  const minSamples = options.minSamples ?? 30;
  const series = seriesByAgent(events, bucket);
  const agents = Object.values(metrics.agents).map((agent): AgentReport => {
    const seen = agent.maturityLevels.at(-1);
    const level: MaturityLevel =
      options.level ?? (seen !== undefined && seen >= 1 && seen <= 4 ? (seen as MaturityLevel) : 1);
    return {
      agentId: agent.agentId,
      level,
      levelSource: options.level ? 'option' : seen !== undefined ? 'events' : 'default',
      thresholds: recommendThreshold(metrics, { targetOverrideRate, minSamples, agentId: agent.agentId }),
      readiness: maturityReadiness(metrics, agent.agentId, level),
      series: series.get(agent.agentId) ?? [],
    };
  });
  return {
    report: {
      sources: [...(options.sources ?? [])],
      agent: options.agent ?? null,
      since: options.since ?? null,
      skippedLines: options.skippedLines ?? 0,
      bucket,
      targetOverrideRate,
      minSamples,
    },
    metrics,
    agents,
  };
}
