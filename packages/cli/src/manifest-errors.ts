import { ManifestError, OrbitError } from '@orbit-agents/core/errors';
import { CliError, EXIT } from './cli-error.js';

/**
 * A core error from loading, signing or verifying a manifest as a `CliError`: an invalid manifest (every
 * issue with its path) → exit 3; a signature that does not verify, a changed manifest, an unknown `kid` →
 * exit 1 (the check ran and failed); anything else is rethrown.
 */
export function manifestFailure(error: unknown, file: string): CliError {
  if (ManifestError.isInstance(error)) {
    if (error.code === 'ERR_MANIFEST_INVALID') {
      const detail =
        error.issues.length === 0
          ? error.message
          : `${error.issues.length} problem(s):\n${error.issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')}`;
      return new CliError(error.code, `${file} is not a valid manifest: ${detail}`, EXIT.INPUT, {
        cause: error,
      });
    }
    return new CliError(error.code, `${file}: ${error.message}`, EXIT.FAILED, { cause: error });
  }
  if (OrbitError.isInstance(error))
    return new CliError(error.code, error.message, EXIT.INPUT, { cause: error });
  throw error;
}
