import { readFileSync } from 'node:fs';
import { CompactSign, type CryptoKey, exportJWK, generateKeyPair, type JSONWebKeySet, type JWK } from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { canonicalJson, sha256 } from '../canonical-json.js';
import { ManifestError, type OrbitErrorCode } from '../errors.js';
import {
  type LoadManifestOptions,
  loadManifest,
  MANIFEST_JWS_TYPE,
  verifyManifest,
} from './load-manifest.js';
import { signManifest } from './sign-manifest.js';

const articleYaml = readFileSync(
  new URL('../../../../fixtures/manifests/article.yaml', import.meta.url),
  'utf8',
);

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** The public JWK as it appears in the trusted JWKS. */
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('Ed25519');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' } };
}

const jwksOf = (...keys: SigningKey[]): JSONWebKeySet => ({ keys: keys.map((key) => key.jwk) });

/** Awaits `promise` and returns the ManifestError it rejects with; fails the test otherwise. */
async function refusal(promise: Promise<unknown>): Promise<ManifestError> {
  const error = await promise.then(
    () => new Error('expected the manifest to be refused, but it loaded'),
    (reason: unknown) => reason,
  );
  if (error instanceof ManifestError) return error;
  throw error;
}

async function expectRefused(options: LoadManifestOptions, code: OrbitErrorCode): Promise<ManifestError> {
  const error = await refusal(loadManifest(options));
  expect(error.code).toBe(code);
  return error;
}

/** Replaces one part (0 header, 1 payload, 2 signature) of a compact JWS. */
function withPart(jws: string, index: 0 | 1 | 2, part: string): string {
  const parts = jws.split('.');
  parts[index] = part;
  return parts.join('.');
}

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

let current: SigningKey;
let previous: SigningKey;
let impostor: SigningKey;
let signature: string;

beforeAll(async () => {
  current = await signingKey('deploy-2026-11');
  previous = await signingKey('deploy-2026-05');
  // Another key pair that claims the trusted kid.
  impostor = await signingKey('deploy-2026-11');
  signature = await signManifest({ manifest: articleYaml, privateKey: current.privateKey, kid: current.kid });
});

describe('signManifest', () => {
  it('makes a compact EdDSA JWS with the kid and the manifest typ over the canonical JSON', () => {
    const [header, payload, sig] = signature.split('.');

    expect(JSON.parse(Buffer.from(header!, 'base64url').toString('utf8'))).toEqual({
      alg: 'EdDSA',
      kid: 'deploy-2026-11',
      typ: MANIFEST_JWS_TYPE,
    });
    expect(Buffer.from(payload!, 'base64url').toString('utf8')).toBe(canonicalJson(parseYaml(articleYaml)));
    expect(Buffer.from(sig!, 'base64url')).toHaveLength(64);
  });

  it('refuses to sign an invalid manifest', async () => {
    const invalid = articleYaml.replace('max_calls_per_run: 50', 'max_calls_per_run: "fifty"');
    expect(invalid).not.toBe(articleYaml);

    const error = await refusal(
      signManifest({ manifest: invalid, privateKey: current.privateKey, kid: current.kid }),
    );

    expect(error.code).toBe('ERR_MANIFEST_INVALID');
    expect(error.issues.map((issue) => issue.path)).toEqual(['allowed_tools[0].max_calls_per_run']);
  });

  it('refuses to sign without a kid, or with a key that is not an Ed25519 private key, naming the option', async () => {
    const rsa = await generateKeyPair('RS256');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ privateKey: current.privateKey }, /kid must be a non-empty string/],
      [{ privateKey: current.privateKey, kid: '' }, /kid must be a non-empty string/],
      [{ privateKey: rsa.privateKey, kid: 'k' }, /privateKey must be an Ed25519 private key/],
      [{ privateKey: 'not a key', kid: 'k' }, /privateKey must be an Ed25519 private key/],
    ];
    for (const [options, message] of cases) {
      await expect(signManifest({ manifest: articleYaml, ...options } as never)).rejects.toMatchObject({
        code: 'ERR_OPTIONS_INVALID',
        message: expect.stringMatching(message),
      });
    }
  });
});

describe('loadManifest with a signature', () => {
  it('loads a validly signed manifest, with its kid and the digest of its canonical JSON', async () => {
    const loaded = await loadManifest({ manifest: articleYaml, signature, trustedKeys: jwksOf(current) });

    expect(loaded.signed).toBe(true);
    expect(loaded.kid).toBe('deploy-2026-11');
    expect(loaded.digest).toBe(sha256(canonicalJson(parseYaml(articleYaml))));
    expect(loaded.digest.startsWith('sha256:')).toBe(true);
    expect(loaded.manifest.agent_id).toBe('invoice-reconciliation-v2');
  });

  it('verifies the same manifest re-serialised with another key order and YAML formatting', async () => {
    const document = parseYaml(articleYaml) as Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(document).reverse());
    const reformatted = `# re-serialised, keys reversed\n${stringifyYaml(reordered, { indent: 4, defaultStringType: 'QUOTE_SINGLE' })}`;
    expect(reformatted).not.toBe(articleYaml);
    expect(Object.keys(parseYaml(reformatted))[0]).toBe('interruption_policy');

    const fromYaml = await loadManifest({ manifest: reformatted, signature, trustedKeys: jwksOf(current) });
    const fromJson = await loadManifest({
      manifest: JSON.stringify(reordered, null, 2),
      signature,
      trustedKeys: jwksOf(current),
    });

    const original = await loadManifest({ manifest: articleYaml, signature, trustedKeys: jwksOf(current) });
    expect(fromYaml.signed).toBe(true);
    expect(fromYaml.digest).toBe(original.digest);
    expect(fromJson.digest).toBe(original.digest);
  });

  it('refuses a manifest changed after signing (one value)', async () => {
    const tampered = articleYaml.replace('max_calls_per_run: 100', 'max_calls_per_run: 101');
    expect(tampered).not.toBe(articleYaml);

    const error = await expectRefused(
      { manifest: tampered, signature, trustedKeys: jwksOf(current) },
      'ERR_MANIFEST_SIGNATURE_MISMATCH',
    );
    expect(error.message).toContain('invoice-reconciliation-v2');
  });

  it('refuses a manifest changed after signing even when unsigned manifests are allowed', async () => {
    const tampered = articleYaml.replace('confidence_floor: 0.72', 'confidence_floor: 0.1');
    expect(tampered).not.toBe(articleYaml);
    const warn = vi.fn();

    await expectRefused(
      { manifest: tampered, signature, trustedKeys: jwksOf(current), allowUnsigned: true, logger: { warn } },
      'ERR_MANIFEST_SIGNATURE_MISMATCH',
    );
    expect(warn).not.toHaveBeenCalled();
  });

  it('refuses a JWS whose payload was changed', async () => {
    const document = parseYaml(articleYaml);
    document.interruption_policy.confidence_floor = 0.1;
    const forged = withPart(signature, 1, base64url(canonicalJson(document)));

    await expectRefused(
      { manifest: canonicalJson(document), signature: forged, trustedKeys: jwksOf(current) },
      'ERR_MANIFEST_SIGNATURE_INVALID',
    );
  });

  it('refuses a JWS whose signature bytes were changed', async () => {
    const bytes = Buffer.from(signature.split('.')[2]!, 'base64url');
    bytes[0] = bytes[0]! ^ 0x01;
    const forged = withPart(signature, 2, bytes.toString('base64url'));

    await expectRefused(
      { manifest: articleYaml, signature: forged, trustedKeys: jwksOf(current) },
      'ERR_MANIFEST_SIGNATURE_INVALID',
    );
  });

  it('refuses a manifest signed by another key that claims a trusted kid', async () => {
    const forged = await signManifest({
      manifest: articleYaml,
      privateKey: impostor.privateKey,
      kid: current.kid,
    });

    await expectRefused(
      { manifest: articleYaml, signature: forged, trustedKeys: jwksOf(current) },
      'ERR_MANIFEST_SIGNATURE_INVALID',
    );
  });

  it('refuses a manifest signed by an unknown kid', async () => {
    const stranger = await signingKey('someone-else');
    const signed = await signManifest({
      manifest: articleYaml,
      privateKey: stranger.privateKey,
      kid: stranger.kid,
    });

    await expectRefused(
      { manifest: articleYaml, signature: signed, trustedKeys: jwksOf(current, previous) },
      'ERR_MANIFEST_UNKNOWN_KID',
    );
  });

  // KNOWN BUG (src/manifest/load-manifest.ts, verifyManifestSignature): jose picks the only trusted key
  // when the header has no kid, so the manifest loads with kid "". Remove `.fails` once it is refused.
  it('refuses a manifest whose JWS names no kid', async () => {
    const withoutKid = await new CompactSign(new TextEncoder().encode(canonicalJson(parseYaml(articleYaml))))
      .setProtectedHeader({ alg: 'EdDSA', typ: MANIFEST_JWS_TYPE })
      .sign(current.privateKey);

    await expectRefused(
      { manifest: articleYaml, signature: withoutKid, trustedKeys: jwksOf(current) },
      'ERR_MANIFEST_UNKNOWN_KID',
    );
  });

  it('refuses a signature when no trusted keys are given', async () => {
    await expectRefused({ manifest: articleYaml, signature }, 'ERR_MANIFEST_SIGNATURE_INVALID');
  });

  it('refuses a JWS signed with HS256 and a shared secret', async () => {
    const secret = new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes!');
    const hs256 = await new CompactSign(new TextEncoder().encode(canonicalJson(parseYaml(articleYaml))))
      .setProtectedHeader({ alg: 'HS256', kid: current.kid, typ: MANIFEST_JWS_TYPE })
      .sign(secret);

    const error = await expectRefused(
      { manifest: articleYaml, signature: hs256, trustedKeys: jwksOf(current) },
      'ERR_MANIFEST_SIGNATURE_INVALID',
    );
    expect(error.message).toContain('Only EdDSA (Ed25519)');
  });

  it('refuses a JWS signed with ES256, even by a key in the trusted JWKS', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const es256Key: JWK = { ...(await exportJWK(publicKey)), kid: 'ecdsa-key', alg: 'ES256' };
    const es256 = await new CompactSign(new TextEncoder().encode(canonicalJson(parseYaml(articleYaml))))
      .setProtectedHeader({ alg: 'ES256', kid: 'ecdsa-key', typ: MANIFEST_JWS_TYPE })
      .sign(privateKey);

    await expectRefused(
      { manifest: articleYaml, signature: es256, trustedKeys: { keys: [current.jwk, es256Key] } },
      'ERR_MANIFEST_SIGNATURE_INVALID',
    );
  });

  it('refuses an EdDSA JWS by a trusted key that is not a signed ORBIT manifest (wrong typ)', async () => {
    const otherJws = await new CompactSign(new TextEncoder().encode(canonicalJson(parseYaml(articleYaml))))
      .setProtectedHeader({ alg: 'EdDSA', kid: current.kid, typ: 'JWT' })
      .sign(current.privateKey);

    const error = await expectRefused(
      { manifest: articleYaml, signature: otherJws, trustedKeys: jwksOf(current) },
      'ERR_MANIFEST_SIGNATURE_INVALID',
    );
    expect(error.message).toContain(MANIFEST_JWS_TYPE);
  });

  it('verifies manifests signed by either key during a key rotation', async () => {
    const byPrevious = await signManifest({
      manifest: articleYaml,
      privateKey: previous.privateKey,
      kid: previous.kid,
    });
    const rotation = jwksOf(previous, current);

    const old = await loadManifest({ manifest: articleYaml, signature: byPrevious, trustedKeys: rotation });
    const fresh = await loadManifest({ manifest: articleYaml, signature, trustedKeys: rotation });

    expect([old.signed, old.kid]).toEqual([true, 'deploy-2026-05']);
    expect([fresh.signed, fresh.kid]).toEqual([true, 'deploy-2026-11']);
    expect(old.digest).toBe(fresh.digest);
  });
});

describe('loadManifest without a signature', () => {
  it('refuses an unsigned manifest unless allowUnsigned is set', async () => {
    const warn = vi.fn();

    const error = await expectRefused({ manifest: articleYaml, logger: { warn } }, 'ERR_MANIFEST_UNSIGNED');

    expect(error.message).toContain('invoice-reconciliation-v2');
    expect(warn).not.toHaveBeenCalled();
  });

  it('loads an unsigned manifest with allowUnsigned, warning loudly once', async () => {
    const warn = vi.fn();

    const loaded = await loadManifest({ manifest: articleYaml, allowUnsigned: true, logger: { warn } });

    expect(loaded.signed).toBe(false);
    expect(loaded.kid).toBeUndefined();
    expect(loaded.digest).toBe(sha256(canonicalJson(parseYaml(articleYaml))));
    expect(warn).toHaveBeenCalledOnce();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('UNSIGNED'));
    expect(warn.mock.calls[0]?.[0]).toContain(loaded.digest);
  });
});

describe('verifyManifest', () => {
  it('returns the manifest a valid JWS carries', async () => {
    const loaded = await verifyManifest(signature, jwksOf(current));

    expect(loaded.signed).toBe(true);
    expect(loaded.kid).toBe('deploy-2026-11');
    expect(loaded.manifest).toEqual(
      (await loadManifest({ manifest: articleYaml, signature, trustedKeys: jwksOf(current) })).manifest,
    );
    expect(loaded.digest).toBe(sha256(canonicalJson(parseYaml(articleYaml))));
  });

  it('refuses a JWS by an unknown kid', async () => {
    const error = await refusal(verifyManifest(signature, jwksOf(previous)));

    expect(error.code).toBe('ERR_MANIFEST_UNKNOWN_KID');
  });

  it('refuses a JWS whose signature bytes were changed', async () => {
    const bytes = Buffer.from(signature.split('.')[2]!, 'base64url');
    bytes[63] = bytes[63]! ^ 0x80;

    const error = await refusal(
      verifyManifest(withPart(signature, 2, bytes.toString('base64url')), jwksOf(current)),
    );

    expect(error.code).toBe('ERR_MANIFEST_SIGNATURE_INVALID');
  });
});
