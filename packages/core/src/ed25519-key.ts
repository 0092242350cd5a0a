import { KeyObject } from 'node:crypto';
import type { CryptoKey } from 'jose';
import { OptionsInvalidError } from './errors.js';

/**
 * The sink's signing key as a `KeyObject`, checked to be an Ed25519 private key. The sink signs
 * synchronously (also in the process's `exit` hook), which WebCrypto cannot: a `CryptoKey` is
 * converted, and so must be extractable (Node deprecates converting a non-extractable one).
 *
 * @throws OptionsInvalidError naming `option` when the key is not an Ed25519 private key, or is a
 * non-extractable `CryptoKey`.
 */
export function ed25519PrivateKey(key: unknown, option: string): KeyObject {
  if (isCryptoKey(key)) {
    if (!isEd25519(key, 'private')) throw notEd25519(option, 'private', describe(key));
    if (!key.extractable) {
      throw new OptionsInvalidError(
        `${option} is a non-extractable CryptoKey: anchors are signed synchronously (also at process exit), which needs a KeyObject (createPrivateKey(pem) from node:crypto) or an extractable key (generateKeyPair('Ed25519', { extractable: true }) from jose).`,
      );
    }
    return KeyObject.from(key);
  }
  if (!isEd25519(key, 'private')) throw notEd25519(option, 'private', describe(key));
  return key as KeyObject;
}

/**
 * An Ed25519 private key as given (a `KeyObject` or any `CryptoKey`), for signing with `jose`.
 *
 * @throws OptionsInvalidError naming `option` when it is not an Ed25519 private key.
 */
export function checkEd25519PrivateKey(key: unknown, option: string): void {
  if (!isEd25519(key, 'private')) throw notEd25519(option, 'private', describe(key));
}

/**
 * The verifier's key, checked to be an Ed25519 public key (a `KeyObject` or a `CryptoKey`).
 *
 * @throws OptionsInvalidError naming `option` when it is not.
 */
export function ed25519PublicKey(key: unknown, option: string): KeyObject | CryptoKey {
  if (!isEd25519(key, 'public')) throw notEd25519(option, 'public', describe(key));
  return key as KeyObject | CryptoKey;
}

function isCryptoKey(key: unknown): key is CryptoKey {
  return key instanceof globalThis.CryptoKey;
}

function isEd25519(key: unknown, type: 'private' | 'public'): boolean {
  if (isCryptoKey(key)) return key.type === type && key.algorithm.name === 'Ed25519';
  return key instanceof KeyObject && key.type === type && key.asymmetricKeyType === 'ed25519';
}

function describe(key: unknown): string {
  if (isCryptoKey(key)) return `a ${key.type} ${key.algorithm.name} CryptoKey`;
  if (key instanceof KeyObject)
    return key.type === 'secret' ? 'a secret key' : `a ${key.type} ${key.asymmetricKeyType} key`;
  return key === null ? 'null' : typeof key;
}

function notEd25519(option: string, type: 'private' | 'public', found: string): OptionsInvalidError {
  return new OptionsInvalidError(
    `${option} must be an Ed25519 ${type} key (a KeyObject, or a CryptoKey from jose's generateKeyPair('Ed25519')), got ${found}.`,
  );
}
