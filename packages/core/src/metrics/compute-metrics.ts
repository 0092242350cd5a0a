import { z } from 'zod';
import type { AuditEvent } from '../audit/audit-event.js';
import { formatPath, OptionsInvalidError } from '../errors.js';
import { DECISIONS, type DecisionKind, type ReasonCode } from '../gate/reason-codes.js';
import { type Reversibility, ReversibilitySchema } from '../manifest/manifest-schema.js';
import {
  type DriftInterpretation,
  interpretPsi,
  nearestRank,
  PSI_EPSILON,
  populationStabilityIndex,
} from './statistics.js';

const DAY_MS = 86_400_000;
const TIERS = ReversibilitySchema.options;

/** Halts for a call outside what the manifest (or the sub-agent's token) allows: the boundary discipline. */
export const BOUNDARY_HALT_REASONS: readonly ReasonCode[] = [
  'tool_not_in_manifest',
  'tool_explicitly_blocked',
  'resource_not_in_manifest',
  'token_scope_violation',
];

const instant = z
  .union([
    z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO 8601 time'),
    z.date(),
    z.number(),
  ])
  .transform((value) =>
    typeof value === 'string' ? Date.parse(value) : typeof value === 'number' ? value : value.getTime(),
  )
  .refine((ms) => Number.isFinite(ms) && Math.abs(ms) <= 8.64e15, 'expected a valid time');

/** A time range `[from, to)` over the events' `ts`: ISO strings, `Date`s or ms since the epoch. */
const PeriodSchema = z
  .strictObject({ from: instant, to: instant })
  .refine((period) => period.from < period.to, 'expected `from` before `to`');

const MetricsOptionsSchema = z.strictObject({
  /** Bins of the confidence histogram over [0, 1]. Default 10. */
  bins: z.number().int().min(2).max(1000).default(10),
  /** Compares the confidence distribution of a current period with a baseline period (PSI). */
  drift: z
    .strictObject({
      baseline: PeriodSchema,
      current: PeriodSchema,
      /** The share an empty bin counts as. Default 1e-4. */
      epsilon: z.number().positive().max(0.01).default(PSI_EPSILON),
    })
    .optional(),
  /**
   * The agent's escalation tools (the manifest's tools with `escalation: true`; audit events do not
   * carry the flag). Default `['flag_for_human_review']`, the article's.
   */
  escalationTools: z.array(z.string()).default(['flag_for_human_review']),
  /**
   * A run that started at most this many ms before the log's last event and has not ended counts as
   * `open`, not abandoned. Default 0: every run without an end counts as abandoned.
   */
  openRunGraceMs: z.number().nonnegative().default(0),
});

/** Options of `computeMetrics`. */
export type MetricsOptions = z.input<typeof MetricsOptionsSchema>;
type Settings = z.output<typeof MetricsOptionsSchema>;

/** The answers an approval request can get, a timeout included. */
export type ApprovalOutcome = 'approve' | 'deny' | 'edit' | 'timeout';

/** How the interrupts of a group ended. */
export interface InterruptResolution {
  /** Pauses a human answered: `approve`, `deny` or `edit`. */
  human: number;
  /** `timeout + escalated`: interrupts that ended without a human answer. */
  agent: number;
  /** Pauses nobody answered in time: the gate resolved them (deny or halt, per `onApprovalTimeout`). */
  timeout: number;
  /** Calls the agent made to an escalation tool that were admitted: it handed the case off itself, no pause. */
  escalated: number;
  /** Pauses with no answer in the log (still waiting, or the log ends first). */
  pending: number;
  /** `agent / (agent + human)`; `null` when both are 0. */
  agentResolvedShare: number | null;
}

/** Nearest-rank percentiles of `waited_ms` over human answers (timeouts excluded). `null` without answers. */
export interface LatencySummary {
  count: number;
  p50: number | null;
  p90: number | null;
  max: number | null;
}

/**
 * The confidences of the decisions: `bins[i]` counts values in `[i/n, (i+1)/n)`, the last bin also
 * holds 1. Decisions without a valid confidence (null, missing, outside [0, 1]) count as `missing`.
 */
export interface ConfidenceDistribution {
  count: number;
  missing: number;
  mean: number | null;
  bins: number[];
}

/** The confidence histogram of the baseline and the current period, and their PSI. */
export interface ConfidenceDistributionDrift {
  /** `null` when either period has no confidence. */
  psi: number | null;
  interpretation: DriftInterpretation | 'insufficient_data';
  baseline: { count: number; bins: number[] };
  current: { count: number; bins: number[] };
}

/** Human answers at one confidence: how many, and how many overrode the agent (`deny` or `edit`). */
export interface CalibrationPoint {
  confidence: number;
  answered: number;
  overridden: number;
}

/** The metrics of one group of decisions: an agent, one of its tools, or one of its reversibility tiers. */
export interface GroupMetrics {
  /** `decision` events: one per guarded call, the gate's first decision (before any approval). */
  decisions: number;
  decisionsByKind: Record<DecisionKind, number>;
  /** How often each reason code appeared on a decision. */
  reasons: Record<string, number>;
  /** Halts whose reasons include one of `BOUNDARY_HALT_REASONS`. */
  boundaryHalts: number;
  /** Pauses: decisions that asked a human. */
  interrupts: number;
  /** `interrupts / decisions`; `null` without decisions. */
  interruptRate: number | null;
  answers: Record<ApprovalOutcome, number>;
  /** `approve + deny + edit`: timeouts are not human answers. */
  humanAnswers: number;
  /** `deny + edit`: the human did not let the action run as the agent proposed it. */
  humanOverrides: number;
  /** `humanOverrides / humanAnswers`; `null` without human answers. */
  humanOverrideRate: number | null;
  resolution: InterruptResolution;
  approvalLatencyMs: LatencySummary;
  confidence: ConfidenceDistribution;
  /** Present when `options.drift` is given, else `null`. */
  drift: ConfidenceDistributionDrift | null;
  /** Human answers by the confidence of the decision they answered, ascending (input of `recommendThreshold`). */
  calibration: CalibrationPoint[];
}

/**
 * How an agent's runs ended. A run that started and never ended counts as `abandoned` (and in
 * `neverEnded`), unless it started within `openRunGraceMs` of the log's end (`open`). Runs that ended
 * without a `task_outcome` are `unreported`. Rates are over `success + failure + abandoned`.
 */
export interface RunOutcomes {
  started: number;
  /** Runs with an end event (`ended` or `halted`). */
  ended: number;
  halted: number;
  success: number;
  failure: number;
  /** Reported `abandoned`, plus `neverEnded`. */
  abandoned: number;
  neverEnded: number;
  unreported: number;
  open: number;
  taskSuccessRate: number | null;
  abandonmentRate: number | null;
}

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
  /** All four tiers, zeros where nothing happened. Answers whose decision is not in the log have no tier. */
  tiers: Record<Reversibility, GroupMetrics>;
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

/**
 * Computes per-agent, per-tool and per-tier metrics from audit events (an array, a `MemorySink`'s
 * events, or the stream of `readAuditEvents`), in one pass. Synchronous for an iterable, a promise
 * for an async iterable. Definitions:
 *
 * - **Interrupt rate**: pauses / decisions (`decision` events; the gate's first decision per call).
 * - **Human override rate**: (`deny` + `edit`) / (`approve` + `deny` + `edit`); timeouts are not answers.
 * - **Resolution**: a pause is human-resolved when a human answered it (`approve`, `deny`, `edit`);
 *   agent-resolved interrupts are pauses that timed out (no human answer; the gate resolved them) plus
 *   admitted calls to an escalation tool (the agent handed off itself, without a pause). So
 *   `human + timeout + pending = interrupts`, and `escalated` comes on top.
 * - **Approval latency**: nearest-rank p50/p90 and max of `waited_ms` over human answers.
 * - **Tasks**: from `run` events' `task_outcome`; a run that started and never ended is abandoned.
 * - **Confidence**: a fixed-bin histogram over [0, 1] and the mean; with `drift`, the PSI of the
 *   current period against the baseline (`ts` in `[from, to)`): < 0.1 stable, 0.1-0.25 moderate, > 0.25 significant.
 *
 * Answers are joined to their decision by `run_id` + `call_id` (for the tier and the confidence), in
 * any order and across files; an answer whose decision is not in the input counts for its agent and
 * tool, not for a tier or the calibration. Event kinds and values the metrics do not know are skipped.
 *
 * @example
 * const metrics = await computeMetrics(readAuditEvents('audit.jsonl'), {
 *   drift: { baseline: { from: '2026-05-01', to: '2026-06-01' }, current: { from: '2026-06-01', to: '2026-07-01' } },
 * });
 * metrics.agents['invoice-reconciliation-v2']?.tools['update_invoice_status']?.humanOverrideRate;
 */
export function computeMetrics(events: Iterable<AuditEvent>, options?: MetricsOptions): AuditMetrics;
export function computeMetrics(
  events: AsyncIterable<AuditEvent>,
  options?: MetricsOptions,
): Promise<AuditMetrics>;
export function computeMetrics(
  events: Iterable<AuditEvent> | AsyncIterable<AuditEvent>,
  options?: MetricsOptions,
): AuditMetrics | Promise<AuditMetrics>;
export function computeMetrics(
  events: Iterable<AuditEvent> | AsyncIterable<AuditEvent>,
  options: MetricsOptions = {},
): AuditMetrics | Promise<AuditMetrics> {
  const accumulator = new MetricsAccumulator(parseOptions(options));
  if (isAsyncIterable(events)) {
    return (async () => {
      for await (const event of events) accumulator.add(event);
      return accumulator.result();
    })();
  }
  if (!isIterable(events)) {
    throw new OptionsInvalidError(
      'computeMetrics() needs an iterable or async iterable of audit events (an array, sink.events or readAuditEvents(paths)).',
    );
  }
  for (const event of events) accumulator.add(event);
  return accumulator.result();
}

function parseOptions(options: MetricsOptions): Settings {
  const parsed = MetricsOptionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new OptionsInvalidError(`Invalid metrics option at ${formatPath(issue.path)}: ${issue.message}.`);
}

function isAsyncIterable(value: unknown): value is AsyncIterable<AuditEvent> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

function isIterable(value: unknown): value is Iterable<AuditEvent> {
  return typeof (value as Iterable<unknown> | null)?.[Symbol.iterator] === 'function';
}

const HUMAN_ANSWERS = new Set(['approve', 'deny', 'edit']);
const ANSWERS = new Set(['approve', 'deny', 'edit', 'timeout']);
const KINDS = new Set<string>(DECISIONS);
const TIER_SET = new Set<string>(TIERS);

/** Accumulates one group's counts. */
class Group {
  decisions = 0;
  readonly byKind = Object.fromEntries(DECISIONS.map((kind) => [kind, 0])) as Record<DecisionKind, number>;
  readonly reasons = new Map<string, number>();
  boundaryHalts = 0;
  escalated = 0;
  readonly answers: Record<ApprovalOutcome, number> = { approve: 0, deny: 0, edit: 0, timeout: 0 };
  readonly latencies: number[] = [];
  readonly bins: number[];
  confidenceCount = 0;
  confidenceSum = 0;
  missing = 0;
  readonly baseline: number[] | undefined;
  readonly current: number[] | undefined;
  readonly calibration = new Map<number, { answered: number; overridden: number }>();

  constructor(bins: number, drift: boolean) {
    this.bins = new Array<number>(bins).fill(0);
    this.baseline = drift ? new Array<number>(bins).fill(0) : undefined;
    this.current = drift ? new Array<number>(bins).fill(0) : undefined;
  }
}

interface RunState {
  started: boolean;
  /** NaN when the start event's `ts` is not a time. */
  startedMs: number;
  end: 'ended' | 'halted' | undefined;
  outcome: string | undefined;
}

interface AgentState {
  readonly id: string;
  readonly total: Group;
  readonly tools: Map<string, Group>;
  readonly tiers: Record<Reversibility, Group>;
  readonly levels: Set<number>;
  readonly runs: Map<string, RunState>;
  firstMs: number;
  lastMs: number;
}

/** What an answer needs from the paused decision it answers. */
interface PauseInfo {
  readonly groups: readonly Group[];
  readonly confidence: number | undefined;
}

class MetricsAccumulator {
  private readonly settings: Settings;
  private readonly escalationTools: ReadonlySet<string>;
  private readonly agents = new Map<string, AgentState>();
  /** Paused decisions whose answer has not been seen yet, by run and call. */
  private readonly paused = new Map<string, PauseInfo>();
  /** Answers whose paused decision has not been seen yet (files out of order), by run and call. */
  private readonly orphans = new Map<string, AuditEvent[]>();
  private events = 0;
  private firstMs = Number.POSITIVE_INFINITY;
  private lastMs = Number.NEGATIVE_INFINITY;

  constructor(settings: Settings) {
    this.settings = settings;
    this.escalationTools = new Set(settings.escalationTools);
  }

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
    else if (event.event === 'approval') this.addApproval(event);
    else if (event.event === 'run') this.addRun(agent, event, ms);
  }

  result(): AuditMetrics {
    for (const [key, answers] of this.orphans) {
      this.orphans.delete(key);
      for (const answer of answers) {
        const agent = this.agentOf(answer.agent_id);
        const groups = [agent.total, this.toolOf(agent, toolName(answer))];
        this.applyAnswer({ groups, confidence: undefined }, answer);
      }
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
        tiers: Object.fromEntries(TIERS.map((tier) => [tier, this.newGroup()])) as Record<
          Reversibility,
          Group
        >,
        levels: new Set(),
        runs: new Map(),
        firstMs: Number.POSITIVE_INFINITY,
        lastMs: Number.NEGATIVE_INFINITY,
      };
      this.agents.set(id, agent);
    }
    return agent;
  }

  private toolOf(agent: AgentState, tool: string): Group {
    let group = agent.tools.get(tool);
    if (!group) {
      group = this.newGroup();
      agent.tools.set(tool, group);
    }
    return group;
  }

  private newGroup(): Group {
    return new Group(this.settings.bins, this.settings.drift !== undefined);
  }

  private addDecision(agent: AgentState, event: AuditEvent, ms: number): void {
    const tool = toolName(event);
    const tier =
      typeof event.reversibility === 'string' && TIER_SET.has(event.reversibility)
        ? event.reversibility
        : undefined;
    const groups = tier
      ? [agent.total, this.toolOf(agent, tool), agent.tiers[tier]]
      : [agent.total, this.toolOf(agent, tool)];
    const kind = typeof event.decision === 'string' && KINDS.has(event.decision) ? event.decision : undefined;
    const reasons = Array.isArray(event.reasons) ? event.reasons : [];
    const boundaryHalt = kind === 'halt' && reasons.some((reason) => BOUNDARY_HALT_REASONS.includes(reason));
    const escalated = (kind === 'proceed' || kind === 'proceed_with_log') && this.escalationTools.has(tool);
    const confidence = validConfidence(event.confidence);
    const bins = this.settings.bins;
    const bin = confidence === undefined ? -1 : Math.min(bins - 1, Math.floor(confidence * bins));
    const drift = this.settings.drift;
    const inBaseline = drift !== undefined && ms >= drift.baseline.from && ms < drift.baseline.to;
    const inCurrent = drift !== undefined && ms >= drift.current.from && ms < drift.current.to;
    for (const group of groups) {
      group.decisions++;
      if (kind) group.byKind[kind]++;
      for (const reason of reasons) group.reasons.set(reason, (group.reasons.get(reason) ?? 0) + 1);
      if (boundaryHalt) group.boundaryHalts++;
      if (escalated) group.escalated++;
      if (confidence === undefined) {
        group.missing++;
        continue;
      }
      group.confidenceCount++;
      group.confidenceSum += confidence;
      group.bins[bin]!++;
      if (inBaseline) group.baseline![bin]!++;
      if (inCurrent) group.current![bin]!++;
    }
    if (typeof event.maturity_level === 'number') agent.levels.add(event.maturity_level);
    if (kind !== 'pause' || typeof event.call_id !== 'string') return;
    const info: PauseInfo = { groups, confidence };
    const key = callKey(event);
    const early = this.orphans.get(key);
    if (early) {
      this.orphans.delete(key);
      for (const answer of early) this.applyAnswer(info, answer);
    } else {
      this.paused.set(key, info);
    }
  }

  private addApproval(event: AuditEvent): void {
    if (event.approval === undefined || event.approval === 'requested') return;
    if (!ANSWERS.has(event.approval)) return;
    const key = callKey(event);
    const info = this.paused.get(key);
    if (info) {
      this.paused.delete(key);
      this.applyAnswer(info, event);
      return;
    }
    const early = this.orphans.get(key);
    if (early) early.push(event);
    else this.orphans.set(key, [event]);
  }

  private applyAnswer(info: PauseInfo, event: AuditEvent): void {
    const answer = event.approval as ApprovalOutcome;
    const human = HUMAN_ANSWERS.has(answer);
    const overridden = answer === 'deny' || answer === 'edit';
    const waited = event.waited_ms;
    const latency = human && typeof waited === 'number' && Number.isFinite(waited) && waited >= 0;
    for (const group of info.groups) {
      group.answers[answer]++;
      if (latency) group.latencies.push(waited);
      if (!human || info.confidence === undefined) continue;
      const point = group.calibration.get(info.confidence);
      if (point) {
        point.answered++;
        if (overridden) point.overridden++;
      } else {
        group.calibration.set(info.confidence, { answered: 1, overridden: overridden ? 1 : 0 });
      }
    }
  }

  private addRun(agent: AgentState, event: AuditEvent, ms: number): void {
    let state = agent.runs.get(event.run_id);
    if (!state) {
      state = { started: false, startedMs: Number.NaN, end: undefined, outcome: undefined };
      agent.runs.set(event.run_id, state);
    }
    if (event.run === 'started') {
      state.started = true;
      state.startedMs = ms;
    } else if (event.run === 'ended' || event.run === 'halted') {
      state.end = event.run;
      state.outcome = event.task_outcome;
    }
  }

  private agentResult(agent: AgentState): AgentMetrics {
    const seen = agent.firstMs <= agent.lastMs;
    return {
      agentId: agent.id,
      firstEvent: seen ? iso(agent.firstMs) : null,
      lastEvent: seen ? iso(agent.lastMs) : null,
      daysInProduction: seen ? (agent.lastMs - agent.firstMs) / DAY_MS : 0,
      maturityLevels: [...agent.levels].sort((a, b) => a - b),
      ...this.groupResult(agent.total),
      runs: this.runResult(agent),
      tools: Object.fromEntries([...agent.tools].map(([tool, group]) => [tool, this.groupResult(group)])),
      tiers: Object.fromEntries(TIERS.map((tier) => [tier, this.groupResult(agent.tiers[tier])])) as Record<
        Reversibility,
        GroupMetrics
      >,
    };
  }

  private groupResult(group: Group): GroupMetrics {
    const { answers } = group;
    const interrupts = group.byKind.pause;
    const humanAnswers = answers.approve + answers.deny + answers.edit;
    const humanOverrides = answers.deny + answers.edit;
    const agentResolved = answers.timeout + group.escalated;
    const latencies = [...group.latencies].sort((a, b) => a - b);
    return {
      decisions: group.decisions,
      decisionsByKind: { ...group.byKind },
      reasons: Object.fromEntries(group.reasons),
      boundaryHalts: group.boundaryHalts,
      interrupts,
      interruptRate: ratio(interrupts, group.decisions),
      answers: { ...answers },
      humanAnswers,
      humanOverrides,
      humanOverrideRate: ratio(humanOverrides, humanAnswers),
      resolution: {
        human: humanAnswers,
        agent: agentResolved,
        timeout: answers.timeout,
        escalated: group.escalated,
        pending: Math.max(0, interrupts - humanAnswers - answers.timeout),
        agentResolvedShare: ratio(agentResolved, agentResolved + humanAnswers),
      },
      approvalLatencyMs: {
        count: latencies.length,
        p50: nearestRank(latencies, 0.5),
        p90: nearestRank(latencies, 0.9),
        max: latencies.length ? latencies[latencies.length - 1]! : null,
      },
      confidence: {
        count: group.confidenceCount,
        missing: group.missing,
        mean: ratio(group.confidenceSum, group.confidenceCount),
        bins: [...group.bins],
      },
      drift: this.driftResult(group),
      calibration: [...group.calibration]
        .sort(([a], [b]) => a - b)
        .map(([confidence, point]) => ({ confidence, ...point })),
    };
  }

  private driftResult(group: Group): ConfidenceDistributionDrift | null {
    const drift = this.settings.drift;
    if (!drift || !group.baseline || !group.current) return null;
    const baseline = { count: total(group.baseline), bins: [...group.baseline] };
    const current = { count: total(group.current), bins: [...group.current] };
    if (baseline.count === 0 || current.count === 0) {
      return { psi: null, interpretation: 'insufficient_data', baseline, current };
    }
    const psi = populationStabilityIndex(baseline.bins, current.bins, drift.epsilon);
    return { psi, interpretation: interpretPsi(psi), baseline, current };
  }

  private runResult(agent: AgentState): RunOutcomes {
    const runs: RunOutcomes = {
      started: 0,
      ended: 0,
      halted: 0,
      success: 0,
      failure: 0,
      abandoned: 0,
      neverEnded: 0,
      unreported: 0,
      open: 0,
      taskSuccessRate: null,
      abandonmentRate: null,
    };
    const openSince = this.lastMs - this.settings.openRunGraceMs;
    for (const state of agent.runs.values()) {
      if (state.started) runs.started++;
      if (state.end === undefined) {
        if (!state.started) continue;
        if (this.settings.openRunGraceMs > 0 && state.startedMs >= openSince) {
          runs.open++;
        } else {
          runs.neverEnded++;
          runs.abandoned++;
        }
        continue;
      }
      runs.ended++;
      if (state.end === 'halted') runs.halted++;
      if (state.outcome === 'success') runs.success++;
      else if (state.outcome === 'failure') runs.failure++;
      else if (state.outcome === 'abandoned') runs.abandoned++;
      else runs.unreported++;
    }
    const known = runs.success + runs.failure + runs.abandoned;
    runs.taskSuccessRate = ratio(runs.success, known);
    runs.abandonmentRate = ratio(runs.abandoned, known);
    return runs;
  }
}

function toolName(event: AuditEvent): string {
  return typeof event.tool === 'string' ? event.tool : '(unknown)';
}

function callKey(event: AuditEvent): string {
  return `${event.run_id}\u0000${String(event.call_id)}`;
}

function validConfidence(value: unknown): number | undefined {
  return typeof value === 'number' && value >= 0 && value <= 1 ? value : undefined;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

function total(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoOrNull(ms: number): string | null {
  return Number.isFinite(ms) ? iso(ms) : null;
}
