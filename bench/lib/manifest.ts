// What the benches' manifests share: the limits no bench call comes near, and a signing key made in-process
// (a bench signs its manifest and loads it against the key, as a deployment does).
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
