import type { Span } from '@opentelemetry/api';
import type { Alert, RunAlert } from '../alerts/alert.js';
import type { Policy } from '../gate/policy.js';
import type { MemoryLedger } from '../ledger/memory-ledger.js';
import type { Decision } from './decision.js';
import type { Recorder } from './recorder.js';
import type { RunSettings } from './run-settings.js';

/** What the alert rules need to know of their run. */
export interface AlertingRun {
  readonly id: string;
  readonly agentId: string;
  readonly policy: Policy;
  readonly ledger: MemoryLedger;
  readonly settings: RunSettings;
  readonly recorder: Recorder;
  /** Alerts raised once per run, by name. */
  readonly alerted: Set<string>;
  irreversibleExecuted: number;
}

/**
 * Raises an alert: an `alert` audit event, a span event on `span` (or the run's), and a call to every
 * notifier. A notifier that throws or rejects is reported, never allowed to break the run.
 */
export function raiseAlert(run: AlertingRun, alert: RunAlert, span: Span = run.recorder.span): void {
  const full: Alert = {
    ts: run.settings.timestamp(),
    run_id: run.id,
    agent_id: run.agentId,
    manifest_digest: run.policy.digest,
    ...alert,
  };
  run.recorder.alert(full, span);
  for (const notify of run.settings.notifiers) {
    try {
      const delivered = notify(full);
      if (delivered) delivered.catch((error) => reportNotifierError(error, full));
    } catch (error) {
      reportNotifierError(error, full);
    }
  }
}

/** The alert rules that look at one decision. */
export function checkDecisionAlerts(run: AlertingRun, decision: Decision, span: Span): void {
  // Both rules need an irreversible call or a reason: most calls have neither.
  if (decision.reversibility !== 'irreversible' && decision.reasons.length === 0) return;
  const rules = run.settings.alertRules;
  const { policy } = run;
  if (
    rules.irreversibleBelowFloor &&
    decision.reversibility === 'irreversible' &&
    (decision.confidence === null || decision.confidence < policy.floor) &&
    policy.tools.has(decision.tool)
  ) {
    raiseAlert(
      run,
      {
        alert: 'irreversible_confidence_below_floor',
        severity: 'critical',
        message: `Irreversible "${decision.tool}" attempted at confidence ${decision.confidence ?? 'none'}, below the floor ${policy.floor} (${decision.decision}).`,
        call_id: decision.call_id,
        tool: decision.tool,
        reasons: decision.reasons,
        evidence: { confidence: decision.confidence, floor: policy.floor, decision: decision.decision },
      },
      span,
    );
  }
  if (
    rules.tokenBudgetExceeded &&
    decision.reasons.includes('token_budget_exceeded') &&
    !run.alerted.has('token_budget')
  ) {
    run.alerted.add('token_budget');
    raiseAlert(
      run,
      {
        alert: 'token_budget_exceeded_mid_task',
        severity: 'medium',
        message: `"${run.agentId}" exceeded its token budget mid-task (${run.ledger.tokens} tokens used, budget ${policy.maxTokens}).`,
        call_id: decision.call_id,
        tool: decision.tool,
        reasons: decision.reasons,
        evidence: { tokens: run.ledger.tokens, budget: policy.maxTokens },
      },
      span,
    );
  }
}

/** The alert rule on the count of executed irreversible actions (once per run). */
export function countIrreversible(run: AlertingRun, decision: Decision, span: Span): void {
  run.irreversibleExecuted++;
  const max = run.settings.alertRules.maxIrreversible;
  if (run.irreversibleExecuted <= max || run.alerted.has('irreversible')) return;
  run.alerted.add('irreversible');
  raiseAlert(
    run,
    {
      alert: 'irreversible_actions_over_threshold',
      severity: 'critical',
      message: `"${run.agentId}" has executed ${run.irreversibleExecuted} irreversible actions in this run, above the threshold of ${max}.`,
      call_id: decision.call_id,
      tool: decision.tool,
      evidence: { count: run.irreversibleExecuted, threshold: max },
    },
    span,
  );
}

function reportNotifierError(error: unknown, alert: Alert): void {
  console.error(`[orbit] a notifier failed on alert ${alert.alert} (run ${alert.run_id}):`, error);
}
