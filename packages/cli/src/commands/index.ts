import type { Command } from '../command.js';
import { approvalsApprove } from './approvals-approve.js';
import { approvalsDeny } from './approvals-deny.js';
import { approvalsList } from './approvals-list.js';
import { auditVerify } from './audit-verify.js';
import { consoleCommand } from './console.js';
import { keygen } from './keygen.js';
import { manifestLint } from './manifest-lint.js';
import { manifestSchema } from './manifest-schema.js';
import { manifestSign } from './manifest-sign.js';
import { manifestVerify } from './manifest-verify.js';
import { report } from './report.js';
import { rollback } from './rollback.js';
import { tokenInspect } from './token-inspect.js';

/** Every `orbit` command, in the order `orbit --help` lists them. One file per command. */
export const COMMANDS: readonly Command[] = [
  manifestSchema,
  keygen,
  manifestSign,
  manifestVerify,
  manifestLint,
  tokenInspect,
  auditVerify,
  report,
  consoleCommand,
  approvalsList,
  approvalsApprove,
  approvalsDeny,
  rollback,
];
