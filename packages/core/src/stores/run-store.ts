import type { ApprovalAnswer, ApprovalRequest } from '../approvals/approval.js';
import type { LimitFindings } from '../gate/limits.js';
import type { ManifestOrder } from '../manifest/manifest-order.js';
import type { Reversibility } from '../manifest/manifest-schema.js';

/** The limits of one run for one call: this run first, then its ancestors (budgets roll up). */
export interface RunLimits {
  runId: string;
  /** The call limit of this tool in this run; `undefined`: no limit. */
  maxCalls?: number;
  /**
   * The call limit of this tool on the call's resource in this run (`max_calls_per_resource`);
   * `undefined`: none, and this run does not count the tool per resource.
   */
  maxCallsPerResource?: number;
  maxTokens?: number;
  maxRecords?: number;
  timeLimitMs?: number;
}

/** One atomic check-and-count. */
export interface AdmitRequest {
  /**
   * The run tree's id (the root run's id). Every key of a tree shares it, so a store can place the
   * whole tree together (Redis Cluster: one hash tag) and check it in one step.
   */
  treeId: string;
  /** This run first, then each ancestor up to the root. */
  chain: RunLimits[];
  tool: string;
  /**
   * The resource the call acts on. Counted (and held to `maxCallsPerResource`) only in the runs of the
   * chain that limit the tool per resource; a call without one is not counted per resource.
   */
  resource?: string;
  /** Records this call touches. */
  records: number;
  /** Tokens to add to every run of the chain before the checks (usage reported with this call). */
  tokens: number;
  /** The resource type of this call, if any, and whether the manifest knows it. */
  resourceType?: string;
  resourceTypeKnown?: boolean;
  /** Count the call (and its records and resource type) if every check passes. */
  count: boolean;
  /** A human approved this call: crossed soft budgets and a new resource type do not stop it. */
  approved: boolean;
  /**
   * An escalation tool: crossed token and time budgets and a new resource type do not stop it (the
   * records budget does), as in memory.
   */
  escalation?: boolean;
  /** The time of the call, ms since the epoch (budgets' clock). */
  now: number;
}

/** What the store found, in one step (the limits crossed, read with the one limit model). `admitted`: it counted the call. */
export interface AdmitResult extends LimitFindings {
  admitted: boolean;
}

/**
 * The record of a run, written first by `startRun` and checked by every `admit`: without it the run's
 * state is gone, and the run halts rather than start over with a fresh budget.
 */
export interface RunRecord {
  /** The run tree's id (the root run's id). */
  treeId: string;
  runId: string;
  /** ms since the epoch (the run's time budget counts from it). */
  startedAt: number;
  /** The digest of the manifest the run started with: the run keeps it for life. */
  manifestDigest: string;
}

/**
 * How a run is registered: `start`, a new run (its record is written; an existing record is kept, never
 * reset); `resume`, a run started before (its record must be there).
 */
export type StartRunMode = 'start' | 'resume';

/**
 * What `startRun` found: `started` (a new record), `resumed` (the record was there, same manifest),
 * `state_lost` (`resume` without a record: the state is gone), `manifest_changed` (the record holds
 * another manifest digest). The last two leave the store as it was.
 */
export type StartRunResult = 'started' | 'resumed' | 'state_lost' | 'manifest_changed';

/** A stored approval: the request, its state, and its answer once there is one. */
export interface StoredApproval {
  /** The run tree the approval belongs to (its root run's id). */
  treeId: string;
  request: ApprovalRequest;
  /** `pending` → `approved` | `denied` | `edited` | `timeout`; `approved`/`edited` → `executing` → `done`. */
  status: 'pending' | 'approved' | 'denied' | 'edited' | 'timeout' | 'executing' | 'done';
  answer?: ApprovalAnswer;
  /** ms since the epoch. */
  requestedAt: number;
  expiresAt: number;
  answeredAt?: number;
}

/** The outcome of a compare-and-set answer. */
export type AnswerResult =
  | { ok: true; approval: StoredApproval }
  | { ok: false; reason: 'unknown' | 'already_answered' | 'hash_mismatch'; approval?: StoredApproval };

/**
 * An executed action kept for rollback across processes. Undo functions cannot be stored: the call's
 * arguments and output are, so a rollback in another process can run the tool's `undo` with them
 * (`rollbackStoredRun`).
 */
export interface StoredAction {
  callId: string;
  tool: string;
  reversibility: Reversibility;
  resource?: string;
  /** The agent whose run executed it (the undo's context). */
  agentId?: string;
  /**
   * Absent or `executed`: it ran. `error`: the tool threw (it may have changed something: recovered by
   * hand, never undone). `undone`: not an action but the mark a rollback from the store appends once the
   * undo of the call `callId` ran, so a later rollback does not undo it again.
   */
  status?: 'executed' | 'error' | 'undone';
  /** The arguments it ran with (JSON). Absent in actions stored before they were kept: undone by hand. */
  args?: unknown;
  /**
   * Its output (JSON), for the undo. Absent when there was none or it could not be kept (not JSON, or
   * larger than `STORED_OUTPUT_MAX_CHARS` as JSON: then `outputKept` is false, and it is undone by hand).
   */
  output?: unknown;
  /** False when the call had an output that could not be kept (see `output`). */
  outputKept?: boolean;
}

/** The largest output (characters of JSON) a compensation log keeps for an undo. */
export const STORED_OUTPUT_MAX_CHARS = 65_536;

/**
 * How long a minted token's record outlives its `exp`: more than any verifier's clock tolerance, so a
 * child is never checked against a parent record already purged.
 */
export const TOKEN_RECORD_GRACE_MS = 60_000;

/** The revocations a store recorded after a cursor (see `RunStore.revocationsSince`). */
export interface RevocationLog {
  /** Pass it to the next `revocationsSince` call: it covers every revocation returned so far. */
  cursor: number;
  /**
   * The life of the log the cursor points into, when the store can lose its log (Redis restarted empty):
   * pass it back with the cursor; a cursor of another epoch is read from the new log's start.
   */
  epoch?: string;
  tokenIds: string[];
  treeIds: string[];
}

/**
 * A minted trust token's lineage and window, recorded so that a verifier in any process can check that a
 * child token's parent was minted and that the child lives within it.
 */
export interface MintedToken {
  jti: string;
  parentJti: string | null;
  /** Ancestor token ids, root first. */
  chain: string[];
  depth: number;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
}

/**
 * Where runs keep their shared state: ledgers (counts, budgets, halts), approvals, revocations and
 * compensation logs. One interface, three implementations: memory, SQLite, Redis. Every method may
 * throw (or reject) `StoreUnavailableError` when the store cannot be reached; the run then fails closed.
 */
export interface RunStore {
  readonly kind: string;
  /**
   * Registers a run, in one atomic step: writes its record (`start`) or checks it is there (`resume`),
   * and checks the record's manifest digest. A run started again keeps its counters. `ttlMs`: how long
   * its state lives (`Infinity`: for ever).
   */
  startRun(record: RunRecord, options: { mode: StartRunMode; ttlMs: number }): Promise<StartRunResult>;
  /**
   * Records the newest `manifest_version` of an agent, as an atomic maximum, and refuses an older one
   * (or the newest's version with another digest). Version 0 (no `manifest_version`) is never
   * recorded: it passes while no versioned manifest of the agent was recorded.
   */
  recordManifest(agentId: string, version: number, digest: string): Promise<ManifestOrder>;
  /**
   * The check-and-count of one call, in one atomic step. A run of the chain without its record (or
   * with part of its state gone) is reported `stateLost` and `halted`, and nothing is counted.
   */
  admit(request: AdmitRequest): Promise<AdmitResult>;
  /** Adds model tokens to every run of a chain. */
  addTokens(treeId: string, runIds: readonly string[], tokens: number): Promise<void>;
  /** Raises a run's budgets (a human's answer to a soft-budget pause). */
  extend(
    treeId: string,
    runId: string,
    extension: { tokens?: number; records?: number; ms?: number },
  ): Promise<void>;
  /** Halts a run: every later admit of it (or of a run under it) reports `halted`. */
  halt(treeId: string, runId: string): Promise<void>;

  /** Stores a pending approval. */
  putApproval(treeId: string, approval: StoredApproval): Promise<void>;
  getApproval(treeId: string, approvalId: string): Promise<StoredApproval | undefined>;
  /** First answer wins; the answer must carry the request's action hash. */
  answerApproval(
    treeId: string,
    approvalId: string,
    answer: ApprovalAnswer,
    at: number,
  ): Promise<AnswerResult>;
  /** Records a timeout (never a denial), if the approval is still pending. */
  expireApproval(treeId: string, approvalId: string, at: number): Promise<AnswerResult>;
  /** Claims an approved call for execution: true for exactly one caller, ever. */
  claimExecution(treeId: string, approvalId: string): Promise<boolean>;
  /** Marks a claimed call done. */
  completeExecution(treeId: string, approvalId: string): Promise<void>;
  /** The approvals of a tree (of one run, if given) in the given states, oldest first. */
  listApprovals(
    treeId: string,
    filter: { runId?: string; statuses: readonly StoredApproval['status'][] },
  ): Promise<StoredApproval[]>;
  /** Pending approvals, oldest first, filtered by agent, run tree or age. */
  listPending(filter?: {
    agentId?: string;
    treeId?: string;
    olderThanMs?: number;
    now?: number;
  }): Promise<StoredApproval[]>;
  /** Waits for an answer to an approval (another process may give it); resolves undefined on timeout. */
  waitForAnswer(treeId: string, approvalId: string, timeoutMs: number): Promise<StoredApproval | undefined>;

  /** Revokes a token (and, through ancestry checks, its subtree) or a whole run tree. */
  revoke(target: { tokenId: string } | { treeId: string }): Promise<void>;
  /** True when any of the token ids, or the tree, was revoked. */
  isRevoked(treeId: string, tokenIds: readonly string[]): Promise<boolean>;
  /**
   * The revocations recorded after `cursor` (0: all of them), in the order they were made, and the cursor
   * to ask from next time. One read: a verifier polls it to see revocations made in other processes.
   */
  revocationsSince(cursor: number, epoch?: string): Promise<RevocationLog>;
  /** Records a minted trust token of a tree; kept at least `TOKEN_RECORD_GRACE_MS` past the token's `exp`. */
  recordToken(treeId: string, token: MintedToken): Promise<void>;
  /** A minted token's record, or `undefined` when this tree has no such token (never minted, or expired). */
  getToken(treeId: string, jti: string): Promise<MintedToken | undefined>;

  /** Appends an executed action to a run's compensation log. */
  appendAction(treeId: string, runId: string, action: StoredAction): Promise<void>;
  /** The compensation log of a run, oldest first. */
  listActions(treeId: string, runId: string): Promise<StoredAction[]>;

  close(): Promise<void>;
}
