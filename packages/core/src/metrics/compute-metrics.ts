import type { AuditEvent } from '../audit/audit-event.js';
import { OptionsInvalidError } from '../errors.js';
import { type AuditMetrics, MetricsAccumulator } from './metrics-accumulator.js';
import { type MetricsOptions, parseMetricsOptions } from './metrics-options.js';

export type { LatencySummary } from './approval-latency.js';
export type { ConfidenceDistribution, ConfidenceDistributionDrift } from './confidence-distribution.js';
export { BOUNDARY_HALT_REASONS } from './decision-facts.js';
export type { ApprovalOutcome, CalibrationPoint, InterruptResolution } from './interrupt-resolution.js';
export type { AgentMetrics, AuditMetrics } from './metrics-accumulator.js';
export type { GroupMetrics } from './metrics-group.js';
export type { MetricsOptions } from './metrics-options.js';
export type { RunOutcomes } from './run-outcomes.js';

/**
 * Computes per-agent, per-tool and per-tier metrics from audit events (an array, a `MemorySink`'s
 * events, or the stream of `readAuditEvents`), in one pass. Synchronous for an iterable, a promise
 * for an async iterable. Definitions:
 *
 * - **Interrupt rate**: pauses / decisions (`decision` events; the gate's first decision per call).
 * - **Human override rate**: (`deny` + `edit`) / (`approve` + `deny` + `edit`); timeouts are not answers.
 * - **Resolution**: a pause is human-resolved when a human answered it (`approve`, `deny`, `edit`);
 *   agent-resolved interrupts are pauses that timed out (no human answer; the gate resolved them) plus
 *   admitted calls to an escalation tool (the agent handed off itself, without a pause). A pause
 *   refused because nobody could be asked (`no_approval_handler`) or because the approval handler
 *   failed (`approval_handler_failed`) is neither: each is counted apart (`noApprovalHandler`,
 *   `handlerFailed`), never as a timeout. So `human + timeout + noApprovalHandler + handlerFailed +
 *   pending = interrupts`, and `escalated` comes on top.
 * - **Approval latency**: nearest-rank p50/p90 and max of `waited_ms` over human answers.
 * - **Tasks**: from `run` events' `task_outcome`; a run that started and never ended is abandoned.
 * - **Confidence**: a fixed-bin histogram over [0, 1] and the mean; with `drift`, the PSI of the
 *   current period against the baseline (`ts` in `[from, to)`): < 0.1 stable, 0.1-0.25 moderate, > 0.25 significant.
 *
 * Answers are joined to their decision by `run_id` + `call_id` (for the tier and the confidence), in
 * any order and across files; an answer whose decision is not in the input counts for its agent and
 * tool, not for a tier or the calibration. Event kinds and values the metrics do not know are skipped.
 *
 * @throws OptionsInvalidError when `options` break their schema (`bins`, `drift`, `escalationTools`,
 * `openRunGraceMs`; the message names the first bad field; thrown at once, also for an async iterable),
 * or `events` is not an iterable or an async iterable. For an async iterable, the promise rejects with
 * what the stream throws (`readAuditEvents`: `AuditLogError`, a file-system error).
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
  const accumulator = new MetricsAccumulator(parseMetricsOptions(options));
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

function isAsyncIterable(value: unknown): value is AsyncIterable<AuditEvent> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}

function isIterable(value: unknown): value is Iterable<AuditEvent> {
  return typeof (value as Iterable<unknown> | null)?.[Symbol.iterator] === 'function';
}
