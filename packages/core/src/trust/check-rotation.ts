import { KeyObject } from 'node:crypto';
import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { OptionsInvalidError } from '../errors.js';

/** The checks of `TrustAuthority.rotate`, all before anything changes; returns the new key set. */
export function checkRotation(options: {
  signingKey: unknown;
  kid: unknown;
  trustedKeys: JSONWebKeySet;
}): ReturnType<typeof createLocalJWKSet> {
  if (!isEd25519PrivateKey(options.signingKey))
    throw new OptionsInvalidError(
      'rotate: signingKey must be an Ed25519 private key (a CryptoKey or KeyObject).',
    );
  if (typeof options.kid !== 'string' || options.kid.length === 0)
    throw new OptionsInvalidError(
      `rotate: kid must be a non-empty string, got ${JSON.stringify(options.kid)}.`,
    );
  const keys = (options.trustedKeys as { keys?: unknown } | null)?.keys;
  const own = Array.isArray(keys)
    ? (keys.find((key) => (key as { kid?: unknown } | null)?.kid === options.kid) as
        | { kty?: unknown; crv?: unknown; x?: unknown }
        | undefined)
    : undefined;
  if (own?.kty !== 'OKP' || own.crv !== 'Ed25519' || typeof own.x !== 'string')
    throw new OptionsInvalidError(
      `rotate: trustedKeys must be a JWKS ({ keys: [...] }) holding the Ed25519 public key (kty OKP, crv Ed25519) of kid "${options.kid}", or tokens signed with it could not be verified.`,
    );
  try {
    return createLocalJWKSet(options.trustedKeys);
  } catch (error) {
    throw new OptionsInvalidError(`rotate: trustedKeys is not a valid JWKS (${(error as Error).message}).`);
  }
}

function isEd25519PrivateKey(key: unknown): boolean {
  if (key instanceof KeyObject) return key.type === 'private' && key.asymmetricKeyType === 'ed25519';
  const crypto = key as { type?: unknown; algorithm?: { name?: unknown } } | null;
  return crypto?.type === 'private' && crypto.algorithm?.name === 'Ed25519';
}
