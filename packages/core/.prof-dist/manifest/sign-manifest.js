import { CompactSign } from 'jose';
import { canonicalJson } from '../canonical-json.js';
import { MANIFEST_JWS_TYPE, parseManifest } from './load-manifest.js';
/**
 * Signs a manifest at deploy time: a compact JWS (EdDSA/Ed25519, `kid` header) over the manifest's
 * canonical JSON. Invalid manifests are refused before signing.
 *
 * @example
 * const { privateKey, publicKey } = await generateKeyPair('Ed25519');
 * const jws = await signManifest({ manifest: yamlText, privateKey, kid: 'deploy-2026-11' });
 */
export async function signManifest(options) {
    const { document } = parseManifest(options.manifest);
    return new CompactSign(new TextEncoder().encode(canonicalJson(document)))
        .setProtectedHeader({ alg: 'EdDSA', kid: options.kid, typ: MANIFEST_JWS_TYPE })
        .sign(options.privateKey);
}
