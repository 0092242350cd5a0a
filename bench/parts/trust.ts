// Part `trust` (issue 16, item 2): minting a trust token, its first verification and the cached per-call
// check, next to raw `jose` signing and verifying with the same Ed25519 key and claims, and a `Map` lookup.
import { loadavg } from 'node:os';
import { type TokenScope, TrustAuthority } from '@orbit-agents/core/trust';
import { compactVerify, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { medianP99, type TimedOp, timeRounds } from '../lib/op-rounds.js';
import { figure, loadNote, times } from '../lib/part-main.js';
import {
  type BenchMode,
  type BenchPart,
  type Comparison,
  compare,
  type Measurement,
  type TargetStatus,
} from '../lib/results.js';

/** The earlier targets, from packages/core/BENCHMARKS.md ("Trust tokens"). */
const SOURCE = '@orbit-agents/core BENCHMARKS.md (trust tokens)';
const MINT_OVER_SIGN = 1.2;
const CHECK_NS = 500;
/** The authority's default cache size (`cacheSize`): past it, a mint scans its caches for expired tokens. */
const DEFAULT_CACHE = 10_000;

const SETTINGS = {
  full: { warmupRounds: 2, rounds: 11, sequentialOps: 300, batch: 2_000, liveTokens: DEFAULT_CACHE },
  smoke: { warmupRounds: 1, rounds: 2, sequentialOps: 3, batch: 10, liveTokens: 20 },
} as const;

const SCOPE: TokenScope = {
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
const KID = 'bench';
const EXPECTED = { audience: 'researcher', runId: 'run-1', manifestDigest: 'sha256:bench' };
const CLAIMS = {
  agentId: 'researcher',
  runId: 'run-1',
  parent: null,
  manifestDigest: 'sha256:bench',
  scope: SCOPE,
};

const NAMES = {
  sign: 'raw jose: SignJWT.sign (EdDSA)',
  mint: 'orbit: mint',
  mintBusy: (live: number) => `orbit: mint, ${live.toLocaleString('en-US')} live tokens minted before`,
  jwtVerify: 'raw jose: jwtVerify (EdDSA, local JWKS)',
  compactVerify: 'raw jose: compactVerify (signature only)',
  firstVerify: 'orbit: first verification',
  check: 'orbit: cached per-call check',
  checkVerified: 'orbit: checkVerified (bound run, no lookup)',
  map: 'floor: Map lookup of the token',
} as const;

/** Throws unless the per-call check accepts: a bench of a failing check would time the failure. */
function accept(reason: string | undefined): void {
  if (reason !== undefined) throw new Error(`trust bench: the check failed with ${reason}`);
}

/**
 * Part `trust`: the token operations and their `jose` anchors, interleaved in rounds (warm-up, then
 * `rounds` rounds in a new random order each), per-operation median and p99 in ns.
 *
 * @example
 * const result = await trustPart('smoke');
 */
export const trustPart: BenchPart = async (mode: BenchMode) => {
  const settings = SETTINGS[mode];
  const load = loadavg()[0]!;
  const { privateKey, publicKey } = await generateKeyPair('Ed25519');
  const trustedKeys = { keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: 'EdDSA' }] };
  const authority = () => new TrustAuthority({ signingKey: privateKey, kid: KID, trustedKeys });

  // Minting: a fresh authority each round (made outside the timing), so it stays below its cache size...
  let minter = authority();
  // ...and one past it, as a busy authority is: every mint then scans both of its caches.
  const busy =
    mode === 'full'
      ? authority()
      : new TrustAuthority({ signingKey: privateKey, kid: KID, trustedKeys, cacheSize: settings.liveTokens });
  for (let i = 0; i < settings.liveTokens; i++) await busy.mint(CLAIMS);

  const checker = authority();
  const [a, b] = [await checker.mint(CLAIMS), await checker.mint(CLAIMS)];
  // A verifier whose cache holds one token while two alternate: every verify is a first verification.
  const uncached = new TrustAuthority({ signingKey: privateKey, kid: KID, trustedKeys, cacheSize: 1 });
  let flip = false;
  const payload = JSON.parse(Buffer.from(a.token.split('.')[1]!, 'base64url').toString('utf8'));
  const jwks = createLocalJWKSet(trustedKeys);
  const floor = new Map([
    [a.token, a.verified],
    [b.token, b.verified],
  ]);
  accept(checker.check(a.token, EXPECTED));
  accept(checker.checkVerified(a.verified, EXPECTED));

  const ops: TimedOp[] = [
    {
      name: NAMES.sign,
      op: () =>
        new SignJWT(payload)
          .setProtectedHeader({ alg: 'EdDSA', kid: KID, typ: 'orbit-trust+jwt' })
          .sign(privateKey),
    },
    { name: NAMES.mint, op: () => minter.mint(CLAIMS) },
    { name: NAMES.mintBusy(settings.liveTokens), op: () => busy.mint(CLAIMS) },
    { name: NAMES.jwtVerify, op: () => jwtVerify(a.token, jwks, { algorithms: ['EdDSA'] }) },
    { name: NAMES.compactVerify, op: () => compactVerify(a.token, publicKey, { algorithms: ['EdDSA'] }) },
    {
      name: NAMES.firstVerify,
      op: () => {
        flip = !flip;
        return uncached.verify(flip ? a.token : b.token, EXPECTED);
      },
    },
    { name: NAMES.check, sync: true, op: () => checker.check(a.token, EXPECTED) },
    { name: NAMES.checkVerified, sync: true, op: () => checker.checkVerified(a.verified, EXPECTED) },
    { name: NAMES.map, sync: true, op: () => floor.get(a.token) },
  ];
  const samples = await timeRounds(ops, {
    ...settings,
    beforeRound: () => {
      minter = authority();
    },
  });
  accept(checker.check(a.token, EXPECTED));

  const measurements: Measurement[] = samples.map(({ name, sequential }) => ({
    name,
    unit: 'ns',
    ...medianP99(sequential),
    samples: sequential.length,
  }));
  const by = (name: string) => measurements.find((m) => m.name === name)!;
  const comparisons: Comparison[] = [
    compare(by(NAMES.mint), by(NAMES.sign)),
    compare(by(NAMES.mintBusy(settings.liveTokens)), by(NAMES.sign)),
    compare(by(NAMES.firstVerify), by(NAMES.jwtVerify)),
    compare(by(NAMES.firstVerify), by(NAMES.compactVerify)),
    compare(by(NAMES.check), by(NAMES.jwtVerify)),
    compare(by(NAMES.check), by(NAMES.map)),
    compare(by(NAMES.checkVerified), by(NAMES.map)),
  ];
  const [mint, mintBusy] = comparisons;
  const check = by(NAMES.check);
  const liveTokens = settings.liveTokens.toLocaleString('en-US');
  const targets: TargetStatus[] = [
    {
      source: SOURCE,
      target: `mint ≤ ${MINT_OVER_SIGN}× raw jose signing (same key, same claims)`,
      measured: `${times(mint!.ratio)} (${figure(mint!.subjectMedian)} ns next to ${figure(mint!.anchorMedian)} ns)`,
      ...(mint!.ratio <= MINT_OVER_SIGN
        ? { status: 'met' as const }
        : { status: 'not met' as const, cause: 'mint adds more than signing: see the rows beside it' }),
    },
    {
      source: SOURCE,
      target: `mint ≤ ${MINT_OVER_SIGN}× raw jose signing, on an authority that minted ${liveTokens} live tokens before`,
      measured: `${times(mintBusy!.ratio)} (${figure(mintBusy!.subjectMedian)} ns)`,
      ...(mintBusy!.ratio <= MINT_OVER_SIGN
        ? { status: 'met' as const }
        : {
            status: 'not met' as const,
            cause:
              'past its cache size (`cacheSize`, 10,000 by default) every mint scans both of its caches (verified tokens, ' +
              'minted tokens) for expired entries; none has expired, so each scan is the whole cache (O(n) ' +
              'per mint), and the minted-token cache never drops a live token, so it only grows',
          }),
    },
    {
      source: SOURCE,
      target: `cached per-call check < ${CHECK_NS} ns`,
      measured: `${figure(check.median)} ns median (p99 ${figure(check.p99!)} ns); ${times(
        comparisons[5]!.ratio,
      )} a Map lookup`,
      ...(check.median < CHECK_NS
        ? { status: 'met' as const }
        : { status: 'not met' as const, cause: 'the check does more than its lookup and comparisons' }),
    },
  ];
  return {
    part: 'trust',
    title: 'Trust tokens: mint, first verification and the cached check, next to raw jose',
    measurements,
    comparisons,
    targets,
    notes: [
      'One Ed25519 key (a WebCrypto `CryptoKey` from `jose.generateKeyPair`) signs and verifies every row; the ' +
        'raw `jose` rows sign the claims of an ORBIT token under the same protected header, and verify an ORBIT ' +
        'token. `jwtVerify` uses a local JWK set, as the authority does; `compactVerify` checks the signature ' +
        'alone (the floor of any verification).',
      `Method: ${settings.warmupRounds} warm-up rounds, then ${settings.rounds} rounds, every operation in each ` +
        `round in a new random order; ${settings.sequentialOps} operations (awaited one at a time) per operation ` +
        'and round, each timed on its own. The three synchronous rows (the check, `checkVerified`, the `Map`) ' +
        `are timed in batches of ${settings.batch}, one sample per batch, so their p99 is that of a batch's mean.`,
      '"Mint" uses an authority made afresh each round (outside the timing), below its cache size. "First ' +
        'verification" uses a verifier whose cache holds one token while two tokens alternate, so each verify ' +
        'checks the signature, the ORBIT claims (zod) and the lineage. The "cached per-call check" is ' +
        '`authority.check(token, expectations)`: the cache lookup, then expiry, not-before, revocation (token, ' +
        "ancestors, run), audience, run and manifest digest; a sub-agent's bound run skips the lookup " +
        '(`checkVerified`). The `Map` row is the lookup alone, by the same token string.',
      loadNote(load),
    ],
  };
};
