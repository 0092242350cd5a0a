import { readFileSync } from 'node:fs';
import { type LoadedManifest, loadManifest, signManifest, TrustAuthority } from '@orbit-agents/core';
import { exportJWK, generateKeyPair } from 'jose';

export const MANIFEST_URL = new URL('../agent-manifest.yaml', import.meta.url);

/**
 * Deploy: sign the manifest. Start-up: verify it, and set up the trust authority for sub-agent
 * tokens. Every version of the example (core-only, LangGraph, AI SDK, OpenAI Agents) starts this way.
 */
export async function deploy(): Promise<{ manifest: LoadedManifest; trust: TrustAuthority }> {
  const manifestText = readFileSync(MANIFEST_URL, 'utf8');
  const deployKeys = await generateKeyPair('Ed25519');
  const manifestKey = { ...(await exportJWK(deployKeys.publicKey)), kid: 'deploy-1', alg: 'EdDSA' };
  const signature = await signManifest({
    manifest: manifestText,
    privateKey: deployKeys.privateKey,
    kid: 'deploy-1',
  });
  const manifest = await loadManifest({
    manifest: manifestText,
    signature,
    trustedKeys: { keys: [manifestKey] },
  });
  const tokens = await generateKeyPair('Ed25519');
  const tokenKey = { ...(await exportJWK(tokens.publicKey)), kid: 'tokens-1', alg: 'EdDSA' };
  const trust = new TrustAuthority({
    signingKey: tokens.privateKey,
    kid: 'tokens-1',
    trustedKeys: { keys: [tokenKey] },
  });
  return { manifest, trust };
}
