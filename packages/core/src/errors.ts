/**
 * ORBIT's errors: one base class, one class per stable `code`. Callers branch on `code` (or on the
 * class, with `X.isInstance(error)`, which also recognises an error from a second installed copy of
 * `@orbit-agents/core`), never on `message`.
 *
 * The classes that carry fields of their own live beside the code that throws them
 * (`RunHaltedError`, `TokenError`, `StoreUnavailableError`, `AuditLogError`); `AnyOrbitError` in
 * `./any-orbit-error.ts` is the union of all of them.
 */

/** Stable error codes: one per error class. */
export type OrbitErrorCode =
  | 'ERR_MANIFEST_INVALID'
  | 'ERR_MANIFEST_UNSIGNED'
  | 'ERR_MANIFEST_SIGNATURE_INVALID'
  | 'ERR_MANIFEST_SIGNATURE_MISMATCH'
  | 'ERR_MANIFEST_UNKNOWN_KID'
  | 'ERR_MANIFEST_DOWNGRADE'
  | 'ERR_RUN_HALTED'
  | 'ERR_APPROVAL_UNKNOWN'
  | 'ERR_APPROVAL_ALREADY_ANSWERED'
  | 'ERR_APPROVAL_HASH_MISMATCH'
  | 'ERR_APPROVAL_ANSWER_INVALID'
  | 'ERR_TOKEN_REFUSED'
  | 'ERR_CALL_ID_REUSED'
  | 'ERR_CALL_DUPLICATE'
  | 'ERR_RUN_UNKNOWN'
  | 'ERR_RUN_STATE_LOST'
  | 'ERR_RUN_MANIFEST_CHANGED'
  | 'ERR_AUDIT_LOG_INVALID'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_ARGUMENT_INVALID'
  | 'ERR_OPTIONS_INVALID';

/** Marks ORBIT errors across copies of the package (`Symbol.for` is shared by every copy). */
const MARKER = Symbol.for('orbit-agents.error');

/**
 * The base of every error ORBIT throws. Not thrown itself: each code has its class.
 *
 * @example
 * if (OrbitError.isInstance(error) && error.code === 'ERR_RUN_HALTED') stop();
 */
export class OrbitError<Code extends OrbitErrorCode = OrbitErrorCode> extends Error {
  readonly code: Code;
  /** The codes this class (and its subclasses) may carry: all of them for `OrbitError`. */
  static readonly codes: readonly OrbitErrorCode[] | 'all' = 'all';
  readonly [MARKER] = true;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }

  /**
   * True for an error of this class, also when it comes from another copy of `@orbit-agents/core`
   * (where `instanceof` fails): it checks the shared marker and the class's codes.
   */
  static isInstance<T extends abstract new (...args: never[]) => OrbitError>(
    this: T & { readonly codes: readonly OrbitErrorCode[] | 'all' },
    value: unknown,
  ): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null || !(MARKER in value)) return false;
    // biome-ignore lint/complexity/noThisInStatic: the class it is called on (a subclass) decides.
    const codes = this.codes;
    return codes === 'all' || codes.includes((value as OrbitError).code);
  }
}

/** An argument to an ORBIT method is not what it expects (a count that is not a number, a bad request). */
export class ArgumentInvalidError extends OrbitError<'ERR_ARGUMENT_INVALID'> {
  static override readonly codes = ['ERR_ARGUMENT_INVALID'] as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_ARGUMENT_INVALID', message, options);
  }
}

/** An options object (of `createOrbit`, a store, a detector, a metric) is invalid; the message names the option. */
export class OptionsInvalidError extends OrbitError<'ERR_OPTIONS_INVALID'> {
  static override readonly codes = ['ERR_OPTIONS_INVALID'] as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_OPTIONS_INVALID', message, options);
  }
}

/** A call id was used again for another call (another tool or other arguments) in the same run. */
export class CallIdReusedError extends OrbitError<'ERR_CALL_ID_REUSED'> {
  static override readonly codes = ['ERR_CALL_ID_REUSED'] as const;
  readonly callId: string;
  constructor(runId: string, callId: string) {
    super(
      'ERR_CALL_ID_REUSED',
      `Call id "${callId}" was already used for another call in run "${runId}"; give each tool call its own id.`,
    );
    this.callId = callId;
  }
}

/** A call was presented to run again while it runs or after it ran: a call runs at most once. */
export class CallDuplicateError extends OrbitError<'ERR_CALL_DUPLICATE'> {
  static override readonly codes = ['ERR_CALL_DUPLICATE'] as const;
  readonly callId: string;
  constructor(runId: string, callId: string, what: 'ran' | 'deciding' = 'ran') {
    super(
      'ERR_CALL_DUPLICATE',
      what === 'ran'
        ? `Call "${callId}" already ran in run "${runId}"; a call runs at most once.`
        : `Call "${callId}" is being decided already in run "${runId}"; a call runs at most once.`,
    );
    this.callId = callId;
  }
}

/** No run is known by that id here (an adapter's thread or sub-agent run). */
export class RunUnknownError extends OrbitError<'ERR_RUN_UNKNOWN'> {
  static override readonly codes = ['ERR_RUN_UNKNOWN'] as const;
  constructor(message: string) {
    super('ERR_RUN_UNKNOWN', message);
  }
}

/**
 * A run resumed on a store whose state is gone (its record deleted or expired, the store restarted
 * empty): it halts rather than start again with a fresh budget. Its calls halt with `run_state_lost`.
 */
export class RunStateLostError extends OrbitError<'ERR_RUN_STATE_LOST'> {
  static override readonly codes = ['ERR_RUN_STATE_LOST'] as const;
  readonly runId: string;
  constructor(runId: string) {
    super(
      'ERR_RUN_STATE_LOST',
      `The store has no state for run "${runId}" (deleted, expired, or the store restarted empty): it is halted, never started again with a fresh budget. Start a new run.`,
    );
    this.runId = runId;
  }
}

/**
 * A run was taken up under another manifest than the one it started with: it halts rather than take
 * the new limits. Its calls halt with `run_manifest_changed`.
 */
export class RunManifestChangedError extends OrbitError<'ERR_RUN_MANIFEST_CHANGED'> {
  static override readonly codes = ['ERR_RUN_MANIFEST_CHANGED'] as const;
  readonly runId: string;
  /** The digest of the manifest this process runs with. */
  readonly manifestDigest: string;
  constructor(runId: string, manifestDigest: string) {
    super(
      'ERR_RUN_MANIFEST_CHANGED',
      `Run "${runId}" was started under another manifest than this one (${manifestDigest}): it keeps the manifest it started with, so it is halted here. Resume it with its own manifest, or start a new run.`,
    );
    this.runId = runId;
    this.manifestDigest = manifestDigest;
  }
}

/** One problem found in a manifest, with the path of the field it is about. */
export interface ManifestIssue {
  /** Dotted path with array indices, e.g. `allowed_tools[1].max_calls_per_run`; `(root)` for the document. */
  path: string;
  /** What was expected there. */
  message: string;
}

/** The codes of a manifest that could not be loaded. */
export type ManifestErrorCode = Extract<OrbitErrorCode, `ERR_MANIFEST_${string}`>;

/**
 * A manifest could not be loaded: invalid, unsigned, tampered or signed by an unknown key. The parent
 * of one class per code; `issues` lists every invalid field with its path.
 */
export abstract class ManifestError<
  Code extends ManifestErrorCode = ManifestErrorCode,
> extends OrbitError<Code> {
  static override readonly codes: readonly OrbitErrorCode[] = [
    'ERR_MANIFEST_INVALID',
    'ERR_MANIFEST_UNSIGNED',
    'ERR_MANIFEST_SIGNATURE_INVALID',
    'ERR_MANIFEST_SIGNATURE_MISMATCH',
    'ERR_MANIFEST_UNKNOWN_KID',
    'ERR_MANIFEST_DOWNGRADE',
  ];
  readonly issues: readonly ManifestIssue[];
  constructor(code: Code, message: string, issues: readonly ManifestIssue[], options?: { cause?: unknown }) {
    super(code, message, options);
    this.issues = issues;
  }
}

/** The manifest is not valid YAML/JSON or breaks the schema: `issues` names every field. */
export class ManifestInvalidError extends ManifestError<'ERR_MANIFEST_INVALID'> {
  static override readonly codes = ['ERR_MANIFEST_INVALID'] as const;
  constructor(message: string, issues: readonly ManifestIssue[] = [], options?: { cause?: unknown }) {
    super('ERR_MANIFEST_INVALID', message, issues, options);
  }
}

/** No signature was given and unsigned manifests were not allowed. */
export class ManifestUnsignedError extends ManifestError<'ERR_MANIFEST_UNSIGNED'> {
  static override readonly codes = ['ERR_MANIFEST_UNSIGNED'] as const;
  constructor(message: string, issues: readonly ManifestIssue[] = [], options?: { cause?: unknown }) {
    super('ERR_MANIFEST_UNSIGNED', message, issues, options);
  }
}

/** The signature is malformed, of the wrong type or algorithm, or does not verify. */
export class ManifestSignatureInvalidError extends ManifestError<'ERR_MANIFEST_SIGNATURE_INVALID'> {
  static override readonly codes = ['ERR_MANIFEST_SIGNATURE_INVALID'] as const;
  constructor(message: string, issues: readonly ManifestIssue[] = [], options?: { cause?: unknown }) {
    super('ERR_MANIFEST_SIGNATURE_INVALID', message, issues, options);
  }
}

/** The signature is valid but over another document than the manifest given. */
export class ManifestSignatureMismatchError extends ManifestError<'ERR_MANIFEST_SIGNATURE_MISMATCH'> {
  static override readonly codes = ['ERR_MANIFEST_SIGNATURE_MISMATCH'] as const;
  constructor(message: string, issues: readonly ManifestIssue[] = [], options?: { cause?: unknown }) {
    super('ERR_MANIFEST_SIGNATURE_MISMATCH', message, issues, options);
  }
}

/** The signature names a key id (`kid`) that is not among the trusted keys. */
export class ManifestKeyUnknownError extends ManifestError<'ERR_MANIFEST_UNKNOWN_KID'> {
  static override readonly codes = ['ERR_MANIFEST_UNKNOWN_KID'] as const;
  constructor(message: string, issues: readonly ManifestIssue[] = [], options?: { cause?: unknown }) {
    super('ERR_MANIFEST_UNKNOWN_KID', message, issues, options);
  }
}

/**
 * A verified manifest is older than the newest seen for its agent (in this process, or in the shared
 * store), or has the same `manifest_version` as that one with other content. Deploy a newer version.
 */
export class ManifestDowngradeError extends ManifestError<'ERR_MANIFEST_DOWNGRADE'> {
  static override readonly codes = ['ERR_MANIFEST_DOWNGRADE'] as const;
  readonly agentId: string;
  /** The `manifest_version` refused (0: a manifest without one). */
  readonly version: number;
  /** The newest `manifest_version` seen for the agent. */
  readonly newestVersion: number;
  /** `older`: below the newest; `same_version_different_content`: the newest's version, another digest. */
  readonly reason: 'older' | 'same_version_different_content';
  constructor(
    agentId: string,
    version: number,
    newestVersion: number,
    reason: 'older' | 'same_version_different_content',
    where: 'process' | 'store',
  ) {
    const seen = where === 'store' ? 'in the shared store' : 'in this process';
    super(
      'ERR_MANIFEST_DOWNGRADE',
      reason === 'older'
        ? `The manifest of "${agentId}" has manifest_version ${version}, older than version ${newestVersion} already loaded ${seen}: a manifest is never downgraded. Deploy version ${newestVersion} or a newer one.`
        : `The manifest of "${agentId}" has manifest_version ${version}, the version already loaded ${seen}, with other content (same version, different content). Give a changed manifest a higher manifest_version.`,
      [
        {
          path: 'manifest_version',
          message: `expected at least ${reason === 'older' ? newestVersion : newestVersion + 1}`,
        },
      ],
    );
    this.agentId = agentId;
    this.version = version;
    this.newestVersion = newestVersion;
    this.reason = reason;
  }
}

/** The codes of an approval answer that could not be applied. */
export type ApprovalErrorCode = Extract<OrbitErrorCode, `ERR_APPROVAL_${string}`>;

/**
 * An approval answer could not be applied: unknown request, already answered, bound to other
 * arguments, or malformed. The parent of one class per code; make them with `approvalError`.
 */
export abstract class ApprovalError<
  Code extends ApprovalErrorCode = ApprovalErrorCode,
> extends OrbitError<Code> {
  static override readonly codes: readonly OrbitErrorCode[] = [
    'ERR_APPROVAL_UNKNOWN',
    'ERR_APPROVAL_ALREADY_ANSWERED',
    'ERR_APPROVAL_HASH_MISMATCH',
    'ERR_APPROVAL_ANSWER_INVALID',
  ];
  readonly approvalId: string;
  constructor(code: Code, message: string, approvalId: string) {
    super(code, message);
    this.approvalId = approvalId;
  }
}

/** No pending or answered approval has that id (in this run, or in the store). */
export class ApprovalUnknownError extends ApprovalError<'ERR_APPROVAL_UNKNOWN'> {
  static override readonly codes = ['ERR_APPROVAL_UNKNOWN'] as const;
}

/** The approval has its answer already (or timed out): the first answer stands. */
export class ApprovalAlreadyAnsweredError extends ApprovalError<'ERR_APPROVAL_ALREADY_ANSWERED'> {
  static override readonly codes = ['ERR_APPROVAL_ALREADY_ANSWERED'] as const;
}

/** The answer carries another `action_hash`: it was given for other arguments. The request stays pending. */
export class ApprovalHashMismatchError extends ApprovalError<'ERR_APPROVAL_HASH_MISMATCH'> {
  static override readonly codes = ['ERR_APPROVAL_HASH_MISMATCH'] as const;
}

/** The answer does not have the shape of an approval answer; the message names the field. */
export class ApprovalAnswerInvalidError extends ApprovalError<'ERR_APPROVAL_ANSWER_INVALID'> {
  static override readonly codes = ['ERR_APPROVAL_ANSWER_INVALID'] as const;
}

/**
 * The one way approval errors are made: the class of the code, with the message of the code.
 *
 * @param where Where the approval was looked up (`run "…"` or `the store`), for unknown ones.
 * @param detail What was wrong with an invalid answer, or the hashes of a mismatch.
 */
export function approvalError(
  code: ApprovalErrorCode,
  approvalId: string,
  detail: { where?: string; given?: string; expected?: string; problem?: string } = {},
): ApprovalError {
  switch (code) {
    case 'ERR_APPROVAL_UNKNOWN':
      return new ApprovalUnknownError(
        code,
        `No approval "${approvalId}" in ${detail.where ?? 'this run'}.`,
        approvalId,
      );
    case 'ERR_APPROVAL_ALREADY_ANSWERED':
      return new ApprovalAlreadyAnsweredError(
        code,
        `Approval "${approvalId}" was already answered (or timed out); the first answer stands.`,
        approvalId,
      );
    case 'ERR_APPROVAL_HASH_MISMATCH': {
      const hashes =
        detail.given === undefined ? '' : ` (action_hash ${detail.given}, expected ${detail.expected})`;
      return new ApprovalHashMismatchError(
        code,
        `The answer to approval "${approvalId}" is bound to other arguments${hashes}; it was refused and the request is still pending.`,
        approvalId,
      );
    }
    case 'ERR_APPROVAL_ANSWER_INVALID':
      return new ApprovalAnswerInvalidError(
        code,
        `Invalid approval answer to "${approvalId}": ${detail.problem ?? 'not an approval answer'}.`,
        approvalId,
      );
  }
}

/** Formats a path of keys and indices the way every ORBIT error names a field. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/**
 * What is wrong with a tool call's input, every issue with its field (`input.amount: expected number`):
 * the detail of an `input_invalid` block, the same whichever path (core or adapter) validated the call.
 */
export function describeInputError(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): string {
  return error.issues
    .map((issue) => `${issue.path.length ? `input.${formatPath(issue.path)}` : 'input'}: ${issue.message}`)
    .join('; ');
}
