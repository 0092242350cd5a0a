import type { Command } from '../command.js';
import { approvalsApprove } from './approvals-approve.js';
import { approvalsDeny } from './approvals-deny.js';
import { approvalsList } from './approvals-list.js';
import { manifestSchema } from './manifest-schema.js';
import { rollback } from './rollback.js';

/** Every `orbit` command, in the order `orbit --help` lists them. One file per command. */
export const COMMANDS: readonly Command[] = [
  manifestSchema,
  approvalsList,
  approvalsApprove,
  approvalsDeny,
  rollback,
];
