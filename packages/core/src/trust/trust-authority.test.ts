import { Buffer } from 'node:buffer';
import {
  CompactSign,
  exportJWK,
  generateKeyPair,
  type JWK,
  type KeyObject,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TokenError } from './token-error.js';
import type { TokenScope } from './token-scope.js';
import { TRUST_TOKEN_TYPE, TrustAuthority, type VerifiedToken } from './trust-authority.js';

const T0 = Date.UTC(2026, 10, 25, 12);
const scope: TokenScope = {
  profile: 'researcher',
  tools: { web_search: { max_calls: 5, threshold: 0.85 } },
  max_tokens: 1000,
  delegate: { allowed: false, max_depth: 1, max_sub_agents: 0 },
};
const expected = { audience: 'researcher', runId: 'run-1', manifestDigest: 'sha256:m' };

async function keyPair(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('Ed25519', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  return { privateKey, publicKey, jwk, kid };
}

async function setup(options: { now?: () => number; maxTokenBytes?: number } = {}) {
  const key = await keyPair('k1');
  let now = T0;
  const authority = new TrustAuthority({
    signingKey: key.privateKey,
    kid: key.kid,
    trustedKeys: { keys: [key.jwk] },
    now: options.now ?? (() => now),
    ...(options.maxTokenBytes ? { maxTokenBytes: options.maxTokenBytes } : {}),
  });
  const mint = (overrides: Partial<Parameters<TrustAuthority['mint']>[0]> = {}) =>
    authority.mint({
      agentId: 'researcher',
      runId: 'run-1',
      parent: null,
      manifestDigest: 'sha256:m',
      scope,
      ...overrides,
    });
  return { key, authority, mint, setNow: (ms: number) => (now = ms) };
}

/** A fresh verifier (empty cache) trusting the same keys, so every case exercises signature verification. */
const verifier = (authority: TrustAuthority, now = () => T0, maxTokenBytes?: number) =>
  new TrustAuthority({
    signingKey: {} as KeyObject,
    kid: 'unused',
    trustedKeys: authority.trustedKeys,
    now,
    ...(maxTokenBytes ? { maxTokenBytes } : {}),
  });

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function expectRefused(promise: Promise<unknown>, reason: string) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TokenError);
  expect((error as TokenError).reason).toBe(reason);
  expect((error as TokenError).code).toBe('ERR_TOKEN_REFUSED');
}

afterEach(() => vi.restoreAllMocks());

describe('a valid token', () => {
  it('verifies, carries the scope and the lineage, and never keeps more than its id in audit-facing objects', async () => {
    const { authority, mint } = await setup();
    const { token, verified } = await mint();
    const fresh = verifier(authority);
    const seen: VerifiedToken = await fresh.verify(token, expected);
    expect(seen).toEqual(verified);
    expect(seen).toMatchObject({
      iss: 'orbit',
      sub: 'researcher',
      aud: 'researcher',
      run_id: 'run-1',
      parent_jti: null,
      depth: 1,
      kid: 'k1',
    });
    expect(seen.exp - seen.iat).toBe(900);
    expect(JSON.stringify(seen)).not.toContain(token.split('.')[2]!);
    expect(fresh.check(token, expected)).toBeUndefined();
  });

  it('verifies the signature once and then answers from the cache', async () => {
    const { authority, mint } = await setup();
    const { token } = await mint();
    const fresh = verifier(authority);
    expect(fresh.check(token, expected)).toBe('token_invalid'); // never verified here
    await fresh.verify(token, expected);
    const spy = vi.spyOn(globalThis.crypto.subtle, 'verify');
    await fresh.verify(token, expected);
    expect(spy).not.toHaveBeenCalled();
    expect(fresh.check(token, expected)).toBeUndefined();
  });
});

describe('the security suite: every forged, stale or misdirected token is refused', () => {
  it('refuses alg: none', async () => {
    const { authority, mint } = await setup();
    const claims = claimsOf((await mint()).token);
    const unsecured = new UnsecuredJWT(claims).encode();
    await expectRefused(verifier(authority).verify(unsecured, expected), 'token_invalid');
    const noneWithKid = `${b64({ alg: 'none', kid: 'k1', typ: TRUST_TOKEN_TYPE })}.${b64(claims)}.`;
    await expectRefused(verifier(authority).verify(noneWithKid, expected), 'token_invalid');
  });

  it('refuses an HS256 token signed with the public key as the secret', async () => {
    const { authority, mint, key } = await setup();
    const claims = claimsOf((await mint()).token);
    for (const secret of [
      new TextEncoder().encode(JSON.stringify(key.jwk)),
      Buffer.from(key.jwk.x!, 'base64url'),
    ]) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: TRUST_TOKEN_TYPE })
        .sign(secret);
      await expectRefused(verifier(authority).verify(forged, expected), 'token_invalid');
    }
  });

  it('refuses a token signed by an unknown key, with an unknown kid or with a trusted kid', async () => {
    const { authority, mint } = await setup();
    const claims = claimsOf((await mint()).token);
    const attacker = await keyPair('attacker');
    for (const kid of ['attacker', 'k1', '../../etc/passwd', 'k1\u0000']) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: TRUST_TOKEN_TYPE })
        .sign(attacker.privateKey);
      await expectRefused(verifier(authority).verify(forged, expected), 'token_invalid');
    }
  });

  it('refuses a token whose kid is missing or not a string', async () => {
    const { authority, mint, key } = await setup();
    const claims = claimsOf((await mint()).token);
    const noKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: TRUST_TOKEN_TYPE })
      .sign(key.privateKey);
    await expectRefused(verifier(authority).verify(noKid, expected), 'token_invalid');
    const numeric = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: 'EdDSA', kid: 7 as unknown as string, typ: TRUST_TOKEN_TYPE })
      .sign(key.privateKey);
    await expectRefused(verifier(authority).verify(numeric, expected), 'token_invalid');
  });

  it('refuses a tampered payload carrying the original signature', async () => {
    const { authority, mint } = await setup();
    const { token } = await mint();
    const [header, , signature] = token.split('.');
    const claims = claimsOf(token);
    claims.orbit.scope.tools.send_external_email = { max_calls: 99, threshold: 0 };
    await expectRefused(
      verifier(authority).verify(`${header}.${b64(claims)}.${signature}`, expected),
      'token_invalid',
    );
    const wider = claimsOf(token);
    wider.aud = 'orchestrator';
    await expectRefused(
      verifier(authority).verify(`${header}.${b64(wider)}.${signature}`, expected),
      'token_invalid',
    );
  });

  it('ignores jku, x5u and jwk headers and never fetches anything', async () => {
    const { authority, mint } = await setup();
    const claims = claimsOf((await mint()).token);
    const attacker = await keyPair('k1');
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const forged = await new SignJWT(claims)
      .setProtectedHeader({
        alg: 'EdDSA',
        kid: 'k1',
        typ: TRUST_TOKEN_TYPE,
        jku: 'http://127.0.0.1:9/jwks.json',
        x5u: 'http://127.0.0.1:9/cert.pem',
        jwk: { kty: attacker.jwk.kty!, crv: attacker.jwk.crv!, x: attacker.jwk.x! },
      })
      .sign(attacker.privateKey);
    await expectRefused(verifier(authority).verify(forged, expected), 'token_invalid');
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('refuses a token that is not an ORBIT trust token (other typ, missing claims, bad ORBIT claims)', async () => {
    const { authority, mint, key } = await setup();
    const claims = claimsOf((await mint()).token);
    const otherTyp = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'JWT' })
      .sign(key.privateKey);
    await expectRefused(verifier(authority).verify(otherTyp, expected), 'token_invalid');
    const { jti: _jti, ...noJti } = claims;
    const missing = await new SignJWT(noJti)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: TRUST_TOKEN_TYPE })
      .sign(key.privateKey);
    await expectRefused(verifier(authority).verify(missing, expected), 'token_invalid');
    const badScope = { ...claims, orbit: { ...claims.orbit, scope: { tools: 'all' } } };
    const bad = await new SignJWT(badScope)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: TRUST_TOKEN_TYPE })
      .sign(key.privateKey);
    await expectRefused(verifier(authority).verify(bad, expected), 'token_invalid');
    const otherIssuer = await new SignJWT({ ...claims, iss: 'evil' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: TRUST_TOKEN_TYPE })
      .sign(key.privateKey);
    await expectRefused(verifier(authority).verify(otherIssuer, expected), 'token_invalid');
  });

  it('refuses expired and not-yet-valid tokens, with a small configurable skew', async () => {
    const { authority, mint } = await setup();
    const { token } = await mint({ ttlSeconds: 60 });
    await expect(verifier(authority, () => T0 + 64_000).verify(token, expected)).resolves.toBeDefined(); // within 5 s skew
    await expectRefused(verifier(authority, () => T0 + 66_000).verify(token, expected), 'token_expired');
    await expectRefused(verifier(authority, () => T0 - 60_000).verify(token, expected), 'token_invalid');
    // the cached check expires it too
    const fresh = verifier(authority);
    await fresh.verify(token, expected);
    vi.spyOn(Date, 'now').mockReturnValue(T0 + 120_000);
    const later = new TrustAuthority({
      signingKey: {} as KeyObject,
      kid: 'x',
      trustedKeys: authority.trustedKeys,
    });
    await expectRefused(later.verify(token, expected), 'token_expired');
  });

  it('refuses a token minted for another agent (wrong audience)', async () => {
    const { authority, mint } = await setup();
    const { token } = await mint();
    await expectRefused(
      verifier(authority).verify(token, { ...expected, audience: 'data-entry' }),
      'token_wrong_audience',
    );
  });

  it('refuses a token from another run, and the same token replayed in another run', async () => {
    const { authority, mint } = await setup();
    const { token } = await mint();
    const fresh = verifier(authority);
    await fresh.verify(token, expected);
    await expectRefused(fresh.verify(token, { ...expected, runId: 'run-2' }), 'token_wrong_run');
    expect(fresh.check(token, { ...expected, runId: 'run-2' })).toBe('token_wrong_run');
  });

  it('refuses a token whose manifest digest differs from the running manifest', async () => {
    const { authority, mint } = await setup();
    const { token } = await mint();
    await expectRefused(
      verifier(authority).verify(token, { ...expected, manifestDigest: 'sha256:other' }),
      'token_invalid',
    );
  });

  it('refuses an oversized token before parsing it, and will not mint one', async () => {
    const { authority, mint } = await setup();
    const big: TokenScope = {
      ...scope,
      tools: Object.fromEntries(
        Array.from({ length: 40 }, (_, i) => [`tool_${i}`, { max_calls: 1, threshold: 0.9 }]),
      ),
    };
    const { token } = await mint({ scope: big });
    expect(token.length).toBeGreaterThan(1000);
    await expect(verifier(authority).verify(token, expected)).resolves.toBeDefined();
    await expectRefused(verifier(authority, () => T0, 1000).verify(token, expected), 'token_invalid');
    await expectRefused(verifier(authority).verify('x'.repeat(100_000), expected), 'token_invalid');
    const small = await setup({ maxTokenBytes: 1000 });
    await expectRefused(small.mint({ scope: big }), 'token_invalid');
  });

  it('refuses a revoked token, one whose ancestor was revoked, and every token of a revoked run', async () => {
    const { authority, mint } = await setup();
    const parent = await mint();
    const child = await mint({ parent: parent.verified });
    expect(child.verified.chain).toEqual([parent.verified.jti]);
    authority.revokeToken(parent.verified.jti);
    expect(authority.check(parent.token, expected)).toBe('token_revoked');
    expect(authority.check(child.token, expected)).toBe('token_revoked');
    const other = await mint({ runId: 'run-9' });
    authority.revokeRun('run-9');
    expect(authority.check(other.token, { ...expected, runId: 'run-9' })).toBe('token_revoked');
  });

  it("never mints a child that outlives its parent: its expiry is clamped to the parent's", async () => {
    const { mint, setNow } = await setup();
    const parent = await mint({ ttlSeconds: 60 });
    const longer = await mint({ parent: parent.verified, ttlSeconds: 120 });
    expect(longer.verified.exp).toBe(parent.verified.exp);
    expect(claimsOf(longer.token).exp).toBe(parent.verified.exp);
    const shorter = await mint({ parent: parent.verified, ttlSeconds: 30 });
    expect(shorter.verified.exp).toBe(parent.verified.exp - 30);
    setNow(T0 + 60_000); // the parent's last second: nothing left to give
    await expectRefused(mint({ parent: parent.verified, ttlSeconds: 30 }), 'token_expired');
  });
});

describe('key rotation', () => {
  it('keeps tokens signed with the old key valid while the old key is trusted, and signs new ones with the new key', async () => {
    const { authority, mint, key } = await setup();
    const old = await mint();
    const next = await keyPair('k2');
    authority.rotate({ signingKey: next.privateKey, kid: 'k2', trustedKeys: { keys: [key.jwk, next.jwk] } });
    const fresh = verifier(authority);
    await expect(fresh.verify(old.token, expected)).resolves.toMatchObject({ kid: 'k1' });
    const renewed = await mint();
    await expect(fresh.verify(renewed.token, expected)).resolves.toMatchObject({ kid: 'k2' });
    authority.rotate({ signingKey: next.privateKey, kid: 'k2', trustedKeys: { keys: [next.jwk] } });
    await expectRefused(verifier(authority).verify(old.token, expected), 'token_invalid');
  });

  it('checks everything before it changes anything: a refused rotation leaves the old key signing and verifying', async () => {
    const { authority, mint, key } = await setup();
    const next = await keyPair('k2');
    const rsa = await generateKeyPair('RS256');
    const refused: [string, Parameters<TrustAuthority['rotate']>[0]][] = [
      ['signingKey', { signingKey: rsa.privateKey, kid: 'k2', trustedKeys: { keys: [next.jwk] } }],
      ['signingKey', { signingKey: next.publicKey, kid: 'k2', trustedKeys: { keys: [next.jwk] } }],
      ['kid', { signingKey: next.privateKey, kid: '', trustedKeys: { keys: [next.jwk] } }],
      ['trustedKeys', { signingKey: next.privateKey, kid: 'k2', trustedKeys: { keys: [key.jwk] } }],
      ['trustedKeys', { signingKey: next.privateKey, kid: 'k2', trustedKeys: {} as never }],
      [
        'trustedKeys',
        { signingKey: next.privateKey, kid: 'k2', trustedKeys: { keys: [{ kid: 'k2' } as JWK] } },
      ],
    ];
    for (const [field, options] of refused) {
      expect(() => authority.rotate(options)).toThrow(
        expect.objectContaining({ code: 'ERR_OPTIONS_INVALID' }),
      );
      expect(() => authority.rotate(options)).toThrow(new RegExp(field));
    }
    const token = await mint();
    await expect(verifier(authority).verify(token.token, expected)).resolves.toMatchObject({ kid: 'k1' });
    expect(authority.trustedKeys).toEqual({ keys: [key.jwk] });
  });
});
