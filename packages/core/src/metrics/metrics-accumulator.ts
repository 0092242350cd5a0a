import type { AuditEvent } from '../audit/audit-event.js';
import type { Tier } from '../gate/tier.js';
import { AnswerJoin, applyAnswer } from './answer-join.js';
import { readDecision, TIERS, toolName } from './decision-facts.js';
import { type GroupMetrics, MetricsGroup } from './metrics-group.js';
import type { MetricsSettings } from './metrics-options.js';
import { type RunOutcomes, type RunState, recordRunEvent, summarizeRunOutcomes } from './run-outcomes.js';

const DAY_MS = 86_400_000;

/** Everything measured for one agent: its totals, and the same per tool and per reversibility tier. */
export interface AgentMetrics extends GroupMetrics {
  agentId: string;
  firstEvent: string | null;
  lastEvent: string | null;
  /** Days from the agent's first to its last event. */
  daysInProduction: number;
  /** Maturity levels seen on its decisions, ascending. */
  maturityLevels: number[];
  runs: RunOutcomes;
  tools: Record<string, GroupMetrics>;
  /** All five tiers (`escalation` included), zeros where nothing happened. Answers whose decision is not in the log have no tier. */
  tiers: Record<Tier, GroupMetrics>;
}

/** The result of `computeMetrics`: plain JSON (no `NaN`, no `Infinity`, no `undefined`). */
export interface AuditMetrics {
  events: number;
  firstEvent: string | null;
  lastEvent: string | null;
  bins: number;
  drift: { baseline: { from: string; to: string }; current: { from: string; to: string } } | null;
  agents: Record<string, AgentMetrics>;
}

interface AgentState {
  readonly id: string;
  readonly total: MetricsGroup;
  readonly tools: Map<string, MetricsGroup>;
  readonly tiers: Record<Tier, MetricsGroup>;
  readonly levels: Set<number>;
  readonly runs: Map<string, RunState>;
  firstMs: number;
  lastMs: number;
}

/** Takes audit events one at a time and gives the metrics of everything seen so far (`computeMetrics`). */
export class MetricsAccumulator {
  private readonly settings: MetricsSettings;
  private readonly escalationTools: ReadonlySet<string>;
  private readonly agents = new Map<string, AgentState>();
  private readonly answers = new AnswerJoin();
  private events = 0;
  private firstMs = Number.POSITIVE_INFINITY;
  private lastMs = Number.NEGATIVE_INFINITY;

  constructor(settings: MetricsSettings) {
    this.settings = settings;
    this.escalationTools = new Set(settings.escalationTools);
  }

  /** Counts one event; events without an `agent_id`, and kinds the metrics do not know, count only in `events`. */
  add(event: AuditEvent): void {
    this.events++;
    if (typeof event?.agent_id !== 'string') return;
    const agent = this.agentOf(event.agent_id);
    const ms = typeof event.ts === 'string' ? Date.parse(event.ts) : Number.NaN;
    if (!Number.isNaN(ms)) {
      if (ms < agent.firstMs) agent.firstMs = ms;
      if (ms > agent.lastMs) agent.lastMs = ms;
      if (ms < this.firstMs) this.firstMs = ms;
      if (ms > this.lastMs) this.lastMs = ms;
    }
    if (event.event === 'decision') this.addDecision(agent, event, ms);
    else if (event.event === 'approval') this.answers.answer(event);
    else if (event.event === 'run') recordRunEvent(agent.runs, event, ms);
  }

  /** The metrics of the events so far; answers whose decision never came count for their agent and tool. */
  result(): AuditMetrics {
    for (const answer of this.answers.takeOrphans()) {
      const agent = this.agentOf(answer.agent_id);
      const groups = [agent.total, this.toolOf(agent, toolName(answer))];
      applyAnswer({ groups, confidence: undefined }, answer);
    }
    const drift = this.settings.drift;
    return {
      events: this.events,
      firstEvent: isoOrNull(this.firstMs),
      lastEvent: isoOrNull(this.lastMs),
      bins: this.settings.bins,
      drift: drift
        ? {
            baseline: { from: iso(drift.baseline.from), to: iso(drift.baseline.to) },
            current: { from: iso(drift.current.from), to: iso(drift.current.to) },
          }
        : null,
      agents: Object.fromEntries([...this.agents].map(([id, agent]) => [id, this.agentResult(agent)])),
    };
  }

  private agentOf(id: string): AgentState {
    let agent = this.agents.get(id);
    if (!agent) {
      agent = {
        id,
        total: this.newGroup(),
        tools: new Map(),
        tiers: Object.fromEntries(TIERS.map((tier) => [tier, this.newGroup()])) as Record<Tier, MetricsGroup>,
        levels: new Set(),
        runs: new Map(),
        firstMs: Number.POSITIVE_INFINITY,
        lastMs: Number.NEGATIVE_INFINITY,
      };
      this.agents.set(id, agent);
    }
    return agent;
  }

  private toolOf(agent: AgentState, tool: string): MetricsGroup {
    let group = agent.tools.get(tool);
    if (!group) {
      group = this.newGroup();
      agent.tools.set(tool, group);
    }
    return group;
  }

  private newGroup(): MetricsGroup {
    return new MetricsGroup(this.settings.bins, this.settings.drift !== undefined);
  }

  private addDecision(agent: AgentState, event: AuditEvent, ms: number): void {
    const decision = readDecision(event, ms, this.settings, this.escalationTools);
    const { tool, tier } = decision;
    const groups = tier
      ? [agent.total, this.toolOf(agent, tool), agent.tiers[tier]]
      : [agent.total, this.toolOf(agent, tool)];
    for (const group of groups) group.addDecision(decision);
    if (typeof event.maturity_level === 'number') agent.levels.add(event.maturity_level);
    if (decision.kind !== 'pause' || typeof event.call_id !== 'string') return;
    this.answers.pause(event, { groups, confidence: decision.confidence });
  }

  private agentResult(agent: AgentState): AgentMetrics {
    const seen = agent.firstMs <= agent.lastMs;
    const epsilon = this.settings.drift?.epsilon;
    return {
      agentId: agent.id,
      firstEvent: seen ? iso(agent.firstMs) : null,
      lastEvent: seen ? iso(agent.lastMs) : null,
      daysInProduction: seen ? (agent.lastMs - agent.firstMs) / DAY_MS : 0,
      maturityLevels: [...agent.levels].sort((a, b) => a - b),
      ...agent.total.summarize(epsilon),
      runs: summarizeRunOutcomes(agent.runs.values(), this.lastMs, this.settings.openRunGraceMs),
      tools: Object.fromEntries([...agent.tools].map(([tool, group]) => [tool, group.summarize(epsilon)])),
      tiers: Object.fromEntries(TIERS.map((tier) => [tier, agent.tiers[tier].summarize(epsilon)])) as Record<
        Tier,
        GroupMetrics
      >,
    };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number): string | null {
  return Number.isFinite(ms) ? iso(ms) : null;
}
