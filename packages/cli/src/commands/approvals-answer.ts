import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ApprovalAnswer } from '@orbit-agents/core';
import { parseAnswer } from '@orbit-agents/core/adapter';
import { CliError, EXIT, type ExitCode, usageError } from '../cli-error.js';
import type { Parsed } from '../command.js';
import { emit, type Io, styleOf } from '../io.js';
import { openStore, STORE_HELP } from '../open-store.js';
import { describeAnswer, findApproval } from './approvals-shared.js';

/** The options `orbit approvals approve` and `deny` share. */
export const ANSWER_OPTIONS = {
  store: { type: 'string' },
  approver: { type: 'string' },
  comment: { type: 'string' },
  tree: { type: 'string' },
} as const;

export const ANSWER_HELP = [
  STORE_HELP,
  '  --approver <name>   who answers (recorded with the answer; required)',
  '  --comment <text>    why',
  '  --tree <tree id>    the run tree of the approval: needed only to read one that is not pending any more',
  '                      (without it, the pending approvals are searched for the id)',
].join('\n');

/**
 * Answers one approval: reads it (to bind the answer to its request's action hash), checks it is still
 * pending, not past its deadline and open to this kind of answer, validates the answer with the core's
 * schema, and stores it compare-and-set (first answer wins).
 *
 * Exit codes: 0 answered; 1 answered already (by whom), timed out, or refused by the store; 3 a bad answer
 * (`--args`); 4 no such approval.
 */
export async function answer(
  kind: 'approve' | 'deny',
  args: Parsed,
  io: Io,
  command: string,
): Promise<ExitCode> {
  const { values, positionals } = args;
  const approvalId = positionals[0];
  if (approvalId === undefined || positionals.length > 1)
    throw usageError(`expected one approval id: orbit ${command} <approval-id> --approver <name>.`);
  const approver = values.approver;
  if (typeof approver !== 'string' || approver.trim() === '')
    throw usageError(`--approver <name> is required: who answers is recorded with the answer.`);
  const edited = kind === 'approve' ? await editedArgs(values, io.cwd) : undefined;
  const store = await openStore(values.store as string | undefined, io.env);
  try {
    const tree = typeof values.tree === 'string' ? values.tree : undefined;
    const approval = await findApproval(store, approvalId, tree);
    const { request } = approval;
    if (approval.status !== 'pending') throw answered(approvalId, describeAnswer(approval));
    const now = Date.now();
    if (now >= approval.expiresAt)
      throw new CliError(
        'ERR_APPROVAL_EXPIRED',
        `approval ${approvalId} timed out at ${new Date(approval.expiresAt).toISOString()}: it can no longer be answered.`,
        EXIT.FAILED,
      );
    const type = edited === undefined ? kind : 'edit';
    if (!request.allowed_answers.includes(type))
      throw new CliError(
        'ERR_APPROVAL_ANSWER_NOT_ALLOWED',
        `approval ${approvalId} does not take an "${type}" answer (allowed: ${request.allowed_answers.join(', ')}).`,
        EXIT.INPUT,
      );
    const given: ApprovalAnswer = validated(approvalId, {
      type,
      action_hash: request.action_hash,
      approver,
      ...(typeof values.comment === 'string' ? { comment: values.comment } : {}),
      ...(edited === undefined ? {} : { args: edited.value }),
    });
    const result = await store.answerApproval(approval.treeId, approvalId, given, now);
    if (!result.ok) {
      if (result.reason === 'unknown')
        throw new CliError('ERR_APPROVAL_NOT_FOUND', `no approval ${approvalId}.`, EXIT.NOT_FOUND);
      if (result.reason === 'already_answered')
        throw answered(approvalId, result.approval ? describeAnswer(result.approval) : 'answered');
      throw new CliError(
        'ERR_APPROVAL_HASH_MISMATCH',
        `approval ${approvalId}: the store refused the answer (its action hash does not match the request).`,
        EXIT.FAILED,
      );
    }
    const data = {
      approval_id: approvalId,
      tree_id: approval.treeId,
      run_id: request.run_id,
      tool: request.tool,
      answer: given.type,
      approver,
      action_hash: request.action_hash,
      status: result.approval.status,
      ...(given.comment === undefined ? {} : { comment: given.comment }),
      ...(given.type === 'edit' ? { args: given.args } : {}),
    };
    const style = styleOf(io);
    const verb = {
      approve: style.green('approved'),
      deny: style.red('denied'),
      edit: style.green('edited and approved'),
    }[given.type];
    emit(io, data, () =>
      [
        `${verb} ${approvalId} (${request.tool} in run ${request.run_id}) as ${approver}`,
        `action hash: ${request.action_hash}`,
        ...(given.type === 'edit' ? [`arguments: ${JSON.stringify(given.args)}`] : []),
      ].join('\n'),
    );
    return EXIT.OK;
  } finally {
    await store.close();
  }
}

const answered = (approvalId: string, how: string) =>
  new CliError(
    'ERR_APPROVAL_ALREADY_ANSWERED',
    `approval ${approvalId} was answered already: ${how}.`,
    EXIT.FAILED,
  );

/** The core's answer schema, its error naming the field. */
function validated(approvalId: string, value: unknown): ApprovalAnswer {
  try {
    return parseAnswer(approvalId, value);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError('ERR_APPROVAL_ANSWER_INVALID', message, EXIT.INPUT);
  }
}

/** `--args <json>` or `--args-file <file>`: the edited arguments (an edit-and-approve), if given. */
async function editedArgs(values: Parsed['values'], cwd: string): Promise<{ value: unknown } | undefined> {
  const inline = values.args;
  const file = values['args-file'];
  if (typeof inline === 'string' && typeof file === 'string')
    throw usageError('give the edited arguments once: --args <json> or --args-file <file>, not both.');
  if (typeof inline === 'string') return { value: parseJson(inline, '--args') };
  if (typeof file !== 'string') return undefined;
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : String(error);
    throw new CliError('ERR_INPUT', `--args-file ${file}: ${reason}.`, EXIT.INPUT);
  }
  return { value: parseJson(text, `--args-file ${file}`) };
}

function parseJson(text: string, source: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CliError('ERR_INPUT', `${source}: expected the edited arguments as JSON: ${why}.`, EXIT.INPUT);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new CliError(
      'ERR_INPUT',
      `${source}: expected the edited arguments as a JSON object ({"field": value, ...}), got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}.`,
      EXIT.INPUT,
    );
  return value;
}
