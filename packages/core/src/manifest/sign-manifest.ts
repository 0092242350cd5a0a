import { CompactSign, type CryptoKey, type KeyObject } from 'jose';
import { canonicalJson } from '../canonical-json.js';
import { checkEd25519PrivateKey } from '../ed25519-key.js';
import { OptionsInvalidError } from '../errors.js';
import { MANIFEST_JWS_TYPE, parseManifest } from './load-manifest.js';

export interface SignManifestOptions {
  /** The manifest: YAML or JSON text, or a parsed object. It is validated before signing. */
  manifest: string | object;
  /** An Ed25519 private key. */
  privateKey: CryptoKey | KeyObject;
  /** The key id, written to the JWS header; verification picks the trusted key by it. */
  kid: string;
}

/**
 * Signs a manifest at deploy time: a compact JWS (EdDSA/Ed25519, `kid` header) over the manifest's
 * canonical JSON. Invalid manifests are refused before signing.
 *
 * @throws ManifestInvalidError when the manifest is not valid YAML or breaks the schema (nothing is
 * signed; `issues` names every field).
 * @throws OptionsInvalidError when `kid` is not a non-empty string (a signature verification could not
 * pick a trusted key by), or `privateKey` is not an Ed25519 private key (nothing is signed).
 *
 * @example
 * const { privateKey, publicKey } = await generateKeyPair('Ed25519');
 * const jws = await signManifest({ manifest: yamlText, privateKey, kid: 'deploy-2026-11' });
 */
export async function signManifest(options: SignManifestOptions): Promise<string> {
  if (typeof options.kid !== 'string' || options.kid.length === 0)
    throw new OptionsInvalidError(
      `signManifest: kid must be a non-empty string (the trusted key's id), got ${JSON.stringify(options.kid) ?? 'undefined'}.`,
    );
  checkEd25519PrivateKey(options.privateKey, 'signManifest: privateKey');
  const { document } = parseManifest(options.manifest);
  return new CompactSign(new TextEncoder().encode(canonicalJson(document)))
    .setProtectedHeader({ alg: 'EdDSA', kid: options.kid, typ: MANIFEST_JWS_TYPE })
    .sign(options.privateKey);
}
