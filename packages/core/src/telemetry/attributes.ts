/**
 * Span attribute names, defined once. GenAI semantic conventions where they apply; ORBIT's own under
 * `orbit.` (the conventions have no approval or reversibility attributes yet).
 */
export const ATTR = {
  // OpenTelemetry GenAI semantic conventions
  GEN_AI_OPERATION_NAME: 'gen_ai.operation.name',
  GEN_AI_TOOL_NAME: 'gen_ai.tool.name',
  GEN_AI_TOOL_CALL_ID: 'gen_ai.tool.call.id',
  GEN_AI_AGENT_NAME: 'gen_ai.agent.name',
  GEN_AI_AGENT_ID: 'gen_ai.agent.id',
  GEN_AI_TOOL_CALL_ARGUMENTS: 'gen_ai.tool.call.arguments',
  GEN_AI_TOOL_CALL_RESULT: 'gen_ai.tool.call.result',
  // ORBIT
  RUN_ID: 'orbit.run.id',
  PARENT_RUN_ID: 'orbit.run.parent_id',
  DECISION: 'orbit.decision',
  REASONS: 'orbit.reasons',
  REVERSIBILITY: 'orbit.reversibility',
  CONFIDENCE: 'orbit.confidence',
  MANIFEST_DIGEST: 'orbit.manifest.digest',
  MATURITY_LEVEL: 'orbit.maturity_level',
  TOKEN_ID: 'orbit.token.id',
  TOKEN_DEPTH: 'orbit.token.depth',
  TOKENS_USED: 'orbit.tokens.used',
  RECORDS: 'orbit.records',
  RESOURCE: 'orbit.resource',
  BUDGET_TOKENS_REMAINING: 'orbit.budget.tokens_remaining',
  BUDGET_RECORDS_REMAINING: 'orbit.budget.records_remaining',
  BUDGET_CALLS_REMAINING: 'orbit.budget.calls_remaining',
  STATUS: 'orbit.outcome.status',
  APPROVAL_ID: 'orbit.approval.id',
  APPROVAL_ANSWER: 'orbit.approval.answer',
  APPROVAL_APPROVER: 'orbit.approval.approver',
  APPROVAL_WAIT_MS: 'orbit.approval.wait_ms',
  ROLLBACK_RESULT: 'orbit.rollback.result',
  ALERT: 'orbit.alert',
  ALERT_SEVERITY: 'orbit.alert.severity',
  ALERT_MESSAGE: 'orbit.alert.message',
  DELEGATION_TOKEN_ID: 'orbit.delegation.token_id',
  ROLLBACK_UNDONE: 'orbit.rollback.undone',
  ROLLBACK_UNDO_FAILED: 'orbit.rollback.undo_failed',
  ROLLBACK_MANUAL_RECOVERY: 'orbit.rollback.manual_recovery',
  ROLLBACK_UNRECOVERABLE: 'orbit.rollback.unrecoverable',
} as const;

/** Span names. */
export const SPAN = {
  invokeAgent: (agent: string) => `invoke_agent ${agent}`,
  executeTool: (tool: string) => `execute_tool ${tool}`,
  awaitApproval: (tool: string) => `orbit.await_approval ${tool}`,
  rollback: 'orbit.rollback',
} as const;

/** Span event names. */
export const SPAN_EVENT = {
  approvalRequested: 'orbit.approval.requested',
  approvalAnswered: 'orbit.approval.answered',
  rollbackAction: 'orbit.rollback.action',
  alert: 'orbit.alert',
} as const;
