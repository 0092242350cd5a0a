/** `@orbit-agents/core/errors`: every error class, one per code, and the union to narrow on. */
export type { AnyOrbitError } from '../any-orbit-error.js';
export {
  ApprovalAlreadyAnsweredError,
  ApprovalAnswerInvalidError,
  ApprovalError,
  type ApprovalErrorCode,
  ApprovalHashMismatchError,
  ApprovalUnknownError,
  ArgumentInvalidError,
  CallDuplicateError,
  CallIdReusedError,
  describeInputError,
  formatPath,
  ManifestDowngradeError,
  ManifestError,
  type ManifestErrorCode,
  ManifestInvalidError,
  type ManifestIssue,
  ManifestKeyUnknownError,
  ManifestSignatureInvalidError,
  ManifestSignatureMismatchError,
  ManifestUnsignedError,
  OptionsInvalidError,
  OrbitError,
  type OrbitErrorCode,
  RunManifestChangedError,
  RunStateLostError,
  RunUnknownError,
} from '../errors.js';
export { AuditLogError } from '../metrics/audit-log-error.js';
export { RunHaltedError } from '../run/run-halted-error.js';
export { StoreUnavailableError } from '../stores/store-unavailable-error.js';
export { TokenError } from '../trust/token-error.js';
