import { CompactSign, type CryptoKey, type KeyObject } from 'jose';
import { canonicalJson } from '../canonical-json.js';
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
 * @throws JOSENotSupported (from `jose`, not an ORBIT error) when `privateKey` is not an Ed25519 key
 * (e.g. RSA), and a plain TypeError when it is not a key at all.
 *
 * @example
 * const { privateKey, publicKey } = await generateKeyPair('Ed25519');
 * const jws = await signManifest({ manifest: yamlText, privateKey, kid: 'deploy-2026-11' });
 */
export async function signManifest(options: SignManifestOptions): Promise<string> {
  const { document } = parseManifest(options.manifest);
  return new CompactSign(new TextEncoder().encode(canonicalJson(document)))
    .setProtectedHeader({ alg: 'EdDSA', kid: options.kid, typ: MANIFEST_JWS_TYPE })
    .sign(options.privateKey);
}
