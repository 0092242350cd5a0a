import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ApprovalAnswerSchema, } from '../approvals/approval.js';
import { canonicalJson, sha256 } from '../canonical-json.js';
import { compensate } from '../compensation/rollback.js';
import { ApprovalError, formatPath } from '../errors.js';
import { decide } from '../gate/decide.js';
import { resourceTypeOf } from '../gate/policy.js';
import { MemoryLedger } from '../ledger/memory-ledger.js';
import { toRefusal } from './decision.js';
import { RunHaltedError } from './run-halted-error.js';
/**
 * One execution of one agent: its id, policy, ledger and audit trail. Every tool call passes `guard`;
 * `execute` runs the whole flow for a tool ORBIT knows (guard → approval if paused → tool → outcome).
 */
export class Run {
    id;
    parentId;
    agentId;
    ledger;
    settings;
    calls = new Map();
    approvals = new Map();
    sequence = 0;
    constructor(settings, options = {}) {
        this.settings = settings;
        this.id = options.runId ?? randomUUID();
        this.parentId = options.parentRunId ?? null;
        this.agentId = settings.policy.agentId;
        this.ledger = new MemoryLedger(settings.now);
        if (settings.sink)
            this.emit({ event: 'run', run: 'started', maturity_level: settings.policy.level });
    }
    /** True once the run has halted: every further call halts too. */
    get halted() {
        return this.ledger.halted;
    }
    /**
     * Decides one call and records the decision. Synchronous: the check and the count are one step.
     * Guarding a call id that was already decided returns that decision and records nothing (so a
     * framework that re-runs a node on resume does not decide twice).
     */
    guard(request) {
        const callId = request.callId ?? `call-${++this.sequence}`;
        const known = this.calls.get(callId);
        if (known)
            return known.effective ?? known.decision;
        if (request.tokens !== undefined && request.tokens > 0)
            this.ledger.tokens += request.tokens;
        const records = request.records ?? 0;
        const gate = {
            tool: request.tool,
            confidence: request.confidence,
            records,
            resource: request.resource,
            approved: false,
        };
        const verdict = decide(this.settings.policy, gate, this.ledger);
        if (request.inputError !== undefined && verdict.decision !== 'halt') {
            verdict.decision = 'block';
            verdict.reasons = ['input_invalid'];
        }
        const decision = this.stamp(callId, request.tool, verdict, request.inputError);
        this.admit(decision, records, request.resource);
        const record = {
            decision,
            args: request.args,
            records,
            resource: request.resource,
            outcome: false,
        };
        this.calls.set(callId, record);
        if (decision.decision === 'pause') {
            const approval = this.openApproval(decision, request.args);
            record.decision = { ...decision, approval };
        }
        if (this.settings.sink)
            this.emitDecision(record.decision, request);
        return record.decision;
    }
    /**
     * Applies a human's answer to a paused call and returns the decision it leads to. The answer must
     * carry the request's `action_hash`; the first answer wins. An `edit` is re-validated (with `tool`)
     * and re-gated; pauses count as approved by the editor, blocks and halts still apply.
     */
    answer(approvalId, answer, tool) {
        const pending = this.approvals.get(approvalId);
        if (!pending)
            throw new ApprovalError('ERR_APPROVAL_UNKNOWN', `No approval "${approvalId}" in run "${this.id}".`, approvalId);
        const parsed = ApprovalAnswerSchema.safeParse(answer);
        if (!parsed.success) {
            const issue = parsed.error.issues[0];
            throw new ApprovalError('ERR_APPROVAL_ANSWER_INVALID', `Invalid approval answer at ${formatPath(issue.path)}: ${issue.message}`, approvalId);
        }
        const value = parsed.data;
        const { request } = pending;
        if (value.action_hash !== request.action_hash) {
            throw new ApprovalError('ERR_APPROVAL_HASH_MISMATCH', `The answer to approval "${approvalId}" is bound to other arguments (action_hash ${value.action_hash}, expected ${request.action_hash}); it was refused and the request is still pending.`, approvalId);
        }
        if (pending.answered) {
            throw new ApprovalError('ERR_APPROVAL_ALREADY_ANSWERED', `Approval "${approvalId}" was already answered; the first answer stands.`, approvalId);
        }
        pending.answered = true;
        const record = this.calls.get(request.call_id);
        const waited = this.settings.now() - pending.requestedAt;
        if (this.settings.sink) {
            this.emit({
                event: 'approval',
                call_id: request.call_id,
                tool: request.tool,
                approval_id: approvalId,
                action_hash: request.action_hash,
                approval: value.type,
                approver: value.approver,
                comment: value.comment,
                waited_ms: waited,
                ...(value.type === 'edit' ? { input: this.redacted(request.tool, 'input', value.args) } : {}),
            });
        }
        if (value.type === 'deny') {
            const effective = this.refuse(record, value.stop_run ? 'halt' : 'block', 'approval_denied');
            if (value.stop_run)
                this.ledger.halted = true;
            return { decision: effective, args: record.args };
        }
        if (value.type === 'approve' && value.extend_budget)
            this.ledger.extend(value.extend_budget);
        if (value.type === 'edit') {
            const edited = tool ? tool.input.safeParse(value.args) : { success: true, data: value.args };
            if (!edited.success) {
                const issue = edited.error.issues[0];
                return {
                    decision: this.refuse(record, 'block', 'input_invalid', `Edited input invalid at ${formatPath(issue.path)}: ${issue.message}.`),
                    args: value.args,
                };
            }
            record.args = edited.data;
            record.records = tool?.records?.(edited.data) ?? record.records;
            record.resource = tool?.resource ? tool.resource(edited.data) : record.resource;
        }
        const gate = {
            tool: request.tool,
            confidence: request.confidence ?? undefined,
            records: record.records,
            resource: record.resource,
            approved: true,
        };
        const verdict = decide(this.settings.policy, gate, this.ledger);
        const effective = this.stamp(request.call_id, request.tool, verdict);
        this.admit(effective, record.records, record.resource);
        record.effective = effective;
        return { decision: effective, args: record.args };
    }
    /** Records that nobody answered a paused call in time: a timeout, never a human denial. Default deny. */
    expireApproval(approvalId) {
        const pending = this.approvals.get(approvalId);
        if (!pending)
            throw new ApprovalError('ERR_APPROVAL_UNKNOWN', `No approval "${approvalId}" in run "${this.id}".`, approvalId);
        if (pending.answered)
            throw new ApprovalError('ERR_APPROVAL_ALREADY_ANSWERED', `Approval "${approvalId}" was already answered.`, approvalId);
        pending.answered = true;
        const { request } = pending;
        if (this.settings.sink) {
            this.emit({
                event: 'approval',
                call_id: request.call_id,
                tool: request.tool,
                approval_id: approvalId,
                action_hash: request.action_hash,
                approval: 'timeout',
                waited_ms: this.settings.now() - pending.requestedAt,
            });
        }
        const halt = this.settings.onApprovalTimeout === 'halt';
        if (halt)
            this.ledger.halted = true;
        return this.refuse(this.calls.get(request.call_id), halt ? 'halt' : 'block', 'approval_timeout');
    }
    /** The approvals of this run nobody has answered yet. */
    pendingApprovals() {
        return [...this.approvals.values()].filter((entry) => !entry.answered).map((entry) => entry.request);
    }
    /**
     * Records the outcome of a call the adapter ran itself (exactly once per call). Executed actions are
     * kept with their undo for rollback.
     */
    recordOutcome(callId, outcome) {
        const record = this.calls.get(callId);
        if (!record || record.outcome)
            return;
        record.outcome = true;
        const decision = record.effective ?? record.decision;
        if (outcome.status === 'executed') {
            this.ledger.actions.push({
                callId,
                tool: decision.tool,
                reversibility: decision.reversibility,
                resource: record.resource,
                undo: outcome.undo,
            });
        }
        if (!this.settings.sink)
            return;
        const error = outcome.error === undefined ? undefined : describeError(outcome.error);
        this.emit({
            event: 'outcome',
            call_id: callId,
            tool: decision.tool,
            reversibility: decision.reversibility,
            confidence: decision.confidence,
            decision: decision.decision,
            reasons: decision.reasons,
            status: outcome.status,
            records: record.records,
            ...(record.resource === undefined ? {} : { resource: record.resource }),
            ...(outcome.status === 'executed'
                ? { output: this.redacted(decision.tool, 'output', outcome.output) }
                : {}),
            ...(error ? { error } : {}),
            ...(outcome.elapsedMs === undefined ? {} : { elapsed_ms: outcome.elapsedMs }),
        });
    }
    /**
     * The whole flow for a tool ORBIT knows: read the confidence, validate the input, guard, ask for
     * approval if paused, run the tool, record the outcome. Blocks and denials return a refusal; a
     * halt throws `RunHaltedError`; a tool that throws returns `status: 'error'`.
     */
    async execute(tool, rawArgs, options = {}) {
        const { confidence, args } = this.settings.confidence.read(rawArgs);
        const parsed = tool.input.safeParse(args);
        let input = (parsed.success ? parsed.data : args);
        const inputError = parsed.success ? undefined : describeInputError(parsed.error);
        let decision = this.guard({
            tool: tool.name,
            args: input,
            confidence,
            inputError,
            callId: options.callId,
            tokens: options.tokens,
            records: parsed.success ? (tool.records?.(input) ?? 0) : 0,
            resource: parsed.success ? tool.resource?.(input) : undefined,
        });
        const callId = decision.call_id;
        const approval = decision.approval;
        if (approval) {
            const answered = await this.awaitApproval(approval, tool);
            decision = answered.decision;
            input = answered.args;
        }
        if (decision.decision === 'halt') {
            this.recordOutcome(callId, { status: 'not_executed' });
            throw new RunHaltedError(decision);
        }
        if (decision.decision === 'block' || decision.decision === 'pause') {
            this.recordOutcome(callId, { status: 'not_executed' });
            return { status: 'refused', refusal: toRefusal(decision), decision, ...(approval ? { approval } : {}) };
        }
        const context = { runId: this.id, callId, agentId: this.agentId };
        const started = performance.now();
        try {
            const output = await tool.execute(input, context);
            const undo = tool.undo ? () => tool.undo(input, output, context) : undefined;
            this.recordOutcome(callId, {
                status: 'executed',
                output,
                elapsedMs: performance.now() - started,
                undo,
            });
            return { status: 'executed', output, decision, ...(approval ? { approval } : {}) };
        }
        catch (error) {
            this.recordOutcome(callId, { status: 'error', error, elapsedMs: performance.now() - started });
            return { status: 'error', error, decision, ...(approval ? { approval } : {}) };
        }
    }
    /** Adds model token usage (e.g. from a framework's usage report) to the run's token count. */
    recordUsage(usage) {
        if (Number.isFinite(usage.tokens) && usage.tokens > 0)
            this.ledger.tokens += usage.tokens;
    }
    /**
     * Rolls the run back: runs the undos of executed reversible actions in reverse order, lists partial
     * actions as a manual-recovery checklist and irreversible ones as unrecoverable, and records it all.
     */
    async rollback() {
        const actions = this.ledger.actions.splice(0);
        return compensate(actions, (action, result, error) => {
            if (!this.settings.sink)
                return;
            this.emit({
                event: 'rollback',
                call_id: action.callId,
                tool: action.tool,
                reversibility: action.reversibility,
                rollback: result,
                ...(action.resource === undefined ? {} : { resource: action.resource }),
                ...(error === undefined ? {} : { error: describeError(error) }),
            });
        });
    }
    /** Stops the run (the kill switch): every further call halts. */
    stop() {
        this.ledger.halted = true;
    }
    /** Ends the run: records it and flushes the audit sink. */
    async end() {
        if (!this.settings.sink)
            return;
        this.emit({ event: 'run', run: this.halted ? 'halted' : 'ended', ...this.ledger.snapshot() });
        await this.settings.sink.flush?.();
    }
    async awaitApproval(request, tool) {
        const handler = this.settings.approvalHandler;
        if (!handler)
            return { decision: this.expireApproval(request.approval_id), args: request.args };
        const controller = new AbortController();
        let timer;
        const timeout = new Promise((resolve) => {
            timer = setTimeout(() => resolve('timeout'), this.settings.approvalTimeoutMs);
        });
        try {
            const answer = await Promise.race([Promise.resolve(handler(request, controller.signal)), timeout]);
            if (answer === 'timeout') {
                controller.abort();
                return { decision: this.expireApproval(request.approval_id), args: request.args };
            }
            return this.answer(request.approval_id, answer, tool);
        }
        finally {
            clearTimeout(timer);
        }
    }
    stamp(callId, tool, verdict, detail) {
        const policy = this.settings.policy;
        return {
            ...verdict,
            run_id: this.id,
            agent_id: this.agentId,
            call_id: callId,
            tool,
            reversibility: policy.tools.get(tool)?.reversibility ?? 'partial',
            manifest_digest: policy.digest,
            maturity_level: policy.level,
            ...(detail === undefined ? {} : { detail }),
        };
    }
    /** Counts an admitted call in the same step as its decision; a halt stops the run. */
    admit(decision, records, resource) {
        if (decision.decision === 'proceed' || decision.decision === 'proceed_with_log') {
            this.ledger.count(decision.tool, records, resource === undefined ? undefined : resourceTypeOf(resource));
        }
        else if (decision.decision === 'halt') {
            this.ledger.halted = true;
        }
    }
    refuse(record, kind, reason, detail) {
        const base = record.decision;
        const verdict = { decision: kind, reasons: [...base.reasons, reason], confidence: base.confidence };
        record.effective = this.stamp(base.call_id, base.tool, verdict, detail);
        return record.effective;
    }
    openApproval(decision, args) {
        const request = {
            approval_id: randomUUID(),
            run_id: this.id,
            agent_id: this.agentId,
            call_id: decision.call_id,
            tool: decision.tool,
            args,
            decision: decision.decision,
            reasons: decision.reasons,
            confidence: decision.confidence,
            reversibility: decision.reversibility,
            action_hash: actionHash(this.id, decision.call_id, decision.tool, args),
            requested_at: new Date(this.settings.now()).toISOString(),
            allowed_answers: ['approve', 'deny', 'edit'],
            context: {
                task_scope: this.settings.manifest.task_scope,
                maturity_level: this.settings.policy.level,
                ledger: this.ledger.snapshot(),
            },
        };
        this.approvals.set(request.approval_id, { request, answered: false, requestedAt: this.settings.now() });
        if (this.settings.sink) {
            this.emit({
                event: 'approval',
                call_id: request.call_id,
                tool: request.tool,
                approval_id: request.approval_id,
                action_hash: request.action_hash,
                approval: 'requested',
                reasons: [...request.reasons],
            });
        }
        return request;
    }
    emitDecision(decision, request) {
        this.emit({
            event: 'decision',
            call_id: decision.call_id,
            tool: decision.tool,
            reversibility: decision.reversibility,
            confidence: decision.confidence,
            decision: decision.decision,
            reasons: decision.reasons,
            maturity_level: decision.maturity_level,
            input: this.redacted(decision.tool, 'input', request.args),
            records: request.records ?? 0,
            ...(request.resource === undefined ? {} : { resource: request.resource }),
            ...(request.tokens === undefined ? {} : { tokens: request.tokens }),
            ...(decision.approval ? { approval_id: decision.approval.approval_id } : {}),
            ...(decision.detail === undefined ? {} : { detail: decision.detail }),
        });
    }
    redacted(tool, field, value) {
        return this.settings.redact ? this.settings.redact(value, { tool, field }) : value;
    }
    emit(fields) {
        const event = {
            ts: new Date(this.settings.now()).toISOString(),
            run_id: this.id,
            parent_run_id: this.parentId,
            agent_id: this.agentId,
            manifest_digest: this.settings.policy.digest,
            ...fields,
        };
        this.settings.sink.write(event);
    }
}
/** SHA-256 over the run, the call, the tool and its canonical arguments: what an approval answer is bound to. */
export function actionHash(runId, callId, tool, args) {
    return sha256(canonicalJson({ run_id: runId, call_id: callId, tool, args: args ?? null }));
}
function describeError(error) {
    return error instanceof Error
        ? { name: error.name, message: error.message }
        : { name: 'Error', message: String(error) };
}
function describeInputError(error) {
    return error.issues
        .map((issue) => `${issue.path.length ? `input.${formatPath(issue.path)}` : 'input'}: ${issue.message}`)
        .join('; ');
}
