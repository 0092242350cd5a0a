import type {
  ApprovalAlreadyAnsweredError,
  ApprovalAnswerInvalidError,
  ApprovalHashMismatchError,
  ApprovalUnknownError,
  ArgumentInvalidError,
  CallDuplicateError,
  CallIdReusedError,
  ManifestDowngradeError,
  ManifestInvalidError,
  ManifestKeyUnknownError,
  ManifestSignatureInvalidError,
  ManifestSignatureMismatchError,
  ManifestUnsignedError,
  OptionsInvalidError,
  RunManifestChangedError,
  RunStateLostError,
  RunUnknownError,
} from './errors.js';
import type { AuditLogError } from './metrics/audit-log-error.js';
import type { RunHaltedError } from './run/run-halted-error.js';
import type { StoreUnavailableError } from './stores/store-unavailable-error.js';
import type { TokenError } from './trust/token-error.js';

/**
 * Every error ORBIT throws, one class per code: narrow on `code` and TypeScript knows the class.
 *
 * @example
 * const error = caught as AnyOrbitError;
 * if (error.code === 'ERR_RUN_HALTED') console.log(error.decision.reasons);
 */
export type AnyOrbitError =
  | ManifestInvalidError
  | ManifestUnsignedError
  | ManifestSignatureInvalidError
  | ManifestSignatureMismatchError
  | ManifestKeyUnknownError
  | ManifestDowngradeError
  | RunHaltedError
  | ApprovalUnknownError
  | ApprovalAlreadyAnsweredError
  | ApprovalHashMismatchError
  | ApprovalAnswerInvalidError
  | TokenError
  | CallIdReusedError
  | CallDuplicateError
  | RunUnknownError
  | RunStateLostError
  | RunManifestChangedError
  | AuditLogError
  | StoreUnavailableError
  | ArgumentInvalidError
  | OptionsInvalidError;
