import { type createLocalJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { duplicateMember } from './duplicate-member.js';
import { TokenError } from './token-error.js';
import { TokenScopeSchema } from './token-scope.js';
import type { VerifiedToken } from './trust-authority.js';

/** The JWT `typ` of an ORBIT trust token. */
export const TRUST_TOKEN_TYPE = 'orbit-trust+jwt';

/** The ORBIT claims of a trust token (under the `orbit` claim). */
const OrbitClaimsSchema = z.strictObject({
  run_id: z.string().min(1),
  parent_jti: z.string().nullable(),
  /** Ancestor token ids, root first: revoking any of them revokes this token. */
  chain: z.array(z.string()),
  depth: z.number().int().positive(),
  manifest_digest: z.string().min(1),
  scope: TokenScopeSchema,
});

/**
 * A token's signature and claims: EdDSA only, a trusted `kid`, this issuer, the type, the registered
 * claims, no member twice, the ORBIT claims.
 *
 * @throws TokenError `token_invalid` or `token_expired`.
 */
export async function verifySignature(
  token: string,
  options: {
    jwks: ReturnType<typeof createLocalJWKSet>;
    issuer: string;
    skew: number;
    maxBytes: number;
    now: () => number;
  },
): Promise<VerifiedToken> {
  if (typeof token !== 'string' || token.length > options.maxBytes) {
    throw new TokenError('token_invalid', `The token is not a string of at most ${options.maxBytes} bytes.`);
  }
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch (cause) {
    throw new TokenError('token_invalid', 'The token is not a compact JWT.', { cause });
  }
  if (typeof kid !== 'string' || kid === '') throw new TokenError('token_invalid', 'The token names no kid.');
  try {
    const { payload, protectedHeader } = await jwtVerify(token, options.jwks, {
      algorithms: ['EdDSA'],
      issuer: options.issuer,
      typ: TRUST_TOKEN_TYPE,
      clockTolerance: options.skew,
      currentDate: new Date(options.now()),
      requiredClaims: ['jti', 'sub', 'aud', 'iat', 'nbf', 'exp'],
    });
    // Parsed JSON keeps the last of duplicate members: a token that has any is refused outright.
    const [header, body] = token.split('.') as [string, string];
    for (const part of [header, body]) {
      const duplicate = duplicateMember(Buffer.from(part, 'base64url').toString('utf8'));
      if (duplicate !== undefined)
        throw new TokenError('token_invalid', `The token has the member "${duplicate}" twice in one object.`);
    }
    const orbit = OrbitClaimsSchema.safeParse(payload.orbit);
    if (!orbit.success || typeof payload.aud !== 'string') {
      throw new TokenError('token_invalid', 'The token does not carry valid ORBIT claims.');
    }
    return {
      jti: payload.jti!,
      iss: payload.iss!,
      sub: payload.sub!,
      aud: payload.aud,
      iat: payload.iat!,
      nbf: payload.nbf!,
      exp: payload.exp!,
      kid: protectedHeader.kid!,
      ...orbit.data,
    };
  } catch (cause) {
    if (cause instanceof TokenError) throw cause;
    if (cause instanceof joseErrors.JWTExpired)
      throw new TokenError('token_expired', 'The token has expired.', { cause });
    if (cause instanceof joseErrors.JWKSNoMatchingKey) {
      throw new TokenError(
        'token_invalid',
        'The token was signed by a key that is not trusted (unknown kid).',
        { cause },
      );
    }
    throw new TokenError('token_invalid', `The token does not verify: ${(cause as Error).message}`, {
      cause,
    });
  }
}
