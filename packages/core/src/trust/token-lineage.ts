import type { MintedToken } from '../stores/run-store.js';
import type { TrustStore } from './revocation-cache.js';
import { TokenError } from './token-error.js';
import type { VerifiedToken } from './trust-authority.js';

/**
 * The tokens an authority minted in this process (lineage and window), by run and id: the parents
 * `verify` accepts without asking the store. Live tokens are kept; expired ones are dropped first when
 * there are more than `size`.
 */
export class MintedTokens {
  private readonly tokens = new Map<string, MintedToken>();
  private readonly size: number;
  /** Seconds since the epoch before which a token counts as expired (the clock minus the skew). */
  private readonly expiredBefore: () => number;

  constructor(size: number, expiredBefore: () => number) {
    this.size = size;
    this.expiredBefore = expiredBefore;
  }

  remember(runId: string, token: MintedToken): void {
    if (this.tokens.size >= this.size) {
      const before = this.expiredBefore();
      for (const [key, entry] of this.tokens) if (entry.exp < before) this.tokens.delete(key);
    }
    this.tokens.set(`${runId} ${token.jti}`, token);
  }

  get(runId: string, jti: string): MintedToken | undefined {
    return this.tokens.get(`${runId} ${jti}`);
  }
}

/**
 * A token's lineage, checked once when it is first verified: its chain ends with its parent at its depth;
 * a child's parent was minted by this authority (in this process, or recorded in the store by any) in
 * the same run, and the child's chain, depth and window (`iat`..`exp`) lie within the parent's.
 *
 * @throws TokenError `token_invalid`, `field` naming the failed claim (`orbit.chain`,
 * `orbit.parent_jti`, `iat`, `exp`).
 * @throws StoreUnavailableError (or the store's error) when the store cannot be read.
 */
export async function checkLineage(
  token: VerifiedToken,
  minted: MintedTokens,
  store: TrustStore | undefined,
): Promise<void> {
  const refuse = (field: string, message: string): never => {
    throw new TokenError('token_invalid', `The token ${token.jti} ${message}`, { field });
  };
  if (token.chain.length !== token.depth - 1 || token.chain.at(-1) !== (token.parent_jti ?? undefined))
    refuse('orbit.chain', 'has a chain that does not end with its parent at its depth.');
  if (token.parent_jti === null) return;
  const parent =
    minted.get(token.run_id, token.parent_jti) ?? (await store?.getToken(token.run_id, token.parent_jti));
  if (!parent)
    return refuse(
      'orbit.parent_jti',
      `names a parent (${token.parent_jti}) this authority never minted in run ${token.run_id}.`,
    );
  if (parent.depth !== token.depth - 1 || parent.chain.some((id, i) => token.chain[i] !== id))
    refuse('orbit.chain', `has a chain that is not its parent's (${token.parent_jti}) and the parent.`);
  if (token.iat < parent.iat)
    refuse('iat', `was issued at ${token.iat}, before its parent (${parent.iat}): outside its window.`);
  if (token.exp > parent.exp)
    refuse('exp', `expires at ${token.exp}, after its parent (${parent.exp}): it would outlive it.`);
}
