import type { Command } from '../command.js';
import { ANSWER_HELP, ANSWER_OPTIONS, answer } from './approvals-answer.js';

/** `orbit approvals deny`: denies a pending call. */
export const approvalsDeny: Command = {
  path: ['approvals', 'deny'],
  summary: 'deny a pending call',
  usage: [
    'orbit approvals deny <approval-id> --store <where> --approver <name> [--comment <text>]',
    '',
    "Denies the call: the run refuses it. The answer carries the request's action hash and the first answer",
    'wins: an approval answered already exits 1 and says who answered.',
    '',
    'Options:',
    ANSWER_HELP,
    '  --json              the answer as JSON',
    '',
    'Exit codes: 0 answered, 1 answered already or timed out, 4 no such approval, 5 store down.',
  ].join('\n'),
  options: ANSWER_OPTIONS,
  run: (args, io) => answer('deny', args, io, 'approvals deny'),
};
