import type { ApprovalAnswer } from '@orbit-agents/core';
import type { RunStore, StoredApproval } from '@orbit-agents/core/stores';

/** What the page posts to answer one approval. */
interface AnswerBody {
  tree_id: string;
  approval_id: string;
  type: 'approve' | 'deny' | 'edit';
  action_hash: string;
  approver?: string;
  comment?: string;
  args?: unknown;
}

/** The HTTP status and JSON document the console answers a POST /api/answer with. */
export interface AnswerReply {
  status: number;
  body: unknown;
}

const MAX_COMMENT = 2_000;
const MAX_APPROVER = 200;

/**
 * Answers one approval in the store (first answer wins, bound to the request's `action_hash`), as
 * `approver` (`--approver`, which overrides the page, or the name typed in the page). Someone else
 * answering first is a 409 with what they answered, for the page to show, not an error page.
 */
export async function answerApproval(
  store: RunStore,
  body: unknown,
  fixedApprover: string | undefined,
): Promise<AnswerReply> {
  const parsed = parseBody(body);
  if (typeof parsed === 'string') return invalid(parsed);
  const approver = (fixedApprover ?? parsed.approver ?? '').trim();
  if (approver === '') return invalid('expected who answers (approver): type your name in the page.');
  if (approver.length > MAX_APPROVER) return invalid(`approver: at most ${MAX_APPROVER} characters.`);
  const current = await store.getApproval(parsed.tree_id, parsed.approval_id);
  if (!current) {
    return {
      status: 404,
      body: { error: { code: 'ERR_APPROVAL_NOT_FOUND', message: `no approval ${parsed.approval_id}.` } },
    };
  }
  if (!current.request.allowed_answers.includes(parsed.type)) {
    return invalid(`this approval cannot be answered with "${parsed.type}".`);
  }
  const answer = toAnswer(parsed, approver);
  const result = await store.answerApproval(parsed.tree_id, parsed.approval_id, answer, Date.now());
  if (result.ok) return { status: 200, body: { ok: true, approval: summary(result.approval) } };
  return {
    status: result.reason === 'unknown' ? 404 : 409,
    body: {
      ok: false,
      reason: result.reason,
      message:
        result.reason === 'already_answered'
          ? 'someone answered this approval first.'
          : result.reason === 'hash_mismatch'
            ? 'the request changed since the page showed it (its action hash differs).'
            : `no approval ${parsed.approval_id}.`,
      approval: result.approval ? summary(result.approval) : undefined,
    },
  };
}

function toAnswer(body: AnswerBody, approver: string): ApprovalAnswer {
  const comment = body.comment?.trim() ? { comment: body.comment.trim() } : {};
  const base = { action_hash: body.action_hash, approver, ...comment };
  if (body.type === 'edit') return { type: 'edit', ...base, args: body.args };
  if (body.type === 'deny') return { type: 'deny', ...base };
  return { type: 'approve', ...base };
}

/** What the page is told about an approval after an answer: its state and who answered. */
function summary(approval: StoredApproval) {
  return {
    approval_id: approval.request.approval_id,
    status: approval.status,
    answer: approval.answer?.type,
    approver: approval.answer?.approver,
    comment: approval.answer?.comment,
    answered_at: approval.answeredAt,
  };
}

function invalid(message: string): AnswerReply {
  return { status: 400, body: { error: { code: 'ERR_ANSWER_INVALID', message } } };
}

function parseBody(body: unknown): AnswerBody | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'expected a JSON object.';
  const b = body as Record<string, unknown>;
  for (const field of ['tree_id', 'approval_id', 'action_hash'] as const) {
    if (typeof b[field] !== 'string' || b[field] === '') return `${field}: expected a non-empty string.`;
  }
  if (b.type !== 'approve' && b.type !== 'deny' && b.type !== 'edit') {
    return 'type: expected "approve", "deny" or "edit".';
  }
  if (b.approver !== undefined && typeof b.approver !== 'string') return 'approver: expected a string.';
  if (b.comment !== undefined && typeof b.comment !== 'string') return 'comment: expected a string.';
  if (typeof b.comment === 'string' && b.comment.length > MAX_COMMENT) {
    return `comment: at most ${MAX_COMMENT} characters.`;
  }
  if (b.type === 'edit' && !('args' in b)) return 'args: an edit needs the edited arguments.';
  return b as unknown as AnswerBody;
}
