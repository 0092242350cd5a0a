// What the trees check on the way: at the bottom of the chain, a call outside the scope and a delegation
// still halt, and a revoked token stops its subtree (not its ancestors); how deep a chain goes under the
// default token size limit.
import { createOrbit, type Decision, type Run, RunHaltedError } from '@orbit-agents/core';
import type { Agent } from './tree-sampler.js';
import { loadTreeManifest, READ, requestFrom, SEND, type TokenCheckingSink } from './tree-setup.js';

/** One correctness check, from one round. */
export interface TreeCheck {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  /** The round it ran in (-1: the warm-up). */
  readonly round?: number;
}

/** How deep the default-limit probe may go (the probe manifest's `max_depth`). */
const PROBE_DEPTH = 1_000;

const describe = (decision: Decision) =>
  `${decision.decision} (${decision.reasons.join(', ') || 'no reason'})`;
const call = (run: Run) => run.guard({ tool: READ, args: { document: 'doc-1' }, confidence: 0.95 });

/**
 * At the bottom of a chain (`chain[d]` at depth d, `chain[0]` the root), after it was measured: a call to
 * a tool its scope lacks halts; delegating from the deepest sub-agent halts; revoking the token in the
 * middle halts the next call below it (`token_revoked`) and not the one above it.
 */
export async function checkDeepChain(chain: readonly Agent[], round: number): Promise<TreeCheck[]> {
  const depth = chain.length - 1;
  const deepest = chain[depth]!.run;
  const checks: TreeCheck[] = [];

  const send = deepest.guard({ tool: SEND, args: { to: 'customer' }, confidence: 0.99 });
  checks.push({
    check: `a call to a tool outside the sub-agent's scope halts at depth ${depth}`,
    ok: send.decision === 'halt' && deepest.halted,
    detail: describe(send),
    round,
  });

  let refused: Decision | undefined;
  try {
    await deepest.delegate({ profile: 'leaf' });
  } catch (error) {
    if (!(error instanceof RunHaltedError)) throw error;
    refused = error.decision;
  }
  checks.push({
    check: `delegating from depth ${depth}, the manifest's max_depth, halts`,
    ok: refused?.decision === 'halt',
    detail: refused ? describe(refused) : 'the delegation was not refused',
    round,
  });

  const middle = Math.floor(depth / 2);
  await chain[middle]!.run.revoke();
  const below = call(chain[depth - 1]!.run);
  const above = call(chain[middle - 1]!.run);
  checks.push({
    check: `revoking the token at depth ${middle} halts the next call at depth ${depth - 1} and not at depth ${middle - 1}`,
    ok: below.decision === 'halt' && below.reasons.includes('token_revoked') && above.decision === 'proceed',
    detail: `depth ${depth - 1}: ${describe(below)}; depth ${middle - 1}: ${describe(above)}`,
    round,
  });
  return checks;
}

/** What a tree's {@link TokenCheckingSink} saw: every decision and outcome event with its run's token id. */
export function tokenIdCheck(sink: TokenCheckingSink, shape: string, round: number): TreeCheck {
  const failures = sink.failures.length ? `: ${sink.failures.join('; ')}` : '';
  return {
    check: `every decision and outcome event of the ${shape} tree carries its run's token id`,
    ok: sink.checked > 0 && sink.failed === 0,
    detail: `${sink.checked.toLocaleString('en-US')} events checked, ${sink.failed} wrong${failures}`,
    round,
  };
}

/** How deep a chain went under the default authority, and why it stopped. */
export interface DefaultLimit {
  /** The depth of the deepest sub-agent minted. */
  readonly depth: number;
  /** The refusal's reasons (none: it reached the probe's own limit). */
  readonly reasons: readonly string[];
  readonly detail?: string;
  /** The length of the deepest token minted, bytes. */
  readonly tokenBytes: number;
}

/**
 * Delegates a chain under `createOrbit`'s default authority (tokens up to 8,192 bytes) and a manifest
 * that allows depth 1,000, until a delegation is refused: every ancestor's id is in a token, so the
 * token size limit, not the manifest, sets how deep a chain goes by default.
 */
export async function probeDefaultDepth(): Promise<DefaultLimit> {
  const orbit = createOrbit({ manifest: await loadTreeManifest('scale-tree-probe', PROBE_DEPTH) });
  const root = orbit.startRun();
  let parent = root;
  let tokenBytes = 0;
  try {
    for (let depth = 1; depth < PROBE_DEPTH; depth++) {
      const result = await parent.delegate(requestFrom(parent, 'branch'));
      if (!result.run) {
        const { reasons, detail } = result.decision;
        return { depth: depth - 1, reasons, ...(detail ? { detail } : {}), tokenBytes };
      }
      tokenBytes = result.token!.length;
      parent = result.run;
    }
    return { depth: PROBE_DEPTH - 1, reasons: [], tokenBytes };
  } finally {
    await root.end();
  }
}
