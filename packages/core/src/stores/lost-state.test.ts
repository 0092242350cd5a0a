import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { REDIS_URL, redisAnswers, SKIP_REDIS } from '../../test/redis-probe.js';
import { countingTool, orbitOf } from '../../test/support.js';
import { RunStateLostError } from '../errors.js';
import type { Run } from '../run/run.js';
import { MemoryStore } from './memory-store.js';
import { RedisKeys } from './redis-keys.js';
import { RedisStore } from './redis-store.js';
import type { RunStore } from './run-store.js';
import { SqliteStore } from './sqlite-store.js';

/**
 * Item 11: a run whose state the store lost (a key or row deleted, a store restarted empty) never gets
 * a fresh budget: its calls halt with `run_state_lost`, and so do those of a worker resuming it.
 */
const limited = {
  allowed_tools: [
    { name: 'draft', max_calls_per_run: 3, max_calls_per_resource: 1, reversibility: 'reversible' as const },
  ],
};

async function worker(store: RunStore) {
  const log: string[] = [];
  const { orbit } = await orbitOf(limited, { store, onStoreError: () => {} });
  return { orbit, log, draft: countingTool('draft', log) };
}

/**
 * Two calls executed: the run has counts (per tool and per resource), a resource type and a compensation
 * log in the store.
 */
async function spend(run: Run, draft: ReturnType<typeof countingTool>) {
  for (const id of ['a', 'b']) {
    expect((await run.execute(draft, { id, confidence: 0.99 })).status).toBe('executed');
  }
}

/** The call halts with `run_state_lost` and its tool does not run. */
async function expectLost(run: Run, draft: ReturnType<typeof countingTool>, log: string[]) {
  const before = log.length;
  await expect(run.execute(draft, { id: `c-${randomUUID()}`, confidence: 0.99 })).rejects.toMatchObject({
    code: 'ERR_RUN_HALTED',
    decision: { decision: 'halt', reasons: ['run_state_lost'] },
  });
  expect(log).toHaveLength(before);
}

describe('lost store state fails closed', () => {
  it('memory: a run resumed on a store that does not know it (a fresh MemoryStore) halts, with no fresh budget', async () => {
    const a = await worker(new MemoryStore());
    const run = a.orbit.startRun();
    await spend(run, a.draft);
    const b = await worker(new MemoryStore());
    const resumed = b.orbit.resumeRun(run.id);
    await expectLost(resumed, b.draft, b.log);
    await expect(resumed.ready()).rejects.toBeInstanceOf(RunStateLostError);
    expect(resumed.halted).toBe(true);
  });

  it('memory: a resumed run the store does not know fails resumeRun(...).ready() with ERR_RUN_STATE_LOST', async () => {
    const { orbit } = await worker(new MemoryStore());
    await expect(orbit.resumeRun('never-seen').ready()).rejects.toMatchObject({
      code: 'ERR_RUN_STATE_LOST',
      runId: 'never-seen',
    });
  });

  it("sqlite: deleting the run's row halts its next call and a worker resuming it (run_state_lost)", async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-lost-')), 'runs.db');
    const store = new SqliteStore({ path });
    const a = await worker(store);
    const run = a.orbit.startRun();
    await spend(run, a.draft);
    const { DatabaseSync } = process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite');
    const db = new DatabaseSync(path);
    expect(db.prepare('DELETE FROM runs WHERE run_id = ?').run(run.id).changes).toBe(1);
    db.close();
    const b = await worker(new SqliteStore({ path }));
    const resumed = b.orbit.resumeRun(run.id);
    await expectLost(resumed, b.draft, b.log);
    await expect(resumed.ready()).rejects.toBeInstanceOf(RunStateLostError);
    await expectLost(run, a.draft, a.log);
    await store.close();
  });

  it('sqlite: an adapter thread (startIfMissing) whose run row is gone but whose counts remain halts, no fresh budget', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-lost-')), 'runs.db');
    const threadId = `thread-${randomUUID()}`;
    const a = await worker(new SqliteStore({ path }));
    const first = a.orbit.resumeRun(threadId, { startIfMissing: true });
    await spend(first, a.draft);
    const { DatabaseSync } = process.getBuiltinModule('node:sqlite') as typeof import('node:sqlite');
    const db = new DatabaseSync(path);
    expect(db.prepare('DELETE FROM runs WHERE run_id = ?').run(threadId).changes).toBe(1);
    db.close();
    const b = await worker(new SqliteStore({ path }));
    const again = b.orbit.resumeRun(threadId, { startIfMissing: true });
    await expectLost(again, b.draft, b.log);
    await expect(again.ready()).rejects.toBeInstanceOf(RunStateLostError);
  });

  it('an adapter thread (startIfMissing) the store does not know starts as a new run', async () => {
    const { orbit, draft, log } = await worker(new MemoryStore());
    const run = orbit.resumeRun(`thread-${randomUUID()}`, { startIfMissing: true });
    await run.ready();
    expect((await run.execute(draft, { id: 'x', confidence: 0.99 })).status).toBe('executed');
    expect(log).toEqual(['draft:x']);
  });
});

if (SKIP_REDIS || !(await redisAnswers())) {
  describe.skip('lost store state on redis (no Redis)', () => {
    it('skipped', () => {});
  });
} else {
  const opened: RunStore[] = [];
  const clients: Redis[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
    for (const client of clients) client.disconnect();
  });
  const open = (options: { prefix: string; url?: string }) => {
    const store = new RedisStore({ url: options.url ?? REDIS_URL, prefix: options.prefix });
    opened.push(store);
    return store;
  };
  const admin = (url = REDIS_URL) => {
    const client = new Redis(url);
    clients.push(client);
    return client;
  };

  describe('lost store state on redis', () => {
    for (const key of ['run', 'calls', 'resourceCalls', 'types', 'actions'] as const) {
      it(`deleting the run's ${key} key halts a worker resuming it and the run's next call (run_state_lost)`, async () => {
        const prefix = `orbit-lost-${randomUUID()}`;
        const a = await worker(open({ prefix }));
        const run = a.orbit.startRun();
        await spend(run, a.draft);
        const keys = new RedisKeys(prefix);
        expect(await admin().del(keys[key](run.id, run.id))).toBe(1);
        const b = await worker(open({ prefix }));
        await expectLost(b.orbit.resumeRun(run.id), b.draft, b.log);
        await expectLost(run, a.draft, a.log);
      });
    }

    it('an adapter thread (startIfMissing) whose run key is gone but whose calls remain halts, no fresh budget', async () => {
      const prefix = `orbit-lost-${randomUUID()}`;
      const threadId = `thread-${randomUUID()}`;
      const a = await worker(open({ prefix }));
      const first = a.orbit.resumeRun(threadId, { startIfMissing: true });
      await spend(first, a.draft);
      expect(await admin().del(new RedisKeys(prefix).run(threadId, threadId))).toBe(1);
      const b = await worker(open({ prefix }));
      const again = b.orbit.resumeRun(threadId, { startIfMissing: true });
      await expectLost(again, b.draft, b.log);
      await expect(again.ready()).rejects.toBeInstanceOf(RunStateLostError);
    });

    it('a revocation log lost with the rest (Redis restarted empty): a reader with a cursor into the old log sees the new revocations', async () => {
      const prefix = `orbit-lost-${randomUUID()}`;
      const writer = open({ prefix });
      const reader = open({ prefix });
      for (let i = 0; i < 3; i++) await writer.revoke({ tokenId: `old-${i}` });
      const before = await reader.revocationsSince(0);
      expect(new Set(before.tokenIds)).toEqual(new Set(['old-0', 'old-1', 'old-2']));
      const client = admin();
      await client.del(...(await client.keys(`${prefix}*`)));
      await writer.revoke({ tokenId: 'new-1' });
      // The new log is shorter than the old cursor: read from the old position, it would show nothing.
      const after = await reader.revocationsSince(before.cursor, before.epoch);
      expect(after.tokenIds).toContain('new-1');
      expect(after.epoch).not.toBe(before.epoch);
      expect(await reader.revocationsSince(after.cursor, after.epoch)).toMatchObject({
        tokenIds: [],
        treeIds: [],
      });
    });

    it('Redis emptied (every key of the store deleted, as a restart without persistence leaves it), then resumeRun: the run halts, no fresh budget', async () => {
      // Every key under the store's own prefix, never FLUSHDB: the Redis may hold someone else's data.
      const prefix = `orbit-lost-${randomUUID()}`;
      const a = await worker(open({ prefix }));
      const run = a.orbit.startRun();
      await spend(run, a.draft);
      const client = admin();
      const keys = await client.keys(`${prefix}*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(await client.del(...keys)).toBe(keys.length);
      const b = await worker(open({ prefix }));
      const resumed = b.orbit.resumeRun(run.id);
      await expectLost(resumed, b.draft, b.log);
      await expect(resumed.ready()).rejects.toBeInstanceOf(RunStateLostError);
    });
  });
}
