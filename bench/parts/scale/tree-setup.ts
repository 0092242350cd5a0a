// The scale part's run trees: a manifest whose delegation rules let 1,000 sub-agents be minted wide, deep
// or balanced; a token authority on a key raw `jose` can sign with too; an audit sink that checks, on every
// call it sees, that a sub-agent's events carry its own token id.
import {
  type AuditEvent,
  type AuditSink,
  createOrbit,
  type DelegationRequest,
  loadManifest,
  type Orbit,
  type Run,
  signManifest,
  TrustAuthority,
} from '@orbit-agents/core';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK } from 'jose';
import { BENCH_LIMITS, signedBenchManifest } from '../../lib/manifest.js';

/** The tool every measured call uses: read-only, so every call proceeds. */
export const READ = 'read';
/** The manifest's irreversible tool, left out of both profiles: a sub-agent calling it is out of scope. */
export const SEND = 'send';
/** The calls a profile grants a sub-agent (a child gets at most what its parent has left). */
const PROFILE_CALLS = 100_000_000;
/** The agent's own calls of `read` per run: no measured tree comes near it. */
const ROOT_CALLS = 1_000_000_000;
/** The sub-agents a run tree may hold: room for the balanced tree's 1,110 and a few more. */
export const MAX_SUB_AGENTS = 2_000;

/**
 * The trees' manifest: `read` and `send` for the agent, and two profiles that grant `read` only:
 * `branch` may delegate, `leaf` may not. `maxDepth` is the delegation depth the manifest allows.
 */
export function treeManifest(agentId: string, maxDepth: number) {
  return {
    agent_id: agentId,
    manifest_version: 1,
    owner_team: '#team-bench',
    deployed_at: '2026-12-01T09:00:00Z',
    task_scope: 'Measure minting and checking across a tree of sub-agents',
    maturity_level: 3 as const,
    allowed_tools: [
      { name: READ, max_calls_per_run: ROOT_CALLS, reversibility: 'read_only' as const },
      {
        name: SEND,
        max_calls_per_run: 50,
        reversibility: 'irreversible' as const,
        confidence_threshold: 0.9,
      },
    ],
    ...BENCH_LIMITS,
    delegation: {
      max_depth: maxDepth,
      max_sub_agents_per_run: MAX_SUB_AGENTS,
      profiles: [
        { name: 'branch', tools: [{ name: READ, max_calls_per_run: PROFILE_CALLS }], may_delegate: true },
        { name: 'leaf', tools: [{ name: READ, max_calls_per_run: PROFILE_CALLS }], may_delegate: false },
      ],
    },
  };
}

/** The loaded manifest `createOrbit` takes. */
export type LoadedTreeManifest = Awaited<ReturnType<typeof loadManifest>>;

/** Signs and loads a tree manifest (once per agent id: a run's orbits share it). */
export const loadTreeManifest = (agentId: string, maxDepth: number): Promise<LoadedTreeManifest> =>
  signedBenchManifest(treeManifest(agentId, maxDepth), { signManifest, loadManifest });

/** The trees' Ed25519 key, as a `CryptoKey`, so that ORBIT's mint and raw `jose` sign with the same key. */
export interface TreeKey {
  readonly privateKey: CryptoKey;
  readonly kid: string;
  readonly trustedKeys: { keys: JWK[] };
}

/** A fresh Ed25519 key for the trees' token authority. */
export async function treeKey(kid = 'scale-tree'): Promise<TreeKey> {
  const { privateKey, publicKey } = await generateKeyPair('Ed25519');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  return { privateKey, kid, trustedKeys: { keys: [jwk] } };
}

/**
 * An audit sink that keeps nothing: for every `decision` and `outcome` event it checks that the event
 * carries the token id of the run that wrote it (none for the agent's own run).
 */
export class TokenCheckingSink implements AuditSink {
  private readonly tokens = new Map<string, string | null>();
  /** Events checked. */
  checked = 0;
  /** Events whose token id was not their run's. */
  failed = 0;
  /** The first few failures, described. */
  readonly failures: string[] = [];

  /** Registers a run and the token id its events must carry. */
  expect(run: Run): void {
    this.tokens.set(run.id, run.tokenId ?? null);
  }

  write(event: AuditEvent): void {
    if (event.event !== 'decision' && event.event !== 'outcome') return;
    this.checked++;
    const expected = this.tokens.get(event.run_id);
    const carried = event.token_id ?? null;
    if (expected !== undefined && expected === carried) return;
    this.failed++;
    if (this.failures.length < 5)
      this.failures.push(`run ${event.run_id} call ${event.call_id}: token ${carried}, expected ${expected}`);
  }
}

/** One tree's orbit: its authority (to check tokens alone), its sink, its key. */
export interface TreeOrbit {
  readonly orbit: Orbit;
  readonly authority: TrustAuthority;
  readonly sink: TokenCheckingSink;
  readonly key: TreeKey;
}

/**
 * An orbit for one tree: its own authority over `key` (tokens up to `maxTokenBytes`, so that a chain
 * 1,000 deep fits: each ancestor adds its id to the token) and a {@link TokenCheckingSink}.
 */
export function treeOrbit(manifest: LoadedTreeManifest, key: TreeKey, maxTokenBytes: number): TreeOrbit {
  const authority = new TrustAuthority({
    signingKey: key.privateKey,
    kid: key.kid,
    trustedKeys: key.trustedKeys,
    maxTokenBytes,
  });
  const sink = new TokenCheckingSink();
  return { orbit: createOrbit({ manifest, sink, trust: authority }), authority, sink, key };
}

/**
 * A delegation request for `profile` that asks for the `read` calls `parent` has left (at most the
 * profile's): a parent whose subtree has made calls has fewer left than the profile grants, and asking
 * for more is refused (`scope_escalation`).
 */
export function requestFrom(
  parent: Run,
  profile: 'branch' | 'leaf',
  maxSubAgents?: number,
): DelegationRequest {
  const held = parent.scope.tools[READ]!.max_calls - parent.ledger.callsOf(READ);
  return {
    profile,
    tools: [{ name: READ, max_calls_per_run: Math.min(PROFILE_CALLS, held) }],
    ...(maxSubAgents === undefined ? {} : { max_sub_agents: maxSubAgents }),
  };
}
