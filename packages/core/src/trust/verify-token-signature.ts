import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { VerifiedToken } from './trust-authority.js';
import { verifySignature } from './verify-signature.js';

export interface VerifyTokenSignatureOptions {
  /** The trusted public keys (a JWKS); the token's `kid` picks one. */
  trustedKeys: JSONWebKeySet;
  /** The only issuer accepted. Default `orbit` (a `TrustAuthority`'s default). */
  issuer?: string;
  /** Allowed clock skew for `exp` and `nbf`, in seconds. Default 5. */
  clockToleranceSeconds?: number;
  /** Tokens longer than this are refused before any parsing. Default 8192 bytes. */
  maxTokenBytes?: number;
  /** The clock, ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/**
 * Verifies a trust token on its own, outside any `TrustAuthority` (for tools such as `orbit token inspect`):
 * the same signature check `TrustAuthority.verify` does first (EdDSA only, a trusted `kid`, the issuer, the
 * `orbit-trust+jwt` type, the registered claims, expiry and not-before with skew, no member twice, the ORBIT
 * claims). It does NOT check lineage (that the parent was minted by the authority), revocation, audience,
 * run or manifest digest: those need the authority's state and the verifier's expectations.
 *
 * @throws TokenError `token_invalid` (not a compact JWT, an untrusted `kid`, a bad signature, issuer, type
 * or ORBIT claims, not valid yet) or `token_expired`.
 */
export function verifyTokenSignature(
  token: string,
  options: VerifyTokenSignatureOptions,
): Promise<VerifiedToken> {
  return verifySignature(token, {
    jwks: createLocalJWKSet(options.trustedKeys),
    issuer: options.issuer ?? 'orbit',
    skew: options.clockToleranceSeconds ?? 5,
    maxBytes: options.maxTokenBytes ?? 8192,
    now: options.now ?? Date.now,
  });
}
