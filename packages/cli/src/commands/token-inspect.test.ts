import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type TokenScope, TrustAuthority } from '@orbit-agents/core/trust';
import { describe, expect, it } from 'vitest';
import { keyPair, tempDir } from '../../test/fixtures.js';
import { runOrbit } from '../../test/run-orbit.js';

const scope: TokenScope = {
  profile: 'researcher',
  tools: {
    web_search: { max_calls: 10, threshold: 0.85 },
    update_crm_record: {
      max_calls: 3,
      max_calls_per_resource: 1,
      threshold: 0.9,
      resources: ['crm:contact:*'],
    },
  },
  max_tokens: 20000,
  delegate: { allowed: false, max_depth: 1, max_sub_agents: 0 },
};

/** A root token and its child, minted by a real TrustAuthority with a key from `orbit keygen`. */
async function tokens(options: { now?: number } = {}) {
  const dir = tempDir();
  const keys = keyPair(dir, 'trust-1');
  const signingKey = createPrivateKey(readFileSync(keys.privateKey, 'utf8'));
  const jwk = createPublicKey(signingKey).export({ format: 'jwk' });
  const authority = new TrustAuthority({
    signingKey,
    kid: 'trust-1',
    trustedKeys: { keys: [{ ...jwk, kid: 'trust-1', alg: 'EdDSA' }] },
    ...(options.now === undefined ? {} : { now: () => options.now as number }),
  });
  const base = { runId: 'run-1', manifestDigest: 'sha256:abc', scope, ttlSeconds: 600 };
  const root = await authority.mint({ ...base, agentId: 'researcher', parent: null });
  const child = await authority.mint({ ...base, agentId: 'helper', parent: root.verified, ttlSeconds: 60 });
  return { dir, keys, root, child };
}

describe('orbit token inspect', () => {
  it('shows the scope, the parent chain and the expiry, and verifies the signature with --key', async () => {
    const { keys, root, child } = await tokens();
    const run = runOrbit(['token', 'inspect', child.token, '--key', keys.publicKey, '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({
      ok: true,
      problems: [],
      jti: child.verified.jti,
      aud: 'helper',
      run_id: 'run-1',
      manifest_digest: 'sha256:abc',
      depth: 2,
      parent_jti: root.verified.jti,
      chain: [root.verified.jti],
      expired: false,
      expires_at: new Date(child.verified.exp * 1000).toISOString(),
      scope,
      verification: { ok: true },
    });
    const text = runOrbit(['token', 'inspect', child.token, '--key', keys.publicKey]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      `lineage    depth 2, parent ${root.verified.jti}, chain ${root.verified.jti}\n`,
    );
    expect(text.stdout).toContain(
      '  update_crm_record: max_calls 3, per resource 1, threshold 0.9, resources crm:contact:*\n',
    );
    expect(text.stdout).toContain('limits     max_tokens 20000\n');
    expect(text.stdout).toContain('signature  verified\n');
  });

  it('reads the token from standard input with -, and says the signature was not checked without --key', async () => {
    const { root } = await tokens();
    const run = runOrbit(['token', 'inspect', '-'], { input: `${root.token}\n` });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('lineage    depth 1, parent none (a root token)\n');
    expect(run.stdout).toContain('signature  not checked (pass --key <public.pem>)\n');
  });

  it('exits 1 for a signature by another key, another audience, or an expired token', async () => {
    const { dir, root } = await tokens();
    const other = keyPair(dir, 'other');
    const forged = runOrbit(['token', 'inspect', root.token, '--key', other.publicKey, '--json']);
    expect(forged.code).toBe(1);
    expect(JSON.parse(forged.stdout).verification).toMatchObject({ ok: false, reason: 'token_invalid' });
    const audience = runOrbit(['token', 'inspect', root.token, '--audience', 'someone-else']);
    expect(audience.code).toBe(1);
    expect(audience.stdout).toContain('audience   minted for "researcher", not for "someone-else"');
    const old = await tokens({ now: Date.now() - 3_600_000 });
    const expired = runOrbit(['token', 'inspect', old.root.token, '--key', old.keys.publicKey, '--json']);
    expect(expired.code).toBe(1);
    const out = JSON.parse(expired.stdout);
    expect(out.expired).toBe(true);
    expect(out.verification).toMatchObject({ ok: false, reason: 'token_expired' });
  });

  it('exits 3 for something that is not a trust token', () => {
    const notJwt = runOrbit(['token', 'inspect', 'hello']);
    expect(notJwt.code).toBe(3);
    expect(notJwt.stderr).toBe(
      'orbit: not an ORBIT trust token: a compact JWT has 3 parts separated by ".", this has 1.\n',
    );
    const header = Buffer.from('{"alg":"EdDSA"}').toString('base64url');
    const payload = Buffer.from('{"sub":"x"}').toString('base64url');
    const plainJwt = runOrbit(['token', 'inspect', `${header}.${payload}.sig`, '--json']);
    expect(plainJwt.code).toBe(3);
    expect(JSON.parse(plainJwt.stdout).error).toEqual({
      code: 'ERR_NOT_A_TOKEN',
      message: 'not an ORBIT trust token: it carries no "orbit" claims.',
    });
    expect(runOrbit(['token', 'inspect', '-'], { input: '' }).code).toBe(3);
  });
});

/** An unsigned compact JWT with this header and these claims (what a hostile token can say). */
function forge(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part(header)}.${part(claims)}.c2ln`;
}

describe('orbit token inspect, given a hostile token', () => {
  it('shows a token whose exp is out of any date range (exit 0, expires null), not an internal error', () => {
    const token = forge({ alg: 'EdDSA' }, { jti: 'j', iat: -1e300, exp: 1e300, orbit: { scope } });
    const text = runOrbit(['token', 'inspect', token]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('expires    null');
    const json = runOrbit(['token', 'inspect', token, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ issued_at: null, expires_at: null });
  });

  it('never prints the control characters of its claims (terminal escape sequences) as text', () => {
    const esc = '\u001b';
    const token = forge(
      { alg: 'EdDSA', kid: `k${esc}]0;title\u0007` },
      {
        jti: `j${esc}[2J`,
        aud: `a${esc}]8;;http://evil.example\u0007link`,
        exp: Math.floor(Date.now() / 1000) + 600,
        orbit: {
          run_id: `r${esc}[1m`,
          chain: [`c${esc}[5m`],
          parent_jti: `p${esc}c`,
          scope: {
            ...scope,
            profile: `p${esc}[7m`,
            tools: { [`web${esc}[31m`]: { max_calls: 1, threshold: 0.5, resources: ['r\u0007x'] } },
          },
        },
      },
    );
    const run = runOrbit(['token', 'inspect', token, '--audience', 'someone']);
    expect(run.code).toBe(1);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
    expect(run.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(run.stdout).toContain('token      j?[2J (kid k?]0;title?, issuer null)');
    expect(run.stdout).toContain('web?[31m: max_calls 1, threshold 0.5, resources r?x');
    // --json keeps the claims as they are (JSON escapes them).
    const json = runOrbit(['token', 'inspect', token, '--json']);
    expect(JSON.parse(json.stdout).jti).toBe(`j${esc}[2J`);
  });
});
