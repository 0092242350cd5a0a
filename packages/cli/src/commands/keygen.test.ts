import { createPrivateKey, createPublicKey } from 'node:crypto';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/fixtures.js';
import { runOrbit } from '../../test/run-orbit.js';

describe('orbit keygen', () => {
  it('writes an Ed25519 key pair (private key mode 0600) and prints the kid and paths', () => {
    const dir = join(tempDir(), 'keys');
    const run = runOrbit(['keygen', '--out', dir, '--kid', 'deploy-1']);
    expect(run.code).toBe(0);
    const privatePath = join(dir, 'deploy-1.private.pem');
    const publicPath = join(dir, 'deploy-1.public.pem');
    expect(run.stdout).toBe(
      `kid          deploy-1\nprivate key  ${privatePath} (mode 0600: keep it secret)\npublic key   ${publicPath}\n`,
    );
    expect(statSync(privatePath).mode & 0o777).toBe(0o600);
    const privateKey = createPrivateKey(readFileSync(privatePath, 'utf8'));
    expect(privateKey.asymmetricKeyType).toBe('ed25519');
    const publicKey = createPublicKey(readFileSync(publicPath, 'utf8'));
    expect(publicKey.export({ format: 'jwk' })).toEqual(
      createPublicKey(privateKey).export({ format: 'jwk' }),
    );
  });

  it('defaults the kid to the JWK thumbprint and prints JSON with --json', () => {
    const dir = tempDir();
    const run = runOrbit(['keygen', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(out.private_key).toBe(join(dir, `${out.kid}.private.pem`));
    expect(out.public_key).toBe(join(dir, `${out.kid}.public.pem`));
  });

  it('refuses to overwrite existing key files (exit 3) unless --force', () => {
    const dir = tempDir();
    expect(runOrbit(['keygen', '--out', dir, '--kid', 'k']).code).toBe(0);
    const before = readFileSync(join(dir, 'k.private.pem'), 'utf8');
    const again = runOrbit(['keygen', '--out', dir, '--kid', 'k']);
    expect(again.code).toBe(3);
    expect(again.stderr).toBe(
      `orbit: ${join(dir, 'k.private.pem')} and ${join(dir, 'k.public.pem')} already exist: not overwritten. Choose another --kid or --out, or pass --force.\n`,
    );
    expect(readFileSync(join(dir, 'k.private.pem'), 'utf8')).toBe(before);
    // An old key file left world-readable: the new key never takes its mode (a new file, renamed over it).
    chmodSync(join(dir, 'k.private.pem'), 0o644);
    const forced = runOrbit(['keygen', '--out', dir, '--kid', 'k', '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, 'k.private.pem'), 'utf8')).not.toBe(before);
    expect(statSync(join(dir, 'k.private.pem')).mode & 0o777).toBe(0o600);
  });

  it('refuses a kid that cannot name a file (exit 2)', () => {
    const run = runOrbit(['keygen', '--out', tempDir(), '--kid', '../evil', '--json']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.code).toBe('ERR_USAGE');
  });
});
