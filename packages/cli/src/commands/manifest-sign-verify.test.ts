import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifest } from '@orbit-agents/core/manifest';
import { describe, expect, it } from 'vitest';
import { exampleManifest, keyPair, tempDir } from '../../test/fixtures.js';
import { runOrbit } from '../../test/run-orbit.js';

function signed() {
  const dir = tempDir();
  const manifest = exampleManifest(dir);
  const keys = keyPair(dir, 'deploy-1');
  const sign = runOrbit([
    'manifest',
    'sign',
    manifest,
    '--key',
    keys.privateKey,
    '--kid',
    'deploy-1',
    '--json',
  ]);
  expect(sign.code).toBe(0);
  return { dir, manifest, keys, out: JSON.parse(sign.stdout) };
}

describe('orbit manifest sign', () => {
  it('writes <manifest>.jws that the core loadManifest accepts, and prints the digest', async () => {
    const { manifest, keys, out } = signed();
    expect(out).toMatchObject({
      file: manifest,
      signature_file: `${manifest}.jws`,
      agent_id: 'invoice-reconciliation-v2',
      manifest_version: 2,
      kid: 'deploy-1',
    });
    expect(out.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const { createPublicKey } = await import('node:crypto');
    const jwk = createPublicKey(readFileSync(keys.publicKey, 'utf8')).export({ format: 'jwk' });
    const loaded = await loadManifest({
      manifest: readFileSync(manifest, 'utf8'),
      signature: readFileSync(`${manifest}.jws`, 'utf8').trim(),
      trustedKeys: { keys: [{ ...jwk, kid: 'deploy-1', alg: 'EdDSA' }] },
    });
    expect(loaded.digest).toBe(out.digest);
    expect(loaded.kid).toBe('deploy-1');
  });

  it('prints the text summary, and only the JWS with --out -', () => {
    const dir = tempDir();
    const manifest = exampleManifest(dir);
    const keys = keyPair(dir, 'k');
    const text = runOrbit([
      'manifest',
      'sign',
      manifest,
      '--key',
      keys.privateKey,
      '--out',
      join(dir, 'm.jws'),
    ]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^signed {5}.*agent-manifest\.yaml \(invoice-reconciliation-v2, manifest_version 2\)\ndigest {5}sha256:[0-9a-f]{64}\nkid {8}\S+\nsignature {2}.*m\.jws\n$/,
    );
    const stdout = runOrbit(['manifest', 'sign', manifest, '--key', keys.privateKey, '--out', '-']);
    expect(stdout.code).toBe(0);
    expect(stdout.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });

  it('refuses a broken manifest with exit 3, naming every problem with its path; nothing is written', () => {
    const dir = tempDir();
    const keys = keyPair(dir, 'k');
    const broken = join(dir, 'broken.yaml');
    writeFileSync(
      broken,
      readFileSync(exampleManifest(dir), 'utf8')
        .replace('max_calls_per_run: 50', 'max_calls_per_run: -1')
        .replace('owner_team:', 'colour: red\nowner_team:'),
    );
    const run = runOrbit(['manifest', 'sign', broken, '--key', keys.privateKey]);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`orbit: ${broken} is not a valid manifest: 2 problem(s):`);
    expect(run.stderr).toContain('  - allowed_tools[0].max_calls_per_run: expected a number >= 0');
    expect(run.stderr).toContain('  - colour: unknown field "colour"');
    expect(() => readFileSync(`${broken}.jws`)).toThrow();
    const json = runOrbit(['manifest', 'sign', broken, '--key', keys.privateKey, '--json']);
    expect(JSON.parse(json.stdout).error.code).toBe('ERR_MANIFEST_INVALID');
  });

  it('refuses a key of the wrong type with exit 3', () => {
    const dir = tempDir();
    const manifest = exampleManifest(dir);
    const keys = keyPair(dir, 'k');
    const publicAsPrivate = runOrbit(['manifest', 'sign', manifest, '--key', keys.publicKey]);
    expect(publicAsPrivate.code).toBe(3);
    expect(publicAsPrivate.stderr).toBe(
      `orbit: ${keys.publicKey} is not an Ed25519 private key (found a public key). Make one with "orbit keygen".\n`,
    );
    const rsa = join(dir, 'rsa.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(rsa, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
    const wrong = runOrbit(['manifest', 'sign', manifest, '--key', rsa]);
    expect(wrong.code).toBe(3);
    expect(wrong.stderr).toBe(
      `orbit: ${rsa} is not an Ed25519 private key (found a private rsa key). Make one with "orbit keygen".\n`,
    );
    const missing = runOrbit(['manifest', 'sign', manifest, '--key', join(dir, 'nope.pem')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('the file does not exist');
    expect(runOrbit(['manifest', 'sign', manifest]).code).toBe(2);
  });

  it('refuses an --out that is the manifest or the private key (exit 2), and leaves both as they were', () => {
    const dir = tempDir();
    const manifest = exampleManifest(dir, 'my manifest é.yaml');
    const keys = keyPair(dir, 'k');
    const before = { manifest: readFileSync(manifest, 'utf8'), key: readFileSync(keys.privateKey, 'utf8') };
    const overManifest = runOrbit([
      'manifest',
      'sign',
      manifest,
      '--key',
      keys.privateKey,
      '--out',
      manifest,
    ]);
    expect(overManifest.code).toBe(2);
    expect(overManifest.stderr).toBe(
      `orbit: --out ${manifest} is the manifest: the signature is written to its own file (choose another --out).\n`,
    );
    const overKey = runOrbit(
      [
        'manifest',
        'sign',
        'my manifest é.yaml',
        '--key',
        'k.private.pem',
        '--out',
        './k.private.pem',
        '--json',
      ],
      { cwd: dir },
    );
    expect(overKey.code).toBe(2);
    expect(JSON.parse(overKey.stdout).error.code).toBe('ERR_USAGE');
    expect(readFileSync(manifest, 'utf8')).toBe(before.manifest);
    expect(readFileSync(keys.privateKey, 'utf8')).toBe(before.key);
    // A path with spaces and non-ASCII letters is fine as a manifest and as the default <manifest>.jws.
    const ok = runOrbit(['manifest', 'sign', manifest, '--key', keys.privateKey]);
    expect(ok.code).toBe(0);
    expect(readFileSync(`${manifest}.jws`, 'utf8')).toMatch(/^ey/);
  });
});

describe('orbit manifest verify', () => {
  it('verifies a signed manifest: exit 0, digest, kid and manifest_version', () => {
    const { manifest, keys, out } = signed();
    const run = runOrbit(['manifest', 'verify', manifest, '--key', keys.publicKey]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `verified  ${manifest} (invoice-reconciliation-v2, manifest_version 2)\ndigest    ${out.digest}\nkid       deploy-1\n`,
    );
    const json = JSON.parse(
      runOrbit(['manifest', 'verify', manifest, '--key', keys.publicKey, '--json']).stdout,
    );
    expect(json).toMatchObject({ ok: true, digest: out.digest, kid: 'deploy-1', manifest_version: 2 });
  });

  it('exits 1 when the manifest changed after signing (a digest mismatch)', () => {
    const { manifest, keys, out } = signed();
    writeFileSync(
      manifest,
      readFileSync(manifest, 'utf8').replace('max_calls_per_run: 50', 'max_calls_per_run: 51'),
    );
    const run = runOrbit(['manifest', 'verify', manifest, '--key', keys.publicKey]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('was changed after signing');
    expect(run.stderr).toContain(`signed ${out.digest}`);
    const json = runOrbit(['manifest', 'verify', manifest, '--key', keys.publicKey, '--json']);
    expect(JSON.parse(json.stdout).error.code).toBe('ERR_MANIFEST_SIGNATURE_MISMATCH');
  });

  it('exits 1 for another key, another kid or a forged signature', () => {
    const { dir, manifest } = signed();
    const other = keyPair(dir, 'other');
    const wrongKey = runOrbit(['manifest', 'verify', manifest, '--key', other.publicKey, '--json']);
    expect(wrongKey.code).toBe(1);
    expect(JSON.parse(wrongKey.stdout).error.code).toBe('ERR_MANIFEST_SIGNATURE_INVALID');
    const wrongKid = runOrbit([
      'manifest',
      'verify',
      manifest,
      '--key',
      other.publicKey,
      '--kid',
      'other',
      '--json',
    ]);
    expect(wrongKid.code).toBe(1);
    expect(JSON.parse(wrongKid.stdout).error.code).toBe('ERR_MANIFEST_UNKNOWN_KID');
    writeFileSync(`${manifest}.jws`, 'not.a.jws\n');
    const forged = runOrbit(['manifest', 'verify', manifest, '--key', other.publicKey]);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toMatch(/^orbit: .*: The manifest signature does not verify/);
  });

  it('exits 3 for an unreadable manifest, a missing signature file or a private key given as --key', () => {
    const { dir, manifest, keys } = signed();
    const missing = runOrbit(['manifest', 'verify', join(dir, 'none.yaml'), '--key', keys.publicKey]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe(
      `orbit: cannot read the manifest ${join(dir, 'none.yaml')}: the file does not exist.\n`,
    );
    const noSignature = runOrbit([
      'manifest',
      'verify',
      manifest,
      '--key',
      keys.publicKey,
      '--signature',
      join(dir, 'x.jws'),
    ]);
    expect(noSignature.code).toBe(3);
    expect(noSignature.stderr).toContain('cannot read the signature');
    const privateKey = runOrbit(['manifest', 'verify', manifest, '--key', keys.privateKey]);
    expect(privateKey.code).toBe(3);
    expect(privateKey.stderr).toContain(
      'is not an Ed25519 public key (found a private key; pass its public half)',
    );
  });
});
