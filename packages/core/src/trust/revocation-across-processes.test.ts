import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { orbitOf, orchestratorManifest } from '../../test/support.js';
import { OptionsInvalidError } from '../errors.js';
import { defineTool } from '../run/define-tool.js';
import { MemoryStore } from '../stores/memory-store.js';
import { SqliteStore } from '../stores/sqlite-store.js';
import { StoreUnavailableError } from '../stores/store-unavailable-error.js';
import { TrustAuthority } from './trust-authority.js';

// Two authorities (or Orbits) on one store are two processes; the multi-process suite
// (test/multi-process.ts) does the same with a real second process on SQLite and Redis.

const T0 = Date.UTC(2026, 10, 25, 12);
const webSearch = defineTool({ name: 'web_search', input: z.object({}), execute: () => 'found' });

/** An Orbit on `store` whose authority's keys a second authority (another process) trusts too. */
async function minterAndVerifier(store: MemoryStore | SqliteStore, clock: () => number, stalenessMs: number) {
  const minter = await TrustAuthority.ephemeral({ now: clock });
  const { orbit } = await orbitOf(orchestratorManifest(), {
    store,
    trust: minter,
    now: clock,
    revocationStalenessMs: stalenessMs,
  });
  const verifier = new TrustAuthority({
    signingKey: {} as never,
    kid: 'unused',
    trustedKeys: minter.trustedKeys,
    now: clock,
    store,
    revocationStalenessMs: stalenessMs,
  });
  return { orbit, verifier };
}

describe('revocations recorded in the store reach verify in another process', () => {
  it('refuses, at once with a staleness of 0, a token revoked in the store by someone else', async () => {
    const store = new MemoryStore();
    const { orbit, verifier } = await minterAndVerifier(store, () => T0, 0);
    const run = orbit.startRun();
    const { run: researcher, token } = await run.delegate({ profile: 'researcher' });
    const expected = { audience: 'researcher', runId: run.id, manifestDigest: orbit.policy.digest };
    await expect(verifier.verify(token!, expected)).resolves.toMatchObject({ jti: researcher!.tokenId });
    await store.revoke({ tokenId: researcher!.tokenId! });
    await expect(verifier.verify(token!, expected)).rejects.toMatchObject({ reason: 'token_revoked' });
  });

  it('reads the store at most once per window: a revocation is seen once the window has passed', async () => {
    let now = T0;
    const store = new MemoryStore();
    const { orbit, verifier } = await minterAndVerifier(store, () => now, 1_000);
    const run = orbit.startRun();
    const { token } = await run.delegate({ profile: 'researcher' });
    const expected = { audience: 'researcher', runId: run.id, manifestDigest: orbit.policy.digest };
    await verifier.verify(token!, expected);
    await store.revoke({ treeId: run.id });
    now += 999;
    await expect(verifier.verify(token!, expected)).resolves.toBeDefined();
    now += 1;
    await expect(verifier.verify(token!, expected)).rejects.toMatchObject({ reason: 'token_revoked' });
  });

  it('fails closed when the store cannot be read: verify rejects, a write call is blocked (store_unavailable)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-revocations-')), 'state.db');
    const store = new SqliteStore({ path });
    const errors: unknown[] = [];
    const { orbit, verifier } = await minterAndVerifier(store, () => T0, 0);
    const run = orbit.startRun();
    const { token } = await run.delegate({ profile: 'researcher' });
    const expected = { audience: 'researcher', runId: run.id, manifestDigest: orbit.policy.digest };
    await store.close();
    await expect(verifier.verify(token!, expected)).rejects.toBeInstanceOf(StoreUnavailableError);
    const { orbit: other } = await orbitOf(orchestratorManifest(), {
      store,
      revocationStalenessMs: 0,
      onStoreError: (error) => errors.push(error),
    });
    const refused = await other.startRun().delegate({ profile: 'researcher' });
    expect(refused.decision).toMatchObject({ decision: 'block', reasons: ['store_unavailable'] });
    expect(errors[0]).toBeInstanceOf(StoreUnavailableError);
  });
});

describe("revoking a tree stops its root run's own calls and its delegations", () => {
  it('in memory: after run.revoke() the root halts with token_revoked, and delegates nothing', async () => {
    const { orbit } = await orbitOf(orchestratorManifest());
    const run = orbit.startRun();
    const { run: researcher } = await run.delegate({ profile: 'researcher' });
    expect(run.guard({ tool: 'web_search', confidence: 0.99 }).decision).toBe('proceed');
    await run.revoke();
    await expect(run.delegate({ profile: 'data-entry' })).rejects.toMatchObject({
      decision: { decision: 'halt', reasons: ['token_revoked'] },
    });
    expect(run.guard({ tool: 'web_search', confidence: 0.99 })).toMatchObject({
      decision: 'halt',
      reasons: ['token_revoked'],
    });
    expect(researcher!.guard({ tool: 'web_search', confidence: 0.99 }).reasons).toEqual(['token_revoked']);
  });

  it('on a store: a tree revoked elsewhere halts the root with token_revoked and refuses its delegations', async () => {
    const store = new MemoryStore();
    const { orbit } = await orbitOf(orchestratorManifest(), { store, revocationStalenessMs: 0 });
    const run = orbit.startRun();
    expect((await run.execute(webSearch, { confidence: 0.99 })).status).toBe('executed');
    await store.revoke({ treeId: run.id });
    await expect(run.delegate({ profile: 'researcher' })).rejects.toMatchObject({
      decision: { decision: 'halt', reasons: ['token_revoked'] },
    });
    const { orbit: worker } = await orbitOf(orchestratorManifest(), { store, revocationStalenessMs: 0 });
    await expect(worker.resumeRun(run.id).execute(webSearch, { confidence: 0.99 })).rejects.toMatchObject({
      decision: { decision: 'halt', reasons: ['token_revoked'] },
    });
  });
});

describe('revocationStalenessMs', () => {
  it('is validated like the other options, naming it', async () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '1000']) {
      await expect(orbitOf(orchestratorManifest(), { revocationStalenessMs: bad as number })).rejects.toThrow(
        /options\.revocationStalenessMs must be a finite number of ms >= 0/,
      );
    }
    await expect(orbitOf(orchestratorManifest(), { revocationStalenessMs: -1 })).rejects.toBeInstanceOf(
      OptionsInvalidError,
    );
    expect(
      () =>
        new TrustAuthority({
          signingKey: {} as never,
          kid: 'k',
          trustedKeys: { keys: [] },
          revocationStalenessMs: -5,
        }),
    ).toThrow(OptionsInvalidError);
  });

  it('refuses an authority that already reads another store', async () => {
    const trust = await TrustAuthority.ephemeral({ store: new MemoryStore() });
    await expect(orbitOf(orchestratorManifest(), { trust, store: new MemoryStore() })).rejects.toThrow(
      /another store/,
    );
  });
});
