import { createHash, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { CliError, EXIT } from './cli-error.js';
import { readTextFile } from './read-input.js';

/** A public key as a JWK (what the core's `trustedKeys` JWKS holds). */
export type PublicJwk = JsonWebKey & { kty: string; kid: string; alg: 'EdDSA'; use: 'sig' };

function wrongKey(path: string, expected: 'private' | 'public', found: string): CliError {
  return new CliError(
    'ERR_KEY_INVALID',
    `${path} is not an Ed25519 ${expected} key (found ${found}). Make one with "orbit keygen".`,
    EXIT.INPUT,
  );
}

function describe(key: KeyObject): string {
  return `a ${key.type} ${key.asymmetricKeyType ?? ''} key`.replace(/ +key$/, ' key');
}

/**
 * The Ed25519 private key in the PEM file at `path`.
 *
 * @throws CliError exit 3: the file cannot be read (`ERR_INPUT_UNREADABLE`), is not a PEM private key or is
 * not Ed25519 (`ERR_KEY_INVALID`).
 */
export function readPrivateKey(path: string): KeyObject {
  const pem = readTextFile(path, 'private key');
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    const found = /PUBLIC KEY-----/.test(pem) ? 'a public key' : 'no PEM private key';
    throw wrongKey(path, 'private', found);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw wrongKey(path, 'private', describe(key));
  return key;
}

/**
 * The Ed25519 public key in the PEM file at `path` (a private key's file is refused: verify with the
 * public half).
 *
 * @throws CliError exit 3 as `readPrivateKey`.
 */
export function readPublicKey(path: string): KeyObject {
  const pem = readTextFile(path, 'public key');
  if (/PRIVATE KEY-----/.test(pem)) throw wrongKey(path, 'public', 'a private key; pass its public half');
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw wrongKey(path, 'public', 'no PEM public key');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw wrongKey(path, 'public', describe(key));
  return key;
}

/** The RFC 7638 JWK thumbprint of an Ed25519 public key (base64url SHA-256): the default key id. */
export function thumbprint(publicKey: KeyObject): string {
  const { crv, kty, x } = publicKey.export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ crv, kty, x })).digest('base64url');
}

/** The public key as a JWK with `kid`, for a JWKS. */
export function publicJwk(publicKey: KeyObject, kid: string): PublicJwk {
  const jwk = publicKey.export({ format: 'jwk' });
  return { ...jwk, kty: jwk.kty ?? 'OKP', kid, alg: 'EdDSA', use: 'sig' };
}
