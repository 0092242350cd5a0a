import { Buffer } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { orbitOf, orchestratorManifest } from '../../test/support.js';
import type { ManifestInput } from '../manifest/manifest-schema.js';
import { SqliteStore } from '../stores/sqlite-store.js';
import { TokenError } from './token-error.js';
import type { TokenScope } from './token-scope.js';
import { TRUST_TOKEN_TYPE, TrustAuthority } from './trust-authority.js';

const T0 = Date.UTC(2026, 10, 25, 12);
const T0S = T0 / 1000;
const scope: TokenScope = {
  profile: 'leaf',
  tools: { web_search: { max_calls: 2, threshold: 0.85 } },
  delegate: { allowed: false, max_depth: 2, max_sub_agents: 0 },
};
const expected = { audience: 'leaf', runId: 'run-1', manifestDigest: 'sha256:m' };
const expOf = (token: string): number =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).exp;

/** A two-level manifest: a `lead` that may delegate to a `leaf`, each with its own lifetime. */
function nested(lead: number | undefined, leaf: number | undefined): ManifestInput {
  const manifest = orchestratorManifest();
  manifest.delegation = {
    max_depth: 2,
    max_sub_agents_per_run: 5,
    profiles: [
      {
        name: 'lead',
        tools: [{ name: 'web_search', max_calls_per_run: 5 }],
        may_delegate: true,
        max_sub_agents_per_run: 3,
        ...(lead === undefined ? {} : { ttl_seconds: lead }),
      },
      {
        name: 'leaf',
        tools: [{ name: 'web_search', max_calls_per_run: 2 }],
        may_delegate: false,
        ...(leaf === undefined ? {} : { ttl_seconds: leaf }),
      },
    ],
  };
  return manifest;
}

async function authorityPair(store?: SqliteStore) {
  const { privateKey, publicKey } = await generateKeyPair('Ed25519', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };
  const make = () =>
    new TrustAuthority({
      signingKey: privateKey,
      kid: 'k1',
      trustedKeys: { keys: [jwk] },
      now: () => T0,
      ...(store ? { store, revocationStalenessMs: 0 } : {}),
    });
  /** Signs a token with the real key, claims chosen by the test (a forger who holds the key). */
  const forge = (claims: {
    parent_jti: string | null;
    chain: string[];
    depth: number;
    iat: number;
    exp: number;
  }) =>
    new SignJWT({
      orbit: {
        run_id: 'run-1',
        parent_jti: claims.parent_jti,
        chain: claims.chain,
        depth: claims.depth,
        manifest_digest: 'sha256:m',
        scope,
      },
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: TRUST_TOKEN_TYPE })
      .setIssuer('orbit')
      .setSubject('leaf')
      .setAudience('leaf')
      .setJti(randomUUID())
      .setIssuedAt(claims.iat)
      .setNotBefore(claims.iat)
      .setExpirationTime(claims.exp)
      .sign(privateKey);
  return { make, forge };
}

const mintParent = (authority: TrustAuthority, ttlSeconds: number) =>
  authority.mint({
    agentId: 'lead',
    runId: 'run-1',
    parent: null,
    manifestDigest: 'sha256:m',
    scope: { ...scope, profile: 'lead' },
    ttlSeconds,
  });

async function refusal(promise: Promise<unknown>): Promise<TokenError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TokenError);
  return error as TokenError;
}

describe('delegate clamps every requested lifetime', () => {
  it("clamps a root delegation's ttl_seconds to the profile's, and honours a shorter one", async () => {
    const { orbit, sink } = await orbitOf(nested(300, undefined), { now: () => T0 });
    const run = orbit.startRun();
    const longer = await run.delegate({ profile: 'lead', ttl_seconds: 86_400 });
    expect(longer.decision.decision).toBe('proceed');
    expect(expOf(longer.token!)).toBe(T0S + 300);
    const shorter = await run.delegate({ profile: 'lead', ttl_seconds: 60 });
    expect(expOf(shorter.token!)).toBe(T0S + 60);
    const minted = sink.events.filter((event) => event.event === 'token' && event.token === 'minted');
    expect(minted.map((event) => event.expires_at)).toEqual([
      new Date((T0S + 300) * 1000).toISOString(),
      new Date((T0S + 60) * 1000).toISOString(),
    ]);
  });

  it("clamps to the authority's default lifetime (15 minutes) when the profile sets none", async () => {
    const { orbit } = await orbitOf(nested(undefined, undefined), { now: () => T0 });
    const { token } = await orbit.startRun().delegate({ profile: 'lead', ttl_seconds: 5_000 });
    expect(expOf(token!)).toBe(T0S + 900);
  });

  it("clamps a sub-agent's delegation to its parent's remaining lifetime: a child never outlives its parent", async () => {
    let now = T0;
    const { orbit } = await orbitOf(nested(600, 3_600), { now: () => now });
    const { run: lead, token: leadToken } = await orbit.startRun().delegate({ profile: 'lead' });
    expect(expOf(leadToken!)).toBe(T0S + 600);
    now += 100_000;
    const byProfile = await lead!.delegate({ profile: 'leaf' });
    expect(byProfile.decision.decision).toBe('proceed');
    expect(expOf(byProfile.token!)).toBe(T0S + 600);
    const asked = await lead!.delegate({ profile: 'leaf', ttl_seconds: 3_000 });
    expect(expOf(asked.token!)).toBe(T0S + 600);
    const shorter = await lead!.delegate({ profile: 'leaf', ttl_seconds: 60 });
    expect(expOf(shorter.token!)).toBe(T0S + 100 + 60);
  });
});

describe('verify checks a child against its parent', () => {
  it("refuses a child signed with the real key whose expiry exceeds its parent's (token_invalid, exp)", async () => {
    const { make, forge } = await authorityPair();
    const authority = make();
    const parent = await mintParent(authority, 60);
    const forged = await forge({
      parent_jti: parent.verified.jti,
      chain: [parent.verified.jti],
      depth: 2,
      iat: T0S,
      exp: parent.verified.exp + 3_600,
    });
    const error = await refusal(authority.verify(forged, expected));
    expect(error.reason).toBe('token_invalid');
    expect(error.field).toBe('exp');
    expect(error.message).toMatch(/after its parent/);
  });

  it('refuses a child signed with the real key whose parent was never minted (token_invalid, orbit.parent_jti)', async () => {
    const { make, forge } = await authorityPair();
    const authority = make();
    const stranger = randomUUID();
    const forged = await forge({
      parent_jti: stranger,
      chain: [stranger],
      depth: 2,
      iat: T0S,
      exp: T0S + 60,
    });
    const error = await refusal(authority.verify(forged, expected));
    expect(error.reason).toBe('token_invalid');
    expect(error.field).toBe('orbit.parent_jti');
    expect(error.message).toContain(stranger);
  });

  it("refuses a child issued before its parent, or whose chain is not its parent's", async () => {
    const { make, forge } = await authorityPair();
    const authority = make();
    const parent = await mintParent(authority, 60);
    const early = await forge({
      parent_jti: parent.verified.jti,
      chain: [parent.verified.jti],
      depth: 2,
      iat: T0S - 10,
      exp: T0S + 30,
    });
    expect((await refusal(authority.verify(early, expected))).field).toBe('iat');
    const rechained = await forge({
      parent_jti: parent.verified.jti,
      chain: [randomUUID(), parent.verified.jti],
      depth: 3,
      iat: T0S,
      exp: T0S + 30,
    });
    expect((await refusal(authority.verify(rechained, expected))).field).toBe('orbit.chain');
  });

  it('accepts a real child in another process through the store, and refuses it where the parent cannot be known', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-lifetime-')), 'state.db');
    const minter = new SqliteStore({ path });
    const verifierStore = new SqliteStore({ path }); // another connection: another process's view
    const { make } = await authorityPair(minter);
    const authority = make();
    const parent = await mintParent(authority, 60);
    const child = await authority.mint({
      agentId: 'leaf',
      runId: 'run-1',
      parent: parent.verified,
      manifestDigest: 'sha256:m',
      scope,
      ttlSeconds: 30,
    });
    // Same keys, a fresh cache, the shared store: the parent's record is read from the store.
    const verifier = new TrustAuthority({
      signingKey: {} as never,
      kid: 'unused',
      trustedKeys: authority.trustedKeys,
      now: () => T0,
      store: verifierStore,
      revocationStalenessMs: 0,
    });
    await expect(verifier.verify(child.token, expected)).resolves.toMatchObject({
      parent_jti: parent.verified.jti,
    });
    const alone = new TrustAuthority({
      signingKey: {} as never,
      kid: 'unused',
      trustedKeys: authority.trustedKeys,
      now: () => T0,
    });
    expect((await refusal(alone.verify(child.token, expected))).field).toBe('orbit.parent_jti');
    await minter.close();
    await verifierStore.close();
  });
});

describe('a verified token is read-only', () => {
  it('cannot be changed by the caller that holds it: the cached check keeps the minted expiry and scope', async () => {
    const { make } = await authorityPair();
    const authority = make();
    const { token, verified } = await mintParent(authority, 60);
    expect(() => {
      (verified as { exp: number }).exp = T0S + 86_400;
    }).toThrow(TypeError);
    expect(() => {
      (verified.scope.tools as Record<string, unknown>).send_payment = { max_calls: 100, threshold: 0 };
    }).toThrow(TypeError);
    const again = await authority.verify(token, { ...expected, audience: 'lead' });
    expect(again.exp).toBe(T0S + 60);
    expect(Object.keys(again.scope.tools)).toEqual(['web_search']);
  });
});
