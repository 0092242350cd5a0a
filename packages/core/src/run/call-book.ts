import type { Span } from '@opentelemetry/api';
import type { ApprovalRequest } from '../approvals/approval.js';
import { canonicalJson } from '../canonical-json.js';
import { CallIdReusedError } from '../errors.js';
import type { ArgsSnapshot } from './args-snapshot.js';
import { CallTable } from './call-table.js';
import type { Decision } from './decision.js';
import { runs } from './guard-request.js';

/** What a run remembers of one call. */
export interface CallRecord {
  decision: Decision;
  /** The arguments the call was first guarded with, as read (an edit changes `args`, not these). */
  readonly requestArgs: unknown;
  /** Why the arguments could not be read (`input_unsupported`); `requestArgs` is then `undefined`. */
  readonly unsupported?: string;
  /** What the tool's `reversibility()` hook answered for these arguments (re-asked after an edit). */
  hookTier?: unknown;
  /** The decision after the approval, if the call paused (or a refusal after the fact). */
  effective?: Decision;
  /** A human's edit, as given (before the schema parsed it into `args`). */
  editedArgs?: unknown;
  args: unknown;
  records: number;
  resource: string | undefined;
  outcome: boolean;
  /** `execute` or `perform` is running this call (it is pinned until its outcome). */
  running?: boolean;
  /** The call's `execute_tool` span, ended with its outcome. */
  span: Span;
  /** The `orbit.await_approval` span while a human is asked. */
  waitSpan?: Span;
}

/** An approval of the run: pending ones are kept, answered ones only as long as recent calls are. */
export interface ApprovalEntry {
  readonly request: ApprovalRequest;
  answered: boolean;
  readonly requestedAt: number;
}

/**
 * The calls and approvals a run remembers, bounded (pending approvals and running calls are pinned),
 * so that a framework presenting a call again gets the recorded decision instead of a new one.
 */
export class CallBook {
  readonly calls: CallTable<CallRecord>;
  readonly approvals: CallTable<ApprovalEntry>;

  constructor(capacity: number) {
    this.calls = new CallTable(capacity);
    this.approvals = new CallTable(capacity);
  }

  /**
   * The recorded decision of a call presented again (a framework re-running a node), or `undefined`
   * for a call never seen. A call that already ran is answered `block` `already_executed`.
   *
   * `args` is the call's snapshot (`snapshotArgs`): `{ ok: false }` arguments match only the same refusal.
   *
   * @throws CallIdReusedError when the id was used for another tool or other arguments.
   */
  known(runId: string, callId: string, tool: string, args: ArgsSnapshot): Decision | undefined {
    const known = this.calls.get(callId);
    if (!known) return undefined;
    const same = args.ok
      ? known.unsupported === undefined &&
        canonicalJson(known.requestArgs ?? null) === canonicalJson(args.args ?? null)
      : known.unsupported === args.detail;
    if (known.decision.tool !== tool || !same) throw new CallIdReusedError(runId, callId);
    const decided = known.effective ?? known.decision;
    if (known.outcome && runs(decided))
      return Object.freeze<Decision>({
        ...decided,
        decision: 'block',
        reasons: [...decided.reasons, 'already_executed'],
      });
    return decided;
  }

  /** Pins a call until its outcome: it is neither forgotten nor run a second time. */
  markRunning(callId: string, record: CallRecord): void {
    record.running = true;
    this.calls.pin(callId, record);
  }

  /** An approval got its answer (or timed out): it no longer needs to be kept. */
  markAnswered(entry: ApprovalEntry): void {
    entry.answered = true;
    this.approvals.unpin(entry.request.approval_id);
  }

  /** The record of the call an approval is about. */
  recordOf(approvalId: string): CallRecord | undefined {
    const entry = this.approvals.get(approvalId);
    return entry ? this.calls.get(entry.request.call_id) : undefined;
  }

  /** The approvals nobody has answered yet. */
  pending(): ApprovalRequest[] {
    return [...this.approvals.pinnedValues()]
      .filter((entry) => !entry.answered)
      .map((entry) => entry.request);
  }

  /** The arguments a call runs with after a human's answer; `undefined` for a call never paused here. */
  answeredArgs(callId: string): { args: unknown; editedArgs?: unknown } | undefined {
    const record = this.calls.get(callId);
    if (!record?.effective || !record.decision.approval) return undefined;
    return argsOf(record);
  }
}

/** The arguments a call runs with, and a human's edit as given when there was one. */
export function argsOf(record: CallRecord): { args: unknown; editedArgs?: unknown } {
  return record.editedArgs === undefined
    ? { args: record.args }
    : { args: record.args, editedArgs: record.editedArgs };
}
