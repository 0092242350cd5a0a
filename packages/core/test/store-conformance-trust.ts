import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { RunStore } from '../src/stores/run-store.js';

/**
 * The store conformance cases of the trust authority's records (part of `describeRunStore`): the
 * revocation log every process reads from a cursor, and the minted tokens a verifier looks parents up in.
 */
export function describeTrustRecords(make: () => Promise<RunStore>) {
  const T0 = Date.UTC(2026, 10, 25, 12);
  const tree = () => `tree-${randomUUID()}`;

  it('logs revocations in order, for any client to read from its cursor', async () => {
    const store = await make();
    const other = await make();
    const treeId = tree();
    const token = `tok-${randomUUID()}`;
    const start = await other.revocationsSince(0);
    expect(await other.revocationsSince(start.cursor, start.epoch)).toMatchObject({
      tokenIds: [],
      treeIds: [],
    });
    await store.revoke({ tokenId: token });
    await store.revoke({ treeId });
    const next = await other.revocationsSince(start.cursor, start.epoch);
    expect(next.tokenIds).toEqual([token]);
    expect(next.treeIds).toEqual([treeId]);
    expect(next.cursor).toBeGreaterThan(start.cursor);
    expect(await other.revocationsSince(next.cursor, next.epoch)).toMatchObject({
      tokenIds: [],
      treeIds: [],
    });
    const all = await store.revocationsSince(0);
    expect(all.tokenIds).toContain(token);
    expect(all.treeIds).toContain(treeId);
    await store.close();
    await other.close();
  });

  it('records minted tokens per tree for any client to read', async () => {
    const store = await make();
    const other = await make();
    const treeId = tree();
    const minted = {
      jti: `jti-${randomUUID()}`,
      parentJti: 'p1',
      chain: ['r0', 'p1'],
      depth: 3,
      iat: Math.floor(T0 / 1000),
      exp: Math.floor(Date.now() / 1000) + 600,
    };
    await store.recordToken(treeId, minted);
    expect(await other.getToken(treeId, minted.jti)).toEqual(minted);
    expect(await other.getToken(tree(), minted.jti)).toBeUndefined();
    expect(await other.getToken(treeId, 'never-minted')).toBeUndefined();
    await store.close();
    await other.close();
  });
}
