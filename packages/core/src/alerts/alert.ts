import type { ReasonCode } from '../gate/reason-codes.js';
import { type AlertPolicy, DEFAULT_MAX_IRREVERSIBLE_ACTIONS_PER_RUN } from '../manifest/manifest-schema.js';

/** The article's "alert on immediately" list, plus detector findings (`detector:<failure mode>`). */
export type AlertName =
  | 'irreversible_actions_over_threshold'
  | 'sub_agent_spawned_outside_manifest'
  | 'irreversible_confidence_below_floor'
  | 'token_budget_exceeded_mid_task'
  | 'approval_expiring'
  | `detector:${string}`;

/** One alert: an audit event, a span event and a call to every notifier. */
export interface Alert {
  alert: AlertName;
  severity: 'medium' | 'critical';
  message: string;
  ts: string;
  run_id: string;
  agent_id: string;
  manifest_digest: string;
  call_id?: string;
  tool?: string;
  reasons?: ReasonCode[];
  evidence?: Record<string, unknown>;
}

/** Receives alerts. Errors are caught and reported, never thrown into the agent's run. */
/** An alert as a run raises it: the run fills in the time, its id, its agent and its manifest digest. */
export type RunAlert = Omit<Alert, 'ts' | 'run_id' | 'agent_id' | 'manifest_digest'>;

export type Notifier = (alert: Alert) => void | Promise<void>;

/** Resolved alert rules. */
export interface AlertRules {
  readonly maxIrreversible: number;
  readonly subAgentOutsideManifest: boolean;
  readonly irreversibleBelowFloor: boolean;
  readonly tokenBudgetExceeded: boolean;
}

/** Manifest rules, overridden by the application's. */
export function resolveAlertRules(
  manifest: AlertPolicy | undefined,
  options: AlertPolicy | undefined,
): AlertRules {
  const merged = { ...manifest, ...options };
  return {
    maxIrreversible: merged.max_irreversible_actions_per_run ?? DEFAULT_MAX_IRREVERSIBLE_ACTIONS_PER_RUN,
    subAgentOutsideManifest: merged.sub_agent_outside_manifest !== false,
    irreversibleBelowFloor: merged.irreversible_below_floor !== false,
    tokenBudgetExceeded: merged.token_budget_exceeded !== false,
  };
}
