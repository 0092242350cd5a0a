import { CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import { duplicateMember } from './duplicate-member.js';
import { TRUST_TOKEN_TYPE, TrustAuthority } from './trust-authority.js';

describe('duplicateMember', () => {
  it.each([
    ['{"a":1,"b":2}', undefined],
    ['{"a":1,"a":2}', 'a'],
    ['{"a":{"b":1},"c":{"b":2}}', undefined],
    ['{"a":{"b":1,"b":2}}', 'b'],
    ['{"sc\\u006fpe":1,"scope":2}', 'scope'],
    ['{"a":["a","a",{"x":1}],"b":"a,\\"a\\":"}', undefined],
    ['[{"k":1},{"k":2}]', undefined],
    ['{"x":"}","x":1}', 'x'],
  ])('%s → %s', (text, expected) => {
    expect(duplicateMember(text)).toBe(expected);
  });
});

describe('trust tokens with duplicate members (issue 11, item 7)', () => {
  it('refuses a correctly signed token whose payload repeats a member', async () => {
    const authority = await TrustAuthority.ephemeral();
    const { token } = await authority.mint({
      agentId: 'researcher',
      runId: 'run-1',
      parent: null,
      manifestDigest: 'sha256:m',
      scope: {
        tools: { read: { max_calls: 5, threshold: 0.8 } },
        delegate: { allowed: false, max_depth: 1, max_sub_agents: 0 },
      } as never,
    });
    const expected = { audience: 'researcher', runId: 'run-1', manifestDigest: 'sha256:m' };
    await expect(authority.verify(token, expected)).resolves.toMatchObject({ sub: 'researcher' });
    const [headerPart, payloadPart] = token.split('.') as [string, string];
    const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString());
    const json = Buffer.from(payloadPart, 'base64url').toString();
    // The same claims with `aud` given twice (the same value, so only the duplicate can be what is refused):
    // JSON.parse keeps the later of two members, so a signer could show one value and mean another.
    const doubled = `${json.slice(0, -1)},"aud":"researcher"}`;
    const signingKey = (authority as unknown as { signingKey: import('node:crypto').KeyObject }).signingKey;
    const forged = await new CompactSign(new TextEncoder().encode(doubled))
      .setProtectedHeader({ ...header, typ: TRUST_TOKEN_TYPE })
      .sign(signingKey);
    const fresh = new TrustAuthority({ signingKey, kid: header.kid, trustedKeys: authority.trustedKeys });
    await expect(fresh.verify(forged, expected)).rejects.toMatchObject({
      reason: 'token_invalid',
      message: expect.stringContaining('"aud" twice'),
    });
  });
});
