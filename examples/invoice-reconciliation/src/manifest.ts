import { existsSync, readFileSync } from 'node:fs';
import { type LoadedManifest, loadManifest, signManifest } from '@orbit-agents/core';
import { decodeProtectedHeader, exportJWK, generateKeyPair, importSPKI } from 'jose';

/** The manifest that ships with the example. */
export const MANIFEST_URL = new URL('../agent-manifest.yaml', import.meta.url);

/** Where `orbit manifest sign` writes the manifest's signature: next to it. */
export const SIGNATURE_URL = new URL('../agent-manifest.yaml.jws', import.meta.url);

/**
 * Deploy step and start-up. By default the manifest is signed here with a fresh Ed25519 key and verified
 * against it (offline, nothing to set up). With `ORBIT_MANIFEST_KEY` (the path of a public key in PEM, as
 * `orbit keygen` writes it), the example verifies the signature `orbit manifest sign` wrote next to the
 * manifest (`agent-manifest.yaml.jws`) against that key instead, as a deployment would: a changed manifest or
 * another key refuses to start. Every version of the example (core-only, LangGraph, AI SDK, OpenAI Agents)
 * starts this way.
 *
 * @throws ManifestError (`ERR_MANIFEST_SIGNATURE_INVALID`, ...) when the signature does not verify; Error when
 * `ORBIT_MANIFEST_KEY` is set but the key or the signature file is missing.
 */
export async function loadSignedManifest(env = process.env): Promise<LoadedManifest> {
  const manifestText = readFileSync(MANIFEST_URL, 'utf8');
  const { signature, publicKey, kid } = env.ORBIT_MANIFEST_KEY
    ? await signedByOrbit(env.ORBIT_MANIFEST_KEY)
    : await signedHere(manifestText);
  const trustedKeys = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }] };
  return loadManifest({ manifest: manifestText, signature, trustedKeys });
}

/** The signature `orbit manifest sign` wrote next to the manifest, and the public key at `keyPath`. */
async function signedByOrbit(keyPath: string) {
  if (!existsSync(SIGNATURE_URL)) {
    throw new Error(
      `ORBIT_MANIFEST_KEY is set but ${SIGNATURE_URL.pathname} does not exist: sign the manifest first (orbit manifest sign).`,
    );
  }
  const signature = readFileSync(SIGNATURE_URL, 'utf8').trim();
  const publicKey = await importSPKI(readFileSync(keyPath, 'utf8'), 'EdDSA');
  return { signature, publicKey, kid: decodeProtectedHeader(signature).kid };
}

/** The deploy step done here: the manifest signed with a fresh Ed25519 key. */
async function signedHere(manifestText: string) {
  const { privateKey, publicKey } = await generateKeyPair('Ed25519');
  const kid = 'deploy-key-1';
  return { signature: await signManifest({ manifest: manifestText, privateKey, kid }), publicKey, kid };
}
