// What the benches' manifests share: the limits no bench call comes near, a signing key made in-process (a
// bench signs its manifest and loads it against the key, as a deployment does), the adapter benches' manifest.
import { generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * The blocked tool and interruption policy of the benches' manifests (and of the adapters' test manifests
 * they mirror): generous enough that no timed call is stopped by a budget.
 */
export const BENCH_LIMITS = {
  explicitly_blocked_tools: ['merge'],
  interruption_policy: {
    confidence_floor: 0.72,
    max_tokens_per_run: 80_000,
    max_records_touched_per_run: 200,
    time_limit_minutes: 30,
  },
};

/** A fresh Ed25519 key: the private half to sign with, the public half as the trusted JWK set `loadManifest` takes. */
export interface BenchSigningKey {
  privateKey: KeyObject;
  kid: string;
  trustedKeys: { keys: (JsonWebKey & { kid: string; alg: 'EdDSA'; use: 'sig' })[] };
}

/**
 * Makes a fresh Ed25519 signing key for one bench run.
 *
 * @example
 * const key = benchSigningKey();
 * const signature = await signManifest({ manifest, privateKey: key.privateKey, kid: key.kid });
 * const loaded = await loadManifest({ manifest, signature, trustedKeys: key.trustedKeys });
 */
export function benchSigningKey(kid = 'bench-key'): BenchSigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return { privateKey, kid, trustedKeys: { keys: [{ ...jwk, kid, alg: 'EdDSA', use: 'sig' }] } };
}

/**
 * The adapter benches' manifest: `read` is read-only (every call proceeds), `send` irreversible (a call below
 * 0.9 pauses), with {@link BENCH_LIMITS}.
 *
 * @example
 * const MANIFEST: ManifestInput = benchManifest('oa-bench', 'Measure ORBIT inside the OpenAI Agents SDK');
 */
export function benchManifest(agentId: string, taskScope: string) {
  return {
    agent_id: agentId,
    manifest_version: 1,
    owner_team: '#team-bench',
    deployed_at: '2026-12-01T09:00:00Z',
    task_scope: taskScope,
    maturity_level: 3 as const,
    allowed_tools: [
      { name: 'read', max_calls_per_run: 50, reversibility: 'read_only' as const },
      {
        name: 'send',
        max_calls_per_run: 50,
        reversibility: 'irreversible' as const,
        confidence_threshold: 0.9,
      },
    ],
    ...BENCH_LIMITS,
  };
}

/** The core's `signManifest` and `loadManifest`, passed in: bench/lib imports no package. */
export interface ManifestSigning<Loaded> {
  signManifest(options: { manifest: object; privateKey: KeyObject; kid: string }): Promise<string>;
  loadManifest(options: {
    manifest: object;
    signature: string;
    trustedKeys: BenchSigningKey['trustedKeys'];
  }): Promise<Loaded>;
}

/**
 * Signs `manifest` with a fresh Ed25519 key and loads it against that key, as a deployment would.
 *
 * @example
 * const loaded = await signedBenchManifest(MANIFEST, { signManifest, loadManifest });
 */
export async function signedBenchManifest<Loaded>(
  manifest: object,
  { signManifest, loadManifest }: ManifestSigning<Loaded>,
): Promise<Loaded> {
  const { privateKey, kid, trustedKeys } = benchSigningKey();
  const signature = await signManifest({ manifest, privateKey, kid });
  return loadManifest({ manifest, signature, trustedKeys });
}
