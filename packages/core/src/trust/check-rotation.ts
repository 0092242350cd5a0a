import { createLocalJWKSet, type JSONWebKeySet } from 'jose';
import { checkEd25519PrivateKey } from '../ed25519-key.js';
import { OptionsInvalidError } from '../errors.js';

/** The checks of `TrustAuthority.rotate`, all before anything changes; returns the new key set. */
export function checkRotation(options: {
  signingKey: unknown;
  kid: unknown;
  trustedKeys: JSONWebKeySet;
}): ReturnType<typeof createLocalJWKSet> {
  checkEd25519PrivateKey(options.signingKey, 'rotate: signingKey');
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
