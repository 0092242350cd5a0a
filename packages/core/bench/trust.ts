/**
 * Trust-token benchmark: minting, first verification and the cached per-call check, next to raw `jose`
 * signing and `jwtVerify` with the same Ed25519 key and claims, in the same run.
 *
 * Run: `pnpm --filter @orbit-agents/core bench` (runs bench/run.ts, then this file).
 */
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { Bench } from 'tinybench';
import { type TokenScope, TrustAuthority } from '../src/index.js';

const { privateKey, publicKey } = await generateKeyPair('Ed25519');
const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'EdDSA' };
const trustedKeys = { keys: [jwk] };
const scope: TokenScope = {
  profile: 'researcher',
  tools: {
    web_search: { max_calls: 10, threshold: 0.85 },
    read_document: { max_calls: 10, threshold: 0.85 },
    flag_for_human_review: { max_calls: 3, threshold: 0.85 },
  },
  max_tokens: 20_000,
  max_records: 100,
  delegate: { allowed: false, max_depth: 1, max_sub_agents: 0 },
};
const authority = new TrustAuthority({ signingKey: privateKey, kid: 'bench', trustedKeys });
const expected = { audience: 'researcher', runId: 'run-1', manifestDigest: 'sha256:bench' };
const minter = new TrustAuthority({ signingKey: privateKey, kid: 'bench', trustedKeys });
const mintOnce = () =>
  minter.mint({ agentId: 'researcher', runId: 'run-1', parent: null, manifestDigest: 'sha256:bench', scope });
const [a, b] = [await mintOnce(), await mintOnce()];
await authority.verify(a.token, expected);
const claims = JSON.parse(Buffer.from(a.token.split('.')[1]!, 'base64url').toString());
const jwks = createLocalJWKSet(trustedKeys);
// A verifier whose cache holds one token: alternating two tokens makes every verify a first verification.
const uncached = new TrustAuthority({ signingKey: privateKey, kid: 'bench', trustedKeys, cacheSize: 1 });
await authority.verify(a.token, expected);
let flip = false;

const bench = new Bench({ time: 1_500, warmupTime: 300 });
bench
  .add('raw jose: SignJWT.sign (EdDSA)', async () => {
    await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'bench', typ: 'orbit-trust+jwt' })
      .sign(privateKey);
  })
  .add('orbit: mint', async () => {
    await mintOnce();
  })
  .add('raw jose: jwtVerify (EdDSA)', async () => {
    await jwtVerify(a.token, jwks, { algorithms: ['EdDSA'] });
  })
  .add('orbit: first verification', async () => {
    flip = !flip;
    await uncached.verify(flip ? a.token : b.token, expected);
  })
  .add('orbit: cached per-call check', () => {
    const reason = authority.check(a.token, expected);
    if (reason !== undefined) throw new Error(`check failed: ${reason}`);
  });
await bench.run();

for (const task of bench.tasks) if (task.result?.state === 'errored') console.error(task.name, task.result);
const rows = bench.tasks.map((task) => {
  const result = task.result as
    | { latency?: { p50?: number; p99?: number }; throughput?: { mean?: number } }
    | undefined;
  return {
    task: task.name,
    median: Math.round((result?.latency?.p50 ?? Number.NaN) * 1e6),
    p99: Math.round((result?.latency?.p99 ?? Number.NaN) * 1e6),
    ops: Math.round(result?.throughput?.mean ?? Number.NaN),
  };
});
console.log('\nTrust tokens (per op, timer overhead included)\n');
console.log('| task | median ns/op | p99 ns/op | ops/s |');
console.log('| --- | ---: | ---: | ---: |');
for (const row of rows)
  console.log(
    `| ${row.task} | ${row.median.toLocaleString('en')} | ${row.p99.toLocaleString('en')} | ${row.ops.toLocaleString('en')} |`,
  );
const by = (name: string) => rows.find((row) => row.task === name)!.median;
console.log(
  `\nmint / raw sign: ${(by('orbit: mint') / by('raw jose: SignJWT.sign (EdDSA)')).toFixed(2)}× (target ≤ 1.2×)`,
);
console.log(`cached per-call check: ${by('orbit: cached per-call check')} ns (target < 500 ns)`);
