// The three trees of one round, each on an orbit and token authority of its own (a revocation in one
// does not slow the token checks of another): wide, deep (then the same chain with a token revoked, then
// its checks) and balanced.
import type { Bucket } from './buckets.js';
import { checkDeepChain, type TreeCheck, tokenIdCheck } from './tree-checks.js';
import { type Agent, sampler } from './tree-sampler.js';
import { type LoadedTreeManifest, requestFrom, type TreeKey, treeOrbit } from './tree-setup.js';
import type { TreeSizes } from './tree-sizes.js';

/** Tokens up to 1 MiB: a token carries the ids of all its ancestors (about 53 bytes each, encoded). */
const MAX_TOKEN_BYTES = 2 ** 20;

/** What one round's trees share. */
export interface ShapeContext {
  readonly manifest: LoadedTreeManifest;
  readonly key: TreeKey;
  readonly sizes: TreeSizes;
  /** -1 for the warm-up. */
  readonly round: number;
}

/** What one tree gives back besides its samples. */
export interface ShapeRun {
  readonly minted: number;
  readonly checks: readonly TreeCheck[];
}

/** One parent with `sizes.wide` children; bucketed by the child's index. */
export async function wideTree(context: ShapeContext, buckets: readonly Bucket[]): Promise<ShapeRun> {
  const tree = treeOrbit(context.manifest, context.key, MAX_TOKEN_BYTES);
  const wide = sampler(tree, context.sizes, 'wide');
  for (let i = 1; i <= context.sizes.wide; i++)
    await wide.mint(wide.root, requestFrom(wide.root, 'leaf'), buckets, i);
  await wide.root.end();
  return { minted: wide.minted, checks: [tokenIdCheck(tree.sink, 'wide', context.round)] };
}

/**
 * A chain `sizes.deep` deep (`branch` sub-agents, a `leaf` at the bottom), bucketed by depth; then one
 * token of another branch is revoked and every link is sampled again into `revoked` (the revocation check
 * now walks each token's chain); then the checks at the bottom of the chain.
 */
export async function deepTree(
  context: ShapeContext,
  buckets: readonly Bucket[],
  revoked: readonly Bucket[],
): Promise<ShapeRun & { deepestTokenBytes: number }> {
  const tree = treeOrbit(context.manifest, context.key, MAX_TOKEN_BYTES);
  const deep = sampler(tree, context.sizes, 'deep');
  const { deep: depth } = context.sizes;
  const chain: Agent[] = [deep.rootAgent];
  for (let level = 1; level <= depth; level++) {
    const parent = chain[level - 1]!.run;
    chain.push(
      await deep.mint(parent, requestFrom(parent, level < depth ? 'branch' : 'leaf'), buckets, level),
    );
  }
  const decoy = await deep.root.delegate(requestFrom(deep.root, 'leaf'));
  if (!decoy.run) throw new Error(`deep: the decoy was refused (${decoy.decision.reasons.join(', ')})`);
  await decoy.run.revoke();
  for (let level = 1; level <= depth; level++) await deep.sample(chain[level]!, revoked, level);
  const checks = await checkDeepChain(chain, context.round);
  await deep.root.end();
  return {
    minted: deep.minted,
    checks: [...checks, tokenIdCheck(tree.sink, 'deep', context.round)],
    deepestTokenBytes: chain.at(-1)!.token.length,
  };
}

/** `sizes.branching` children per node, `sizes.levels` levels, built depth first; bucketed by level. */
export async function balancedTree(context: ShapeContext, buckets: readonly Bucket[]): Promise<ShapeRun> {
  const tree = treeOrbit(context.manifest, context.key, MAX_TOKEN_BYTES);
  const balanced = sampler(tree, context.sizes, 'balanced');
  const { branching, levels } = context.sizes;
  const grow = async (parent: Agent, level: number): Promise<void> => {
    for (let i = 0; i < branching; i++) {
      const request =
        level < levels
          ? requestFrom(parent.run, 'branch', subtreeSize(branching, levels - level))
          : requestFrom(parent.run, 'leaf');
      const child = await balanced.mint(parent.run, request, buckets, level);
      if (level < levels) await grow(child, level + 1);
    }
  };
  await grow(balanced.rootAgent, 1);
  await balanced.root.end();
  return { minted: balanced.minted, checks: [tokenIdCheck(tree.sink, 'balanced', context.round)] };
}

/** The sub-agents below a node that has `levels` levels under it: b + b² + … + b^levels. */
function subtreeSize(branching: number, levels: number): number {
  let size = 0;
  for (let level = 1, width = branching; level <= levels; level++, width *= branching) size += width;
  return size;
}
