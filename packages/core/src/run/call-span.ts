import { ATTR } from '../telemetry/attributes.js';
import { attributeValue } from '../telemetry/telemetry.js';
import type { CallRecord } from './call-book.js';
import type { RecordedRun } from './recorder.js';

/** Describes a call's `execute_tool` span with its decision, budgets left and (opted in) input. Only when it records. */
export function describeCallSpan(run: RecordedRun, record: CallRecord): void {
  const { decision, span } = record;
  const { ledger, policy, settings } = run;
  span.setAttributes({
    [ATTR.GEN_AI_OPERATION_NAME]: 'execute_tool',
    [ATTR.GEN_AI_TOOL_NAME]: decision.tool,
    [ATTR.GEN_AI_TOOL_CALL_ID]: decision.call_id,
    [ATTR.DECISION]: decision.decision,
    [ATTR.REASONS]: decision.reasons,
    [ATTR.REVERSIBILITY]: decision.reversibility,
    [ATTR.MANIFEST_DIGEST]: decision.manifest_digest,
    [ATTR.RECORDS]: record.records,
    [ATTR.TOKENS_USED]: ledger.tokens,
  });
  if (decision.confidence !== null) span.setAttribute(ATTR.CONFIDENCE, decision.confidence);
  // Each attribute costs the SDK ~90 ns: the run id is on the parent span, the resource in the audit log.
  if (run.token) {
    span.setAttribute(ATTR.TOKEN_ID, run.token.verified.jti);
    span.setAttribute(ATTR.TOKEN_DEPTH, run.depth);
  }
  if (decision.approval) span.setAttribute(ATTR.APPROVAL_ID, decision.approval.approval_id);
  if (policy.maxTokens !== undefined)
    span.setAttribute(ATTR.BUDGET_TOKENS_REMAINING, policy.maxTokens + ledger.extraTokens - ledger.tokens);
  if (policy.maxRecordsPerRun !== undefined && record.records > 0) {
    span.setAttribute(
      ATTR.BUDGET_RECORDS_REMAINING,
      policy.maxRecordsPerRun + ledger.extraRecords - ledger.records,
    );
  }
  const tool = policy.tools.get(decision.tool);
  if (tool) span.setAttribute(ATTR.BUDGET_CALLS_REMAINING, tool.maxCalls - ledger.callsOf(decision.tool));
  if (settings.telemetry.recordInputs) {
    const value = attributeValue(settings.telemetry, decision.tool, 'input', record.requestArgs);
    if (value !== undefined) span.setAttribute(ATTR.GEN_AI_TOOL_CALL_ARGUMENTS, value);
  }
}
