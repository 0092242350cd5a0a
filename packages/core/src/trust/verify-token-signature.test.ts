import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { TokenError } from './token-error.js';
import type { TokenScope } from './token-scope.js';
import { TrustAuthority } from './trust-authority.js';
import { verifyTokenSignature } from './verify-token-signature.js';

const T0 = Date.UTC(2026, 11, 7, 12);
const scope: TokenScope = {
  profile: 'leaf',
  tools: { web_search: { max_calls: 2, threshold: 0.85 } },
  delegate: { allowed: false, max_depth: 1, max_sub_agents: 0 },
};

async function minted() {
  const { privateKey, publicKey } = await generateKeyPair('Ed25519');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA', use: 'sig' };
  const authority = new TrustAuthority({
    signingKey: privateKey,
    kid: 'k1',
    trustedKeys: { keys: [jwk] },
    now: () => T0,
  });
  const { token } = await authority.mint({
    agentId: 'leaf',
    runId: 'run-1',
    parent: null,
    manifestDigest: 'sha256:m',
    scope,
    ttlSeconds: 60,
  });
  return { token, jwk };
}

describe('verifyTokenSignature', () => {
  it('verifies a minted token without an authority and returns its claims', async () => {
    const { token, jwk } = await minted();
    const verified = await verifyTokenSignature(token, { trustedKeys: { keys: [jwk] }, now: () => T0 });
    expect(verified).toMatchObject({ aud: 'leaf', run_id: 'run-1', depth: 1, parent_jti: null, scope });
  });

  it('refuses an expired token, another key and another issuer', async () => {
    const { token, jwk } = await minted();
    const other = await minted();
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: TokenError) => error,
      );
    const expired = await refusal(
      verifyTokenSignature(token, { trustedKeys: { keys: [jwk] }, now: () => T0 + 120_000 }),
    );
    expect(expired).toBeInstanceOf(TokenError);
    expect((expired as TokenError).reason).toBe('token_expired');
    const wrongKey = await refusal(
      verifyTokenSignature(token, { trustedKeys: { keys: [other.jwk] }, now: () => T0 }),
    );
    expect((wrongKey as TokenError).reason).toBe('token_invalid');
    const issuer = await refusal(
      verifyTokenSignature(token, { trustedKeys: { keys: [jwk] }, issuer: 'elsewhere', now: () => T0 }),
    );
    expect((issuer as TokenError).reason).toBe('token_invalid');
  });
});
