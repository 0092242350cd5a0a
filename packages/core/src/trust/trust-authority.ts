import { randomUUID } from 'node:crypto';
import {
  type CryptoKey,
  createLocalJWKSet,
  type JSONWebKeySet,
  type JWK,
  type KeyObject,
  SignJWT,
} from 'jose';
import { deepFreeze } from '../deep-freeze.js';
import type { ReasonCode } from '../gate/reason-codes.js';
import type { MintedToken } from '../stores/run-store.js';
import { checkRotation } from './check-rotation.js';
import { checkStaleness, RevocationCache, type TrustStore } from './revocation-cache.js';
import { TokenError } from './token-error.js';
import { checkLineage, MintedTokens } from './token-lineage.js';
import type { TokenScope } from './token-scope.js';
import { TRUST_TOKEN_TYPE, verifySignature } from './verify-signature.js';

export { TRUST_TOKEN_TYPE } from './verify-signature.js';

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
  /**
   * A store shared with other processes (`createOrbit` gives its own): revocations made there are seen by
   * `verify` and the per-call check within `revocationStalenessMs`, and every minted token is recorded
   * there, so a verifier in any process can check a child token's parent.
   */
  store?: TrustStore;
  /** How stale the view of the store's revocations may be, in ms (0: every check asks the store). Default 1000. */
  revocationStalenessMs?: number;
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

/** Reads an authority's view of its store's revocations (for `createOrbit`; not exported by the package). */
export let revocationsOf: (authority: TrustAuthority) => RevocationCache | undefined;
/** Gives an authority without a store the Orbit's (for `createOrbit`; not exported by the package). */
export let attachStore: (authority: TrustAuthority, cache: RevocationCache) => void;

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
  /** The tokens this authority minted (lineage and window), by `<run id> <jti>`: the parents `verify` accepts. */
  private readonly minted: MintedTokens;
  private revocations: RevocationCache | undefined;

  static {
    revocationsOf = (authority) => authority.revocations;
    attachStore = (authority, cache) => {
      authority.revocations = cache;
    };
  }

  /**
   * An authority over the given keys. Only `trustedKeys` is checked here: a `signingKey` that is not
   * Ed25519 or a TTL that is not a number fails at `mint`.
   *
   * @throws OptionsInvalidError when `revocationStalenessMs` is not a finite number >= 0.
   * @throws JWKSInvalid (from `jose`, not an ORBIT error) when `trustedKeys` is not a JWKS (no `keys` array).
   */
  constructor(options: TrustAuthorityOptions) {
    const staleness = checkStaleness(options.revocationStalenessMs, 'revocationStalenessMs');
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
    this.minted = new MintedTokens(this.cacheSize, () => this.now() / 1000 - this.skew);
    if (options.store)
      this.revocations = new RevocationCache(options.store, { stalenessMs: staleness, now: this.now });
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
   * Everything is checked first: a rotation that throws changes nothing.
   *
   * @throws OptionsInvalidError naming the option: `signingKey` not an Ed25519 private key, `kid` not a
   * non-empty string or not among `trustedKeys` (the new tokens could not be verified), `trustedKeys` not
   * a JWKS.
   */
  rotate(options: { signingKey: CryptoKey | KeyObject; kid: string; trustedKeys: JSONWebKeySet }): void {
    const jwks = checkRotation(options);
    this.signingKey = options.signingKey;
    this.kid = options.kid;
    this.keys = options.trustedKeys;
    this.jwks = jwks;
  }

  /** The lifetime of a token whose profile sets none, in seconds. */
  get defaultTtlSeconds(): number {
    return this.ttl;
  }

  /** The trusted public keys. */
  get trustedKeys(): JSONWebKeySet {
    return this.keys;
  }

  /**
   * Signs a token for a sub-agent. The caller (the run) has already attenuated the scope. The lifetime
   * is clamped to the parent's: a child never outlives its parent. The token is recorded (here, and in
   * the store when there is one) as a parent `verify` accepts.
   *
   * @throws TokenError `token_expired` when the parent has expired (no lifetime is left to give).
   * @throws TokenError `token_invalid` when the signed token is longer than `maxTokenBytes`.
   * @throws StoreUnavailableError (or the store's error) when the store cannot record the token.
   * @throws TypeError (from `jose`) when the TTL (`ttlSeconds` or `defaultTtlSeconds`) is not a finite
   * number, or `signingKey` is not a key; JOSENotSupported when it is not an Ed25519 key.
   */
  async mint(claims: MintClaims): Promise<{ token: string; verified: VerifiedToken }> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const ttl = claims.ttlSeconds ?? this.ttl;
    const exp = claims.parent ? Math.min(nowSeconds + ttl, claims.parent.exp) : nowSeconds + ttl;
    if (claims.parent && exp <= nowSeconds) {
      throw new TokenError(
        'token_expired',
        `The parent token expired at ${new Date(exp * 1000).toISOString()}: no lifetime is left to give a child.`,
        { field: 'exp' },
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
    const record: MintedToken = {
      jti,
      parentJti: orbit.parent_jti,
      chain: [...orbit.chain], // its own copy: `verified` is handed to the caller
      depth: orbit.depth,
      iat: nowSeconds,
      exp,
    };
    await this.revocations?.store.recordToken(claims.runId, record);
    this.minted.remember(claims.runId, record);
    this.remember(token, verified);
    return { token, verified };
  }

  /**
   * Verifies a token once and caches it: its signature (EdDSA only, a trusted `kid`, this issuer, the
   * ORBIT claims) and its lineage (a child's parent was minted by this authority, here or, with a store,
   * in any process, and the child's window lies within the parent's). Then, with a store, reads the
   * store's new revocations if the view is older than `revocationStalenessMs`, and applies `check`.
   *
   * @throws TokenError with `reason` `token_invalid` (not a string, longer than `maxTokenBytes`, not a
   * compact JWT, no or an untrusted `kid`, a bad signature, issuer, type or ORBIT claims, a lineage or a
   * window that does not match its parent's, or a parent never minted (`field` names the failed claim),
   * not valid yet, another manifest digest), `token_expired`, `token_revoked`, `token_wrong_audience` or
   * `token_wrong_run`.
   * @throws StoreUnavailableError (or the store's error) when the store cannot be read: nothing is accepted.
   */
  async verify(token: string, expected: TokenExpectations): Promise<VerifiedToken> {
    let verified = this.cache.get(token);
    if (!verified) {
      verified = await this.verifySignature(token);
      await checkLineage(verified, this.minted, this.revocations?.store);
      this.remember(token, verified);
    }
    const pending = this.revocations?.refresh();
    if (pending) await pending;
    const reason = this.checkVerified(verified, expected);
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

  /**
   * True when the token, any of its ancestors or its run was revoked: here, or in the store as of the last
   * read of its revocations (`verify` and a run's calls on a store read them when the view is stale).
   */
  isRevoked(verified: Pick<VerifiedToken, 'jti' | 'chain' | 'run_id'>): boolean {
    if (this.revocations?.isRevoked(verified.run_id, verified.jti, verified.chain)) return true;
    if (this.revokedRuns.size > 0 && this.revokedRuns.has(verified.run_id)) return true;
    if (this.revokedTokens.size === 0) return false;
    if (this.revokedTokens.has(verified.jti)) return true;
    for (const ancestor of verified.chain) if (this.revokedTokens.has(ancestor)) return true;
    return false;
  }

  /** True when the run (tree) was revoked: here, or in the store as of the last read of its revocations. */
  isRunRevoked(runId: string): boolean {
    return this.revokedRuns.has(runId) || this.revocations?.isTreeRevoked(runId) === true;
  }

  /** Revokes a token and, through the chain check, every token minted under it (its subtree). */
  revokeToken(jti: string): void {
    this.revokedTokens.add(jti);
  }

  /** Revokes every token of a run (the kill switch). */
  revokeRun(runId: string): void {
    this.revokedRuns.add(runId);
  }

  private verifySignature(token: string): Promise<VerifiedToken> {
    return verifySignature(token, {
      jwks: this.jwks,
      issuer: this.issuer,
      skew: this.skew,
      maxBytes: this.maxBytes,
      now: this.now,
    });
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
    // Frozen: the cached object is what every later check reads, and it is handed to callers.
    this.cache.set(token, deepFreeze(verified));
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
