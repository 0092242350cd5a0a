import type { ApprovalRequest } from '../approvals/approval.js';
import { canonicalJson, sha256 } from '../canonical-json.js';
import { ArgumentInvalidError } from '../errors.js';
import type { Decision, Refusal } from './decision.js';
import type { ToolDefinition } from './define-tool.js';

/** A call to be gated, in neutral form: what every adapter produces from its framework's tool call. */
export interface GuardRequest {
  tool: string;
  /** The tool's validated arguments (confidence stripped). Hashed for approvals and written to the audit log. */
  args?: unknown;
  /** 0..1; anything else counts as missing. */
  confidence?: unknown;
  /** The framework's tool call id. Guarding the same id again returns the recorded decision (resume-safe). */
  callId?: string;
  records?: number;
  resource?: string;
  /** Model tokens spent to produce this call; added to the run's token count before the check. */
  tokens?: number;
  /**
   * What the tool's `reversibility()` hook answered for this call (see `ToolDefinition.reversibility`);
   * `null` when it threw. Checked by the gate against the manifest's tier and `reversibility_min`.
   */
  reversibility?: unknown;
  /** The arguments failed validation: the call is blocked (`input_invalid`) unless the boundary halts it first. */
  inputError?: string;
}

/** The result of one executed (or refused) call. Halts throw `RunHaltedError` instead. */
export type CallResult<Output = unknown> = (
  | { status: 'executed'; output: Output }
  | { status: 'refused'; refusal: Refusal }
  | { status: 'error'; error: unknown }
) & {
  /** The decision the call ran (or did not run) under: after the approval, when it paused. */
  decision: Decision;
  /** Present when the call paused: the approval request that was answered (or timed out). */
  approval?: ApprovalRequest;
};

/** Which tool functions re-gating an edited call needs. */
export type ToolShape = Pick<ToolDefinition, 'input' | 'records' | 'resource' | 'reversibility'>;

/** A decision that lets the tool run. */
export function runs(decision: Pick<Decision, 'decision'>): boolean {
  return decision.decision === 'proceed' || decision.decision === 'proceed_with_log';
}

/** SHA-256 over the run, the call, the tool and its canonical arguments: what an approval answer is bound to. */
export function actionHash(runId: string, callId: string, tool: string, args: unknown): string {
  return sha256(canonicalJson({ run_id: runId, call_id: callId, tool, args: args ?? null }));
}

/**
 * Tokens and records come from frameworks' usage reports and tools' counters: refuse what is not a count.
 *
 * @throws ArgumentInvalidError naming the field.
 */
export function checkCounts(request: GuardRequest): void {
  const { tokens, records } = request;
  if (tokens !== undefined && !isCount(tokens)) badCount('tokens', tokens, request.tool);
  if (records !== undefined && !isCount(records)) badCount('records', records, request.tool);
}

/** A count from a usage report or a tool's counter: a finite number >= 0 (NaN or -1 would switch a budget off). */
export function isCount(value: number): boolean {
  return Number.isFinite(value) && value >= 0;
}

function badCount(field: string, value: unknown, tool: string): never {
  throw new ArgumentInvalidError(
    `${field} must be a finite number >= 0, got ${String(value)} (call to "${tool}").`,
  );
}
