import { readFileSync } from 'node:fs';
import { type LoadedManifest, loadManifest, signManifest } from '@orbit-agents/core';
import { exportJWK, generateKeyPair } from 'jose';

/** The manifest that ships with the example. */
export const MANIFEST_URL = new URL('../agent-manifest.yaml', import.meta.url);

/**
 * Deploy step: the manifest is signed with a fresh Ed25519 key; start-up: it is verified against the
 * trusted public keys (JWKS). Every version of the example (core-only, LangGraph, AI SDK, OpenAI Agents) starts this way.
 */
export async function loadSignedManifest(): Promise<LoadedManifest> {
  const manifestText = readFileSync(MANIFEST_URL, 'utf8');
  const { privateKey, publicKey } = await generateKeyPair('Ed25519');
  const kid = 'deploy-key-1';
  const signature = await signManifest({ manifest: manifestText, privateKey, kid });
  const trustedKeys = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' }] };
  return loadManifest({ manifest: manifestText, signature, trustedKeys });
}
