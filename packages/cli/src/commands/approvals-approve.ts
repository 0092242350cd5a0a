import type { Command } from '../command.js';
import { ANSWER_HELP, ANSWER_OPTIONS, answer } from './approvals-answer.js';

/** `orbit approvals approve`: approves a pending call (or, with --args, edits and approves it). */
export const approvalsApprove: Command = {
  path: ['approvals', 'approve'],
  summary: 'approve a pending call (with --args: edit its arguments and approve)',
  usage: [
    'orbit approvals approve <approval-id> --store <where> --approver <name> [--comment <text>]',
    '                        [--args <json> | --args-file <file>]',
    '',
    "Approves the call. The answer carries the request's action hash (read from the stored approval) and the",
    'first answer wins: an approval answered already exits 1 and says who answered. With --args (or',
    '--args-file) the answer is an edit: the run re-validates and re-gates the new arguments before it runs.',
    '',
    'Options:',
    ANSWER_HELP,
    '  --args <json>       the edited arguments, a JSON object',
    '  --args-file <file>  the edited arguments, from a JSON file',
    '  --json              the answer as JSON',
    '',
    'Exit codes: 0 answered, 1 answered already or timed out, 3 bad --args, 4 no such approval, 5 store down.',
  ].join('\n'),
  options: { ...ANSWER_OPTIONS, args: { type: 'string' }, 'args-file': { type: 'string' } },
  run: (args, io) => answer('approve', args, io, 'approvals approve'),
};
