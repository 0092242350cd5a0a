/**
 * Stable error codes. Callers branch on `code`, never on `message`.
 */
export type OrbitErrorCode =
  | 'ERR_MANIFEST_INVALID'
  | 'ERR_MANIFEST_UNSIGNED'
  | 'ERR_MANIFEST_SIGNATURE_INVALID'
  | 'ERR_MANIFEST_SIGNATURE_MISMATCH'
  | 'ERR_MANIFEST_UNKNOWN_KID'
  | 'ERR_RUN_HALTED'
  | 'ERR_APPROVAL_UNKNOWN'
  | 'ERR_APPROVAL_ALREADY_ANSWERED'
  | 'ERR_APPROVAL_HASH_MISMATCH'
  | 'ERR_APPROVAL_ANSWER_INVALID'
  | 'ERR_TOOL_UNKNOWN'
  | 'ERR_TOKEN_REFUSED'
  | 'ERR_CALL_ID_REUSED'
  | 'ERR_CALL_DUPLICATE'
  | 'ERR_RUN_UNKNOWN'
  | 'ERR_AUDIT_LOG_INVALID'
  | 'ERR_STORE_UNAVAILABLE'
  | 'ERR_ARGUMENT_INVALID'
  | 'ERR_OPTIONS_INVALID';

/** The base of every error ORBIT throws. */
export class OrbitError extends Error {
  readonly code: OrbitErrorCode;
  constructor(code: OrbitErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OrbitError';
    this.code = code;
  }
}

/** One problem found in a manifest, with the path of the field it is about. */
export interface ManifestIssue {
  /** Dotted path with array indices, e.g. `allowed_tools[1].max_calls_per_run`; `(root)` for the document. */
  path: string;
  /** What was expected there. */
  message: string;
}

/**
 * A manifest could not be loaded: invalid, unsigned, tampered or signed by an unknown key.
 * `issues` lists every invalid field with its path.
 */
export class ManifestError extends OrbitError {
  readonly issues: readonly ManifestIssue[];
  constructor(
    code: OrbitErrorCode,
    message: string,
    issues: readonly ManifestIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'ManifestError';
    this.issues = issues;
  }
}

/** An approval answer could not be applied: unknown request, already answered, or bound to other arguments. */
export class ApprovalError extends OrbitError {
  readonly approvalId: string;
  constructor(code: OrbitErrorCode, message: string, approvalId: string) {
    super(code, message);
    this.name = 'ApprovalError';
    this.approvalId = approvalId;
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
