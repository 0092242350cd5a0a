import { randomUUID } from 'node:crypto';
import {
  type CryptoKey,
  createLocalJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWK,
  errors as joseErrors,
  jwtVerify,
  type KeyObject,
  SignJWT,
} from 'jose';
import { z } from 'zod';
import type { ReasonCode } from '../gate/reason-codes.js';
import { duplicateMember } from './duplicate-member.js';
import { TokenError } from './token-error.js';
import { type TokenScope, TokenScopeSchema } from './token-scope.js';

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

/** A verified trust token: its registered claims and its ORBIT claims. Never holds the token string. */
export interface VerifiedToken {
  readonly jti: string;
  readonly iss: string;
  /** The sub-agent the token was minted for (subject and audience). */
  readonly sub: string;
  readonly aud: string;
  /** Seconds since the epoch. */
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly kid: string;
  readonly run_id: string;
  readonly parent_jti: string | null;
  readonly chain: readonly string[];
  readonly depth: number;
  readonly manifest_digest: string;
  readonly scope: TokenScope;
}

/** What a verifier expects of a token presented to it. */
export interface TokenExpectations {
  /** The agent the token must have been minted for. */
  audience: string;
  /** The run (tree) the token must belong to. */
  runId: string;
  /** The digest of the running manifest. */
  manifestDigest: string;
}

export interface TrustAuthorityOptions {
  /** The private key that signs new tokens (Ed25519). */
  signingKey: CryptoKey | KeyObject;
  /** The `kid` of `signingKey`; must be in `trustedKeys`. */
  kid: string;
  /** The public keys tokens are verified against (JWKS). Keep an old key here until its tokens expire. */
  trustedKeys: JSONWebKeySet;
  /** The `iss` of minted tokens, and the only issuer accepted. Default `orbit`. */
  issuer?: string;
  /** Token lifetime when the profile sets none. Default 900 s (15 minutes). */
  defaultTtlSeconds?: number;
  /** Allowed clock skew for `exp` and `nbf`. Default 5 s. */
  clockToleranceSeconds?: number;
  /** Tokens longer than this are refused before any parsing. Default 8192 bytes. */
  maxTokenBytes?: number;
  /** How many verified tokens to keep. Default 10,000. */
  cacheSize?: number;
  /** The clock, ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** Claims to mint (the authority adds `iss`, `jti`, `iat`, `nbf`, `exp`). */
export interface MintClaims {
  agentId: string;
  runId: string;
  parent: VerifiedToken | null;
  manifestDigest: string;
  scope: TokenScope;
  ttlSeconds?: number;
}

/**
 * Mints, verifies and revokes trust tokens for one deployment: JWTs signed with EdDSA (Ed25519) via
 * `jose`. The signature of a token is verified once and cached; the per-call `check` is a lookup
 * plus the cheap checks (expiry, revocation, audience, run, manifest digest).
 */
export class TrustAuthority {
  readonly issuer: string;
  private signingKey: CryptoKey | KeyObject;
  private kid: string;
  private keys: JSONWebKeySet;
  private jwks: ReturnType<typeof createLocalJWKSet>;
  private readonly ttl: number;
  private readonly skew: number;
  private readonly maxBytes: number;
  private readonly cacheSize: number;
  private readonly now: () => number;
  private readonly cache = new Map<string, VerifiedToken>();
  private readonly revokedTokens = new Set<string>();
  private readonly revokedRuns = new Set<string>();

  /**
   * An authority over the given keys. Only `trustedKeys` is checked here: a `signingKey` that is not
   * Ed25519 or a TTL that is not a number fails at `mint`.
   *
   * @throws JWKSInvalid (from `jose`, not an ORBIT error) when `trustedKeys` is not a JWKS (no `keys` array).
   */
  constructor(options: TrustAuthorityOptions) {
    this.signingKey = options.signingKey;
    this.kid = options.kid;
    this.keys = options.trustedKeys;
    this.jwks = createLocalJWKSet(options.trustedKeys);
    this.issuer = options.issuer ?? 'orbit';
    this.ttl = options.defaultTtlSeconds ?? 900;
    this.skew = options.clockToleranceSeconds ?? 5;
    this.maxBytes = options.maxTokenBytes ?? 8192;
    this.cacheSize = options.cacheSize ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Creates an authority with a fresh Ed25519 key that only this process knows: right for agents
   * whose sub-agents run in the same process. Across processes, share the public key in `trustedKeys`.
   */
  static async ephemeral(
    options: Partial<Omit<TrustAuthorityOptions, 'signingKey' | 'kid' | 'trustedKeys'>> = {},
  ) {
    const { generateKeyPair, exportJWK } = await import('jose');
    const { privateKey, publicKey } = await generateKeyPair('Ed25519');
    const kid = `ephemeral-${randomUUID()}`;
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
    return new TrustAuthority({ ...options, signingKey: privateKey, kid, trustedKeys: { keys: [jwk] } });
  }

  /**
   * Rotates the signing key without downtime: new tokens are signed with the new key; tokens signed
   * with an old key stay valid until they expire, as long as the old key stays in `trustedKeys`.
   *
   * @throws JWKSInvalid (from `jose`) when `trustedKeys` is not a JWKS; the signing key, `kid` and
   * `trustedKeys` are already replaced by then, only the verification keys stay the old ones.
   */
  rotate(options: { signingKey: CryptoKey | KeyObject; kid: string; trustedKeys: JSONWebKeySet }): void {
    this.signingKey = options.signingKey;
    this.kid = options.kid;
    this.keys = options.trustedKeys;
    this.jwks = createLocalJWKSet(options.trustedKeys);
  }

  /** The trusted public keys. */
  get trustedKeys(): JSONWebKeySet {
    return this.keys;
  }

  /**
   * Signs a token for a sub-agent. The caller (the run) has already attenuated the scope.
   *
   * @throws TokenError `scope_escalation` (`field` `exp`) when the token would outlive its parent.
   * @throws TokenError `token_invalid` when the signed token is longer than `maxTokenBytes`.
   * @throws TypeError (from `jose`) when the TTL (`ttlSeconds` or `defaultTtlSeconds`) is not a finite
   * number, or `signingKey` is not a key; JOSENotSupported when it is not an Ed25519 key.
   */
  async mint(claims: MintClaims): Promise<{ token: string; verified: VerifiedToken }> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const ttl = claims.ttlSeconds ?? this.ttl;
    const exp = nowSeconds + ttl;
    if (claims.parent && exp > claims.parent.exp) {
      throw new TokenError(
        'scope_escalation',
        `A token living ${ttl} s would outlive its parent (expiry ${claims.parent.exp}).`,
        {
          field: 'exp',
        },
      );
    }
    const jti = randomUUID();
    const orbit = {
      run_id: claims.runId,
      parent_jti: claims.parent?.jti ?? null,
      chain: claims.parent ? [...claims.parent.chain, claims.parent.jti] : [],
      depth: (claims.parent?.depth ?? 0) + 1,
      manifest_digest: claims.manifestDigest,
      scope: claims.scope,
    };
    const token = await new SignJWT({ orbit })
      .setProtectedHeader({ alg: 'EdDSA', kid: this.kid, typ: TRUST_TOKEN_TYPE })
      .setIssuer(this.issuer)
      .setSubject(claims.agentId)
      .setAudience(claims.agentId)
      .setJti(jti)
      .setIssuedAt(nowSeconds)
      .setNotBefore(nowSeconds)
      .setExpirationTime(exp)
      .sign(this.signingKey);
    if (token.length > this.maxBytes) {
      throw new TokenError(
        'token_invalid',
        `The token would be ${token.length} bytes, over the limit of ${this.maxBytes}: narrow its scope.`,
      );
    }
    const verified: VerifiedToken = {
      jti,
      iss: this.issuer,
      sub: claims.agentId,
      aud: claims.agentId,
      iat: nowSeconds,
      nbf: nowSeconds,
      exp,
      kid: this.kid,
      ...orbit,
    };
    this.remember(token, verified);
    return { token, verified };
  }

  /**
   * Verifies a token's signature (EdDSA only, a trusted `kid`, this issuer, the ORBIT claims) once and
   * caches it, then applies `check`. Throws `TokenError` with the reason code.
   *
   * @throws TokenError with `reason` `token_invalid` (not a string, longer than `maxTokenBytes`, not a
   * compact JWT, no or an untrusted `kid`, a bad signature, issuer, type or ORBIT claims, not valid yet,
   * another manifest digest), `token_expired`, `token_revoked`, `token_wrong_audience` or `token_wrong_run`.
   */
  async verify(token: string, expected: TokenExpectations): Promise<VerifiedToken> {
    let verified = this.cache.get(token);
    if (!verified) {
      verified = await this.verifySignature(token);
      this.remember(token, verified);
    }
    const reason = this.check(token, expected);
    if (reason) throw new TokenError(reason, describe(reason, verified, expected));
    return verified;
  }

  /**
   * The per-call check of a token verified before: a cache lookup, expiry and not-before with skew,
   * revocation of the token, any ancestor or its run, audience, run and manifest digest. Returns the
   * reason code of the first failure, or `undefined` when the token holds. Allocates nothing.
   */
  check(token: string, expected: TokenExpectations): ReasonCode | undefined {
    const verified = this.cache.get(token);
    if (verified === undefined) return 'token_invalid';
    return this.checkVerified(verified, expected);
  }

  /**
   * The cheap checks on a token already verified (e.g. the one a sub-agent's run is bound to): expiry
   * and not-before with skew, revocation, audience, run and manifest digest. No lookup, no allocation.
   */
  checkVerified(verified: VerifiedToken, expected: TokenExpectations): ReasonCode | undefined {
    const now = this.now() / 1000;
    if (now > verified.exp + this.skew) return 'token_expired';
    if (now < verified.nbf - this.skew) return 'token_invalid';
    if (this.isRevoked(verified)) return 'token_revoked';
    if (verified.aud !== expected.audience) return 'token_wrong_audience';
    if (verified.run_id !== expected.runId) return 'token_wrong_run';
    if (verified.manifest_digest !== expected.manifestDigest) return 'token_invalid';
    return undefined;
  }

  /** True when the token, any of its ancestors or its run was revoked. */
  isRevoked(verified: Pick<VerifiedToken, 'jti' | 'chain' | 'run_id'>): boolean {
    if (this.revokedRuns.size > 0 && this.revokedRuns.has(verified.run_id)) return true;
    if (this.revokedTokens.size === 0) return false;
    if (this.revokedTokens.has(verified.jti)) return true;
    for (const ancestor of verified.chain) if (this.revokedTokens.has(ancestor)) return true;
    return false;
  }

  /** Revokes a token and, through the chain check, every token minted under it (its subtree). */
  revokeToken(jti: string): void {
    this.revokedTokens.add(jti);
  }

  /** Revokes every token of a run (the kill switch). */
  revokeRun(runId: string): void {
    this.revokedRuns.add(runId);
  }

  private async verifySignature(token: string): Promise<VerifiedToken> {
    if (typeof token !== 'string' || token.length > this.maxBytes) {
      throw new TokenError('token_invalid', `The token is not a string of at most ${this.maxBytes} bytes.`);
    }
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch (cause) {
      throw new TokenError('token_invalid', 'The token is not a compact JWT.', { cause });
    }
    if (typeof kid !== 'string' || kid === '')
      throw new TokenError('token_invalid', 'The token names no kid.');
    try {
      const { payload, protectedHeader } = await jwtVerify(token, this.jwks, {
        algorithms: ['EdDSA'],
        issuer: this.issuer,
        typ: TRUST_TOKEN_TYPE,
        clockTolerance: this.skew,
        currentDate: new Date(this.now()),
        requiredClaims: ['jti', 'sub', 'aud', 'iat', 'nbf', 'exp'],
      });
      // Parsed JSON keeps the last of duplicate members: a token that has any is refused outright.
      const [header, body] = token.split('.') as [string, string];
      for (const part of [header, body]) {
        const duplicate = duplicateMember(Buffer.from(part, 'base64url').toString('utf8'));
        if (duplicate !== undefined)
          throw new TokenError(
            'token_invalid',
            `The token has the member "${duplicate}" twice in one object.`,
          );
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

  private remember(token: string, verified: VerifiedToken): void {
    if (this.cache.size >= this.cacheSize) {
      // Expired tokens go first; if none has expired, the oldest entry (it re-verifies when presented again).
      const now = this.now() / 1000 - this.skew;
      for (const [key, entry] of this.cache) if (entry.exp < now) this.cache.delete(key);
      if (this.cache.size >= this.cacheSize) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
    }
    this.cache.set(token, verified);
  }
}

function describe(reason: ReasonCode, token: VerifiedToken, expected: TokenExpectations): string {
  switch (reason) {
    case 'token_wrong_audience':
      return `The token was minted for "${token.aud}", not for "${expected.audience}".`;
    case 'token_wrong_run':
      return `The token belongs to run "${token.run_id}", not to run "${expected.runId}".`;
    case 'token_revoked':
      return `The token ${token.jti} (or an ancestor, or its run) was revoked.`;
    case 'token_expired':
      return `The token expired at ${new Date(token.exp * 1000).toISOString()}.`;
    default:
      return token.manifest_digest === expected.manifestDigest
        ? 'The token is not valid yet.'
        : `The token was minted under manifest ${token.manifest_digest}, not the running ${expected.manifestDigest}.`;
  }
}
