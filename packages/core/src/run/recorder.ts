import { type Context, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Alert } from '../alerts/alert.js';
import type { ApprovalRequest } from '../approvals/approval.js';
import type { AuditEvent } from '../audit/audit-event.js';
import type { RollbackReport } from '../compensation/rollback.js';
import type { Policy } from '../gate/policy.js';
import type { ReasonCode } from '../gate/reason-codes.js';
import type { ExecutedAction, MemoryLedger } from '../ledger/memory-ledger.js';
import { ATTR, SPAN, SPAN_EVENT } from '../telemetry/attributes.js';
import { attributeValue, startSpan } from '../telemetry/telemetry.js';
import { SPAWN_TOOL } from '../trust/spawn-tool.js';
import type { VerifiedToken } from '../trust/trust-authority.js';
import type { CallRecord } from './call-book.js';
import { describeCallSpan } from './call-span.js';
import type { Decision } from './decision.js';
import type { GuardRequest } from './guard-request.js';
import type { RunSettings } from './run-settings.js';

/** What the recorder needs to know of its run. */
export interface RecordedRun {
  readonly id: string;
  readonly parentId: string | null;
  readonly agentId: string;
  readonly policy: Policy;
  readonly depth: number;
  readonly ledger: MemoryLedger;
  readonly settings: RunSettings;
  readonly token: { readonly verified: VerifiedToken } | undefined;
}

/**
 * Everything a run writes down: audit events and OpenTelemetry spans. The one place that asks whether
 * there is a sink and whether a span records, so that policy code never branches on either.
 */
export class Recorder {
  /** The run's `invoke_agent` span: every call's span is its child. */
  readonly span: Span;
  private readonly run: RecordedRun;
  /** Nothing is written down for a call: no sink, and a run span that does not record (no SDK, sampled out). */
  private readonly quiet: boolean;
  /** The active context `runContext` was made from, and it with the run's span set (see `underRun`). */
  private activeSeen: Context | undefined;
  private runContext: Context | undefined;

  constructor(run: RecordedRun, parentSpan: Span | undefined) {
    this.run = run;
    const { settings } = run;
    this.span = startSpan(settings.telemetry, SPAN.invokeAgent(run.agentId), parentSpan, SpanKind.INTERNAL);
    if (this.span.isRecording()) {
      this.span.setAttributes({
        [ATTR.GEN_AI_OPERATION_NAME]: 'invoke_agent',
        [ATTR.GEN_AI_AGENT_NAME]: run.agentId,
        [ATTR.GEN_AI_AGENT_ID]: run.agentId,
        [ATTR.RUN_ID]: run.id,
        [ATTR.MANIFEST_DIGEST]: run.policy.digest,
        [ATTR.MATURITY_LEVEL]: run.policy.level,
      });
      if (run.parentId) this.span.setAttribute(ATTR.PARENT_RUN_ID, run.parentId);
      if (run.token) {
        this.span.setAttribute(ATTR.TOKEN_ID, run.token.verified.jti);
        this.span.setAttribute(ATTR.TOKEN_DEPTH, run.depth);
      }
    }
    this.quiet = !settings.sink && !this.span.isRecording();
    if (settings.sink) {
      this.emit({
        event: 'run',
        run: 'started',
        maturity_level: run.policy.level,
        ...(run.token ? { token_id: run.token.verified.jti, depth: run.depth } : {}),
      });
    }
  }

  /** A new call's span; under a run span that does not record (no SDK, sampled out) calls share it. */
  callSpan(tool: string): Span {
    if (!this.span.isRecording()) return this.span;
    return this.run.settings.telemetry.tracer.startSpan(
      SPAN.executeTool(tool),
      { kind: SpanKind.INTERNAL },
      this.underRun(),
    );
  }

  /**
   * The active context with the run's span as the parent: made again only when the active context changes
   * (a call made inside another span, or with other baggage), not once per call.
   */
  private underRun(): Context {
    const active = context.active();
    if (active !== this.activeSeen) {
      this.activeSeen = active;
      this.runContext = trace.setSpan(active, this.span);
    }
    return this.runContext as Context;
  }

  /** A call was decided: its span's attributes, its `decision` event, and its approval request. */
  decided(record: CallRecord, request: GuardRequest): void {
    if (this.quiet) return;
    const { decision, span } = record;
    if (decision.approval && span.isRecording()) {
      record.waitSpan = startSpan(this.run.settings.telemetry, SPAN.awaitApproval(decision.tool), span);
      record.waitSpan.setAttribute(ATTR.APPROVAL_ID, decision.approval.approval_id);
    }
    if (span.isRecording()) describeCallSpan(this.run, record);
    if (this.run.settings.sink) {
      // Arguments that could not be read are not written (the detail names what was wrong), nor what came with them.
      const about =
        record.unsupported === undefined ? request : { tool: request.tool, tokens: request.tokens };
      this.decisionEvent(decision, about, record.requestArgs);
    }
    if (!decision.approval) return;
    if (span.isRecording())
      span.addEvent(SPAN_EVENT.approvalRequested, { [ATTR.APPROVAL_ID]: decision.approval.approval_id });
    if (this.run.settings.sink)
      this.approvalEvent(decision.approval, 'requested', { reasons: [...decision.approval.reasons] });
  }

  /** A decision that has no call record of its own (a delegation's): its `decision` event. */
  decisionEvent(
    decision: Decision,
    request: Pick<GuardRequest, 'tool' | 'args' | 'records' | 'resource' | 'tokens'>,
    args: unknown = request.args,
  ): void {
    const sink = this.run.settings.sink;
    if (!sink) return;
    // Built field by field (no spreads): this runs on every guarded call when a sink is set.
    const event = this.callEvent('decision', decision);
    event.maturity_level = decision.maturity_level;
    event.input = this.redacted(decision.tool, 'input', args);
    event.records = request.records ?? 0;
    event.resource = request.resource;
    event.tokens = request.tokens;
    event.approval_id = decision.approval?.approval_id;
    event.detail = decision.detail;
    event.rules = decision.rules;
    if (this.run.token) event.token_id = this.run.token.verified.jti;
    sink.write(event);
    // Pauses and halts are the events an operator needs first: do not leave them in a buffer.
    if (decision.decision === 'pause' || decision.decision === 'halt') void sink.flush?.();
  }

  /** A human answered (or nobody did in time): the span's answer, the wait span's end, the `approval` event. */
  answered(
    record: CallRecord,
    request: ApprovalRequest,
    answer: string,
    details: { approver?: string; comment?: string; input?: unknown; waitedMs: number },
  ): void {
    const { span, waitSpan } = record;
    if (span.isRecording()) {
      span.setAttribute(ATTR.APPROVAL_ANSWER, answer);
      span.setAttribute(ATTR.APPROVAL_WAIT_MS, details.waitedMs);
      if (details.approver) span.setAttribute(ATTR.APPROVAL_APPROVER, details.approver);
      span.addEvent(SPAN_EVENT.approvalAnswered, { [ATTR.APPROVAL_ANSWER]: answer });
    }
    if (waitSpan) {
      if (waitSpan.isRecording()) waitSpan.setAttribute(ATTR.APPROVAL_ANSWER, answer);
      waitSpan.end();
      record.waitSpan = undefined;
    }
    if (!this.run.settings.sink) return;
    this.approvalEvent(request, answer as NonNullable<AuditEvent['approval']>, {
      ...(details.approver === undefined ? {} : { approver: details.approver }),
      ...(details.comment === undefined ? {} : { comment: details.comment }),
      waited_ms: details.waitedMs,
      ...(details.input === undefined ? {} : { input: this.redacted(request.tool, 'input', details.input) }),
    });
  }

  /** One `approval` audit event: the request it is about, what happened to it, and the details. */
  approvalEvent(
    request: ApprovalRequest,
    what: NonNullable<AuditEvent['approval']>,
    details: Partial<AuditEvent>,
  ): void {
    if (!this.run.settings.sink) return;
    this.emit({
      event: 'approval',
      call_id: request.call_id,
      tool: request.tool,
      approval_id: request.approval_id,
      action_hash: request.action_hash,
      approval: what,
      ...details,
    });
  }

  /** A call's outcome: its span ends with the status, and its `outcome` event is written. */
  outcome(
    record: CallRecord,
    decision: Decision,
    outcome: { status: string; output?: unknown; error?: unknown; elapsedMs?: number },
  ): void {
    const { span } = record;
    if (span.isRecording()) {
      span.setAttribute(ATTR.STATUS, outcome.status);
      if (record.effective) span.setAttribute(ATTR.DECISION, decision.decision);
      if (record.effective) span.setAttribute(ATTR.REASONS, decision.reasons);
      if (outcome.status === 'executed' && this.run.settings.telemetry.recordOutputs) {
        const value = attributeValue(this.run.settings.telemetry, decision.tool, 'output', outcome.output);
        if (value !== undefined) span.setAttribute(ATTR.GEN_AI_TOOL_CALL_RESULT, value);
      }
      if (outcome.status === 'error') {
        const error = outcome.error;
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
      } else if (decision.decision === 'halt') {
        span.setStatus({ code: SpanStatusCode.ERROR, message: `halted: ${decision.reasons.join(', ')}` });
      }
    }
    span.end();
    const sink = this.run.settings.sink;
    if (!sink) return;
    const event = this.callEvent('outcome', decision);
    event.status = outcome.status as AuditEvent['status'];
    event.records = record.records;
    event.resource = record.resource;
    if (outcome.status === 'executed') event.output = this.redacted(decision.tool, 'output', outcome.output);
    if (outcome.error !== undefined) event.error = describeError(outcome.error);
    event.elapsed_ms = outcome.elapsedMs;
    if (this.run.token) event.token_id = this.run.token.verified.jti;
    sink.write(event);
  }

  /** A `token` event: minted, refused, failed verification, revoked. */
  token(
    what: 'minted' | 'refused' | 'verification_failed' | 'revoked',
    token: VerifiedToken | undefined,
    reasons: readonly ReasonCode[],
    extra: Record<string, unknown> = {},
  ): void {
    if (!this.run.settings.sink) return;
    const about = token
      ? {
          token_id: token.jti,
          parent_token_id: token.parent_jti,
          depth: token.depth,
          sub_agent: token.sub,
          scope: token.scope,
          expires_at: new Date(token.exp * 1000).toISOString(),
        }
      : {};
    this.emit({
      event: 'token',
      token: what,
      ...about,
      ...(reasons.length ? { reasons: [...reasons] } : {}),
      ...extra,
    });
  }

  /** The `execute_tool spawn_sub_agent` span of a delegation: the sub-agent's run nests under it. */
  spawnSpan(decision: Decision, tokenId: string | undefined): Span {
    const span = startSpan(this.run.settings.telemetry, SPAN.executeTool(SPAWN_TOOL), this.span);
    if (span.isRecording()) {
      span.setAttributes({
        [ATTR.GEN_AI_OPERATION_NAME]: 'execute_tool',
        [ATTR.GEN_AI_TOOL_NAME]: SPAWN_TOOL,
        [ATTR.GEN_AI_TOOL_CALL_ID]: decision.call_id,
        [ATTR.DECISION]: decision.decision,
        [ATTR.REASONS]: decision.reasons,
        [ATTR.MANIFEST_DIGEST]: decision.manifest_digest,
        [ATTR.RUN_ID]: this.run.id,
      });
      if (tokenId) span.setAttribute(ATTR.DELEGATION_TOKEN_ID, tokenId);
      if (decision.decision === 'halt')
        span.setStatus({ code: SpanStatusCode.ERROR, message: `halted: ${decision.reasons.join(', ')}` });
    }
    return span;
  }

  /** An alert: a span event on `span` and an `alert` audit event, flushed at once. */
  alert(full: Alert, span: Span): void {
    if (span.isRecording()) {
      span.addEvent(SPAN_EVENT.alert, {
        [ATTR.ALERT]: full.alert,
        [ATTR.ALERT_SEVERITY]: full.severity,
        [ATTR.ALERT_MESSAGE]: full.message,
      });
    }
    const sink = this.run.settings.sink;
    if (!sink) return;
    this.emit({
      event: 'alert',
      alert: full.alert,
      severity: full.severity,
      message: full.message,
      call_id: full.call_id,
      tool: full.tool,
      reasons: full.reasons,
      evidence: full.evidence,
    });
    void sink.flush?.();
  }

  /** The `orbit.rollback` span; each undone or listed action is a span event and a `rollback` event. */
  rollbackSpan(): Span {
    return startSpan(this.run.settings.telemetry, SPAN.rollback, this.span);
  }

  rolledBack(span: Span, action: ExecutedAction, result: string, error: unknown): void {
    if (span.isRecording()) {
      span.addEvent(SPAN_EVENT.rollbackAction, {
        [ATTR.GEN_AI_TOOL_NAME]: action.tool,
        [ATTR.GEN_AI_TOOL_CALL_ID]: action.callId,
        [ATTR.ROLLBACK_RESULT]: result,
        [ATTR.REVERSIBILITY]: action.reversibility,
      });
    }
    if (!this.run.settings.sink) return;
    this.emit({
      event: 'rollback',
      call_id: action.callId,
      tool: action.tool,
      reversibility: action.reversibility,
      rollback: result as AuditEvent['rollback'],
      ...(action.resource === undefined ? {} : { resource: action.resource }),
      ...(error === undefined ? {} : { error: describeError(error) }),
    });
  }

  /** The rollback's counts on its span, which ends. */
  rollbackEnded(span: Span, report: RollbackReport): void {
    if (span.isRecording()) {
      span.setAttributes({
        [ATTR.ROLLBACK_UNDONE]: report.undone.length,
        [ATTR.ROLLBACK_UNDO_FAILED]: report.undo_failed.length,
        [ATTR.ROLLBACK_MANUAL_RECOVERY]: report.manual_recovery.length,
        [ATTR.ROLLBACK_UNRECOVERABLE]: report.unrecoverable.length,
      });
    }
    span.end();
  }

  /** The agent restated its goal mid-task. */
  goal(goal: string): void {
    if (this.run.settings.sink) this.emit({ event: 'goal', goal });
  }

  /**
   * The run ended: its span ends (an error if it halted), its `run` event is written and the sink flushed
   * (the promise of the flush; none without a sink, so that ending a run awaits nothing then).
   */
  ended(halted: boolean, outcome: 'success' | 'failure' | 'abandoned' | undefined): Promise<void> | void {
    const { ledger, settings } = this.run;
    if (this.span.isRecording()) {
      this.span.setAttributes({ [ATTR.TOKENS_USED]: ledger.tokens, [ATTR.RECORDS]: ledger.records });
      if (halted) this.span.setStatus({ code: SpanStatusCode.ERROR, message: 'run halted' });
    }
    this.span.end();
    if (!settings.sink) return;
    this.emit({
      event: 'run',
      run: halted ? 'halted' : 'ended',
      task_outcome: outcome ?? (halted ? 'failure' : undefined),
      ...ledger.snapshot(),
    });
    return settings.sink.flush?.();
  }

  private redacted(tool: string, field: 'input' | 'output', value: unknown): unknown {
    const redact = this.run.settings.redact;
    return redact ? redact(value, { tool, field }) : value;
  }

  private emit(fields: Partial<AuditEvent> & { event: AuditEvent['event'] }): void {
    const event = this.newEvent(fields.event);
    this.run.settings.sink!.write(Object.assign(event, fields));
  }

  /** A `decision` or `outcome` event with the call's fields, built field by field (a hot path). */
  private callEvent(kind: 'decision' | 'outcome', decision: Decision): AuditEvent {
    const event = this.newEvent(kind);
    event.call_id = decision.call_id;
    event.tool = decision.tool;
    event.reversibility = decision.reversibility;
    event.confidence = decision.confidence;
    event.decision = decision.decision;
    event.reasons = decision.reasons;
    return event;
  }

  /** An event with the fields every event carries. Fields left `undefined` are not written. */
  private newEvent(kind: AuditEvent['event']): AuditEvent {
    const run = this.run;
    return {
      ts: run.settings.timestamp(),
      event: kind,
      run_id: run.id,
      parent_run_id: run.parentId,
      agent_id: run.agentId,
      manifest_digest: run.policy.digest,
    };
  }
}

/** An error as the audit log records it. */
export function describeError(error: unknown): { name: string; message: string } {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}
