import {
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  errors as joseErrors,
} from 'jose';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { canonicalJson, sha256 } from '../canonical-json.js';
import { deepFreeze } from '../deep-freeze.js';
import {
  formatPath,
  ManifestError,
  ManifestInvalidError,
  type ManifestIssue,
  ManifestKeyUnknownError,
  ManifestSignatureInvalidError,
  ManifestSignatureMismatchError,
  ManifestUnsignedError,
} from '../errors.js';
import { type Manifest, ManifestSchema } from './manifest-schema.js';
import { recordNewestManifest } from './newest-manifests.js';

/** A manifest that passed validation (and, unless loaded in development mode, signature verification). */
export interface LoadedManifest {
  readonly manifest: Manifest;
  /** SHA-256 of the canonical JSON of the manifest as written: stamped on every decision. */
  readonly digest: string;
  /** The `kid` of the key that signed it; `undefined` when loaded unsigned in development mode. */
  readonly kid: string | undefined;
  readonly signed: boolean;
}

export interface LoadManifestOptions {
  /** The manifest: YAML or JSON text, or an already parsed object. */
  manifest: string | object;
  /** The compact JWS made by `signManifest` at deploy time. */
  signature?: string;
  /** Trusted public keys (a JWKS); the JWS header's `kid` picks one. */
  trustedKeys?: JSONWebKeySet;
  /**
   * Development only: load a manifest without a signature. Logged loudly through `logger.warn`.
   * Never set this in production.
   */
  allowUnsigned?: boolean;
  logger?: { warn(message: string): void };
}

/**
 * Parses and validates a manifest without any signature check. Throws a `ManifestError` listing every
 * invalid field with its path.
 *
 * @throws ManifestInvalidError when the text is not valid YAML or the document breaks the schema
 * (`issues` names every field).
 */
export function parseManifest(source: string | object): { manifest: Manifest; document: unknown } {
  let document: unknown = source;
  if (typeof source === 'string') {
    try {
      document = parseYaml(source);
    } catch (cause) {
      throw new ManifestInvalidError(`The manifest is not valid YAML: ${(cause as Error).message}`, [], {
        cause,
      });
    }
  }
  const result = ManifestSchema.safeParse(document);
  if (!result.success) {
    const issues = toIssues(result.error);
    throw new ManifestInvalidError(
      `The manifest is invalid:\n${issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')}`,
      issues,
    );
  }
  return { manifest: result.data, document };
}

function toIssues(error: z.ZodError): ManifestIssue[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        path: formatPath([...issue.path, key]),
        message: `unknown field "${key}"; expected only the fields of the manifest schema`,
      }));
    }
    return [{ path: formatPath(issue.path), message: issue.message }];
  });
}

/**
 * Loads a manifest at start-up: validates it, verifies its signature against the trusted keys and
 * computes its digest. A tampered, unsigned, wrongly signed or unknown-`kid` manifest is refused.
 *
 * @throws ManifestInvalidError when the manifest is not valid YAML or breaks the schema (`issues`
 * names every field).
 * @throws ManifestUnsignedError when no `signature` is given and `allowUnsigned` is not set.
 * @throws ManifestSignatureInvalidError when a signature is given without `trustedKeys`, or it is
 * malformed, not EdDSA, not of type `orbit-manifest+jws` or does not verify (also for malformed
 * `trustedKeys`).
 * @throws ManifestKeyUnknownError when the JWS names no `kid`, or one that is not in `trustedKeys`.
 * @throws ManifestSignatureMismatchError when the signature is valid but over another document (the
 * manifest was changed after signing).
 * @throws ManifestDowngradeError when a signed manifest's `manifest_version` is older than the newest
 * verified for its agent in this process, or equal to it with other content. A manifest without
 * `manifest_version` counts as version 0. Unsigned manifests (development) are neither checked nor
 * recorded: their version proves nothing.
 *
 * @example
 * const loaded = await loadManifest({ manifest: yamlText, signature: jws, trustedKeys: jwks });
 */
export async function loadManifest(options: LoadManifestOptions): Promise<LoadedManifest> {
  const { manifest, document } = parseManifest(options.manifest);
  const canonical = canonicalJson(document);
  const digest = sha256(canonical);
  if (options.signature === undefined) {
    if (!options.allowUnsigned) {
      throw new ManifestUnsignedError(
        `The manifest of "${manifest.agent_id}" is unsigned. Sign it at deploy time with signManifest() and pass the signature, or set allowUnsigned: true in development.`,
      );
    }
    (options.logger ?? console).warn(
      `[orbit] WARNING: manifest "${manifest.agent_id}" (${digest}) loaded UNSIGNED in development mode. Its policy is not verified. Never run this in production.`,
    );
    return verified(deepFreeze({ manifest, digest, kid: undefined, signed: false }));
  }
  if (!options.trustedKeys) {
    throw new ManifestSignatureInvalidError('A signature was given but no trustedKeys to verify it against.');
  }
  const payload = await verifyManifestSignature(options.signature, options.trustedKeys);
  if (payload.text !== canonical) {
    throw new ManifestSignatureMismatchError(
      `The manifest of "${manifest.agent_id}" does not match its signature: it was changed after signing (signed ${sha256(payload.text)}, loaded ${digest}). Re-sign it or restore the signed version.`,
    );
  }
  // Only a signed manifest's version is trusted: an older one than the newest seen is refused.
  recordNewestManifest(manifest.agent_id, manifest.manifest_version ?? 0, digest);
  // Frozen: what was verified is what every run decides with (delegation reads its profiles).
  return verified(deepFreeze({ manifest, digest, kid: payload.kid, signed: true }));
}

/**
 * Verifies a signed manifest JWS on its own and returns the manifest it carries.
 *
 * @throws ManifestSignatureInvalidError, ManifestKeyUnknownError as `loadManifest`.
 * @throws ManifestInvalidError when the signed payload is not JSON or not a valid manifest.
 * @throws ManifestSignatureMismatchError when the payload is not in canonical JSON (not made by
 * `signManifest`).
 */
export async function verifyManifest(signature: string, trustedKeys: JSONWebKeySet): Promise<LoadedManifest> {
  const payload = await verifyManifestSignature(signature, trustedKeys);
  let document: unknown;
  try {
    document = JSON.parse(payload.text);
  } catch (cause) {
    throw new ManifestInvalidError('The signed payload is not JSON.', [], { cause });
  }
  return loadManifest({ manifest: document as object, signature, trustedKeys });
}

async function verifyManifestSignature(
  signature: string,
  trustedKeys: JSONWebKeySet,
): Promise<{ text: string; kid: string }> {
  try {
    const kid = decodeProtectedHeader(signature).kid;
    if (typeof kid !== 'string' || kid === '') {
      throw new ManifestKeyUnknownError('The manifest JWS names no kid; sign it with signManifest({ kid }).');
    }
    const { payload, protectedHeader } = await compactVerify(signature, createLocalJWKSet(trustedKeys), {
      algorithms: ['EdDSA'],
    });
    if (protectedHeader.typ !== MANIFEST_JWS_TYPE) {
      throw new ManifestSignatureInvalidError(
        `The JWS is not a signed ORBIT manifest (typ "${protectedHeader.typ}", expected "${MANIFEST_JWS_TYPE}").`,
      );
    }
    return { text: new TextDecoder().decode(payload), kid };
  } catch (cause) {
    if (cause instanceof ManifestError) throw cause;
    if (cause instanceof joseErrors.JWKSNoMatchingKey) {
      throw new ManifestKeyUnknownError(
        'The manifest was signed by a key that is not among the trusted keys (unknown or missing kid).',
        [],
        { cause },
      );
    }
    throw new ManifestSignatureInvalidError(
      `The manifest signature does not verify: ${(cause as Error).message}. Only EdDSA (Ed25519) signatures by a trusted key are accepted.`,
      [],
      { cause },
    );
  }
}

/** The JWS `typ` of a signed manifest. */
export const MANIFEST_JWS_TYPE = 'orbit-manifest+jws';

/** The manifests `loadManifest` produced (validated, and verified unless loaded unsigned on purpose). */
const loaded = new WeakSet<object>();

function verified(manifest: LoadedManifest): LoadedManifest {
  loaded.add(manifest);
  return manifest;
}

/** True for a manifest `loadManifest` returned: only those count as validated (and verified) manifests. */
export function isLoadedManifest(value: unknown): value is LoadedManifest {
  return typeof value === 'object' && value !== null && loaded.has(value);
}
