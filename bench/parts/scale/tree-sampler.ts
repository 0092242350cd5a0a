// Times one tree's sub-agents: each delegation (and raw `jose` signing the same claims), each sub-agent's
// guarded calls interleaved with its root's and a fresh run's, and its token checked alone.
import type { DelegationRequest, Run, TrustAuthority } from '@orbit-agents/core';
import { SignJWT } from 'jose';
import { nowNs } from '../../lib/clock.js';
import { type Bucket, bucketOf } from './buckets.js';
import { READ, type TreeKey, type TreeOrbit } from './tree-setup.js';
import type { TreeSizes } from './tree-sizes.js';

/** A sub-agent of a tree: its run, its token and what a verifier expects of it. */
export interface Agent {
  readonly run: Run;
  /** The compact token (`''` for the root, which has none). */
  readonly token: string;
  readonly expected: { audience: string; runId: string; manifestDigest: string };
}

/** Mints and samples the sub-agents of one tree, under one root run. */
export interface Sampler {
  /** The tree's root: the agent's own run, whose guarded calls are the anchor. */
  readonly root: Run;
  readonly rootAgent: Agent;
  /** Sub-agents minted so far. */
  readonly minted: number;
  /**
   * Delegates `request` from `parent` (timed), signs the same claims with raw `jose` (timed), then samples
   * the new sub-agent into the bucket of `key`.
   *
   * @throws Error when the delegation is refused or the sub-agent's run is not where it should be.
   */
  mint(parent: Run, request: DelegationRequest, buckets: readonly Bucket[], key: number): Promise<Agent>;
  /**
   * Times `calls` guarded calls of `agent`, each next to one of the root's and one of a run of the agent's
   * own opened for it, then its token checks.
   */
  sample(agent: Agent, buckets: readonly Bucket[], key: number): Promise<void>;
}

/** What every timed call asks: a read-only tool, confident, no records. */
const CALL = { tool: READ, args: { document: 'doc-1' }, confidence: 0.95 };
const EXECUTED = { status: 'executed' as const, output: true };

/**
 * One guarded call as an adapter makes it (`guard`, then `recordOutcome`), timed, ns.
 *
 * @throws Error when the call does not proceed.
 */
function timedCall(run: Run): number {
  const started = nowNs();
  const decision = run.guard(CALL);
  run.recordOutcome(decision.call_id, EXECUTED);
  const ns = Number(nowNs() - started);
  if (decision.decision !== 'proceed')
    throw new Error(`a timed call was decided ${decision.decision}: ${decision.reasons.join(', ')}`);
  return ns;
}

/**
 * `n` token checks of `agent`, timed together: the mean per check, ns (one check is near the clock's
 * resolution).
 *
 * @throws Error when a check fails.
 */
function timedChecks(authority: TrustAuthority, agent: Agent, n: number): number {
  let reason: string | undefined;
  const started = nowNs();
  for (let i = 0; i < n; i++) reason = authority.check(agent.token, agent.expected) ?? reason;
  const ns = Number(nowNs() - started) / n;
  if (reason !== undefined) throw new Error(`the token check of a live sub-agent failed: ${reason}`);
  return ns;
}

/** Raw `jose` signing a token's own header and claims with the tree's key, timed, ns. */
async function timedJoseSign(key: TreeKey, token: string): Promise<number> {
  const [header, payload] = token.split('.') as [string, string];
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  const claims = decode(payload);
  const protectedHeader = decode(header);
  const started = nowNs();
  await new SignJWT(claims).setProtectedHeader(protectedHeader).sign(key.privateKey);
  return Number(nowNs() - started);
}

/**
 * Starts a root run in `tree` and returns the sampler of its sub-agents.
 *
 * @example
 * const wide = sampler(tree, sizes, 'wide');
 * await wide.mint(wide.root, requestFrom(wide.root, 'leaf'), buckets, 1);
 */
export function sampler(tree: TreeOrbit, sizes: TreeSizes, name: string): Sampler {
  const root = tree.orbit.startRun();
  tree.sink.expect(root);
  const rootAgent: Agent = {
    run: root,
    token: '',
    expected: { audience: root.agentId, runId: root.id, manifestDigest: root.policy.digest },
  };
  let minted = 0;

  const sample = async (agent: Agent, buckets: readonly Bucket[], key: number) => {
    const into = bucketOf(buckets, key);
    const fresh = tree.orbit.startRun();
    tree.sink.expect(fresh);
    // The three in turn, each starting a round in its turn, so that none always runs on another's caches.
    const runs = [agent.run, root, fresh] as const;
    const series = [into.child, into.root, into.fresh] as const;
    for (let i = 0; i < sizes.calls; i++)
      for (let j = 0; j < 3; j++) {
        const which = (i + j) % 3;
        series[which]!.push(timedCall(runs[which]!));
      }
    await fresh.end();
    for (let b = 0; b < sizes.checkBatches; b++)
      into.check.push(timedChecks(tree.authority, agent, sizes.checkBatch));
  };

  const mint = async (parent: Run, request: DelegationRequest, buckets: readonly Bucket[], key: number) => {
    const started = nowNs();
    const result = await parent.delegate(request);
    const ns = Number(nowNs() - started);
    const { run, token } = result;
    if (!run || !token) {
      const { decision } = result;
      throw new Error(
        `${name}: the delegation at depth ${parent.depth + 1} was refused (${decision.decision}: ${decision.reasons.join(', ')}${decision.detail ? `; ${decision.detail}` : ''})`,
      );
    }
    if (run.depth !== parent.depth + 1 || run.parent !== parent || run.tokenId === undefined)
      throw new Error(`${name}: the sub-agent at depth ${parent.depth + 1} is not where it was minted`);
    const into = bucketOf(buckets, key);
    into.delegate.push(ns);
    into.jose.push(await timedJoseSign(tree.key, token));
    tree.sink.expect(run);
    minted++;
    const agent: Agent = {
      run,
      token,
      expected: {
        audience: request.agentId ?? request.profile,
        runId: root.id,
        manifestDigest: root.policy.digest,
      },
    };
    await sample(agent, buckets, key);
    return agent;
  };

  return {
    root,
    rootAgent,
    get minted() {
      return minted;
    },
    mint,
    sample,
  };
}
