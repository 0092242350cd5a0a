import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeMultiProcess } from '../../test/multi-process.js';
import { REDIS_URL, redisAnswers, SKIP_REDIS } from '../../test/redis-probe.js';
import { describeRunsOnStore } from '../../test/runs-on-store.js';
import { describeRunStore } from '../../test/store-conformance.js';
import { manifestOf } from '../../test/support.js';
import { loadManifest } from '../manifest/load-manifest.js';
import { createOrbit } from '../run/create-orbit.js';
import { defineTool } from '../run/define-tool.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import type { AdmitRequest, RunStore } from './run-store.js';
import { StoreUnavailableError } from './store-unavailable-error.js';

/**
 * The Redis store against a real Redis (ORBIT_REDIS_URL, default 127.0.0.1:6379). If Redis does not answer,
 * the file is skipped with a printed notice, except under ORBIT_REQUIRE_SERVICES=1 (.ci/run), where it fails.
 * ORBIT_SKIP_REDIS=1 skips it on purpose.
 */
const REDIS_SERVER = process.env.ORBIT_REDIS_SERVER ?? 'redis-server';
const SKIP = SKIP_REDIS;
const CORE = new URL('../..', import.meta.url).pathname;
const WORKER = new URL('../../test/workers/redis-admit-worker.ts', import.meta.url).pathname;
const T0 = Date.UTC(2026, 10, 25, 12);

if (SKIP || !(await redisAnswers())) {
  describe.skip(`redis store (${SKIP ? 'ORBIT_SKIP_REDIS=1' : `no Redis at ${REDIS_URL}`})`, () => {
    it('skipped', () => {});
  });
} else {
  const prefix = `orbit-test-${randomUUID()}`;
  const opened: RunStore[] = [];
  const admin = new Redis(REDIS_URL);
  /** A new client on the shared server: two calls are two clients (like two processes). */
  const make = async (options: { prefix?: string; url?: string } = {}) => {
    const store = new RedisStore({ url: options.url ?? REDIS_URL, prefix: options.prefix ?? prefix });
    opened.push(store);
    return store;
  };
  const keysOf = async (pattern: string) => {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    return keys;
  };
  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
    const keys = await keysOf(`${prefix}:*`);
    if (keys.length > 0) await admin.unlink(...keys);
    await admin.quit();
  });

  describeRunStore('redis', make);
  describeRunsOnStore('redis', () => make());
  describeMultiProcess(
    'redis',
    () => ({ kind: 'redis', url: REDIS_URL, prefix }),
    () => new RedisStore({ url: REDIS_URL, prefix }),
  );

  const admitOf = (treeId: string, overrides: Partial<AdmitRequest> = {}): AdmitRequest => ({
    treeId,
    chain: [{ runId: treeId, maxCalls: 3 }],
    tool: 'update',
    records: 0,
    tokens: 0,
    count: true,
    approved: false,
    now: T0,
    ...overrides,
  });

  describe('redis store: keys, TTLs, scripts', () => {
    it('keeps a tree under one hash tag, and its keys expire with the run', async () => {
      const store = await make();
      const treeId = `tree-${randomUUID()}`;
      await store.startRun(
        { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
        { mode: 'start', ttlMs: 60_000 },
      );
      await store.admit(admitOf(treeId, { resourceType: 'invoice', resourceTypeKnown: true, records: 2 }));
      await store.appendAction(treeId, treeId, { callId: 'c1', tool: 'update', reversibility: 'partial' });
      const keys = (await keysOf(`${prefix}:{${treeId}}:*`)).sort();
      expect(keys).toEqual(
        ['actions', 'calls', 'run', 'types'].map((kind) => `${prefix}:{${treeId}}:${kind}:${treeId}`),
      );
      for (const key of keys) {
        const ttl = await admin.pttl(key);
        expect(ttl, key).toBeGreaterThan(50_000);
        expect(ttl, key).toBeLessThanOrEqual(60_000);
      }
      expect(await admin.hgetall(`${prefix}:{${treeId}}:run:${treeId}`)).toMatchObject({
        started_at: String(T0),
        records: '2',
        halted: '0',
      });
      expect(await admin.hget(`${prefix}:{${treeId}}:calls:${treeId}`, 'update')).toBe('1');
      // A resumed run refreshes the TTL of every key of the run.
      await store.startRun(
        { treeId: treeId, runId: treeId, startedAt: T0 + 5, manifestDigest: 'sha256:test' },
        { mode: 'start', ttlMs: 600_000 },
      );
      for (const key of keys) expect(await admin.pttl(key), key).toBeGreaterThan(500_000);
    });

    it('counts per resource in a hash of the tree that expires with the run, only for a limited tool', async () => {
      const store = await make();
      const treeId = `tree-${randomUUID()}`;
      await store.startRun(
        { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
        { mode: 'start', ttlMs: 60_000 },
      );
      const rcalls = `${prefix}:{${treeId}}:rcalls:${treeId}`;
      // Without the limit: nothing is kept per resource.
      expect((await store.admit(admitOf(treeId, { resource: 'order:A-1' }))).admitted).toBe(true);
      expect(await admin.exists(rcalls)).toBe(0);
      const chain = [{ runId: treeId, maxCalls: 3, maxCallsPerResource: 1 }];
      expect((await store.admit(admitOf(treeId, { chain, resource: 'order:A-1' }))).admitted).toBe(true);
      expect(await admin.hgetall(rcalls)).toEqual({ 'update\u0000order:A-1': '1' });
      expect(await admin.hget(`${prefix}:{${treeId}}:run:${treeId}`, 'rcalls_made')).toBe('1');
      const ttl = await admin.pttl(rcalls);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
      expect(await store.admit(admitOf(treeId, { chain, resource: 'order:A-1' }))).toMatchObject({
        admitted: false,
        resourceCallsExceeded: true,
      });
      expect(await admin.hget(`${prefix}:{${treeId}}:calls:${treeId}`, 'update')).toBe('2');
    });

    it('treats a run whose state expired as unknown: halted', async () => {
      const store = await make();
      const treeId = `tree-${randomUUID()}`;
      await store.startRun(
        { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
        { mode: 'start', ttlMs: 50 },
      );
      expect((await store.admit(admitOf(treeId))).admitted).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(await store.admit(admitOf(treeId))).toMatchObject({ admitted: false, halted: true });
      expect(await keysOf(`${prefix}:{${treeId}}:*`)).toEqual([]);
    });

    it('loads its scripts again after SCRIPT FLUSH (NOSCRIPT → EVAL)', async () => {
      const store = await make();
      const treeId = `tree-${randomUUID()}`;
      await store.startRun(
        { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
        { mode: 'start', ttlMs: 60_000 },
      );
      expect((await store.admit(admitOf(treeId))).admitted).toBe(true);
      await admin.script('FLUSH');
      expect((await store.admit(admitOf(treeId))).admitted).toBe(true);
      expect((await store.admit(admitOf(treeId))).admitted).toBe(true);
      expect((await store.admit(admitOf(treeId))).admitted).toBe(false);
    });

    it('admits exactly like admitOn (the memory store): random chains, limits and calls', async () => {
      const tools = ['read', 'update', 'send'];
      const types = ['invoice', 'payroll', 'doc'];
      const limit = (max: number) => fc.option(fc.integer({ min: 0, max }), { nil: undefined });
      const op = fc.oneof(
        {
          weight: 8,
          arbitrary: fc.record({
            kind: fc.constant('admit' as const),
            depth: fc.integer({ min: 1, max: 3 }),
            tool: fc.constantFrom(...tools),
            records: fc.integer({ min: 0, max: 4 }),
            tokens: fc.integer({ min: 0, max: 40 }),
            resourceType: fc.option(fc.constantFrom(...types), { nil: undefined }),
            resourceTypeKnown: fc.boolean(),
            resource: fc.option(fc.constantFrom('order:1', 'order:2', 'order:ü|{x}'), { nil: undefined }),
            count: fc.boolean(),
            approved: fc.boolean(),
            escalation: fc.boolean(),
            dt: fc.integer({ min: 0, max: 3000 }),
            unknownRun: fc.boolean(),
          }),
        },
        {
          weight: 1,
          arbitrary: fc.record({ kind: fc.constant('halt' as const), run: fc.integer({ min: 0, max: 2 }) }),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constant('extend' as const),
            run: fc.integer({ min: 0, max: 2 }),
            tokens: fc.integer({ min: 0, max: 50 }),
            records: fc.integer({ min: 0, max: 5 }),
            ms: fc.integer({ min: 0, max: 2000 }),
          }),
        },
        {
          weight: 1,
          arbitrary: fc.record({
            kind: fc.constant('tokens' as const),
            depth: fc.integer({ min: 1, max: 3 }),
            tokens: fc.integer({ min: 1, max: 30 }),
          }),
        },
      );
      const scenario = fc.record({
        limits: fc.array(
          fc.record({
            maxCalls: limit(6),
            maxTokens: limit(150),
            maxRecords: limit(12),
            timeLimitMs: limit(5000),
            maxCallsPerResource: limit(3),
          }),
          { minLength: 3, maxLength: 3 },
        ),
        ops: fc.array(op, { minLength: 1, maxLength: 30 }),
      });
      const redis = await make();
      await fc.assert(
        fc.asyncProperty(scenario, async ({ limits, ops }) => {
          const memory = new MemoryStore();
          const treeId = `tree-${randomUUID()}`;
          const runs = [`${treeId}-grandchild`, `${treeId}-child`, treeId];
          for (const store of [memory, redis])
            for (const run of runs)
              await store.startRun(
                { treeId: treeId, runId: run, startedAt: T0, manifestDigest: 'sha256:test' },
                { mode: 'start', ttlMs: 60_000 },
              );
          const seen: unknown[][] = [[], []];
          for (const o of ops) {
            for (const [i, store] of [memory, redis].entries()) {
              if (o.kind === 'admit') {
                const chainRuns = runs.slice(3 - o.depth);
                if (o.unknownRun && o.depth === 3) chainRuns[0] = `${treeId}-never`;
                const chain = chainRuns.map((runId, j) => ({ runId, ...limits[3 - o.depth + j] }));
                seen[i]!.push(
                  await store.admit({
                    treeId,
                    chain,
                    tool: o.tool,
                    resource: o.resource,
                    records: o.records,
                    tokens: o.tokens,
                    resourceType: o.resourceType,
                    resourceTypeKnown: o.resourceTypeKnown,
                    count: o.count,
                    approved: o.approved,
                    escalation: o.escalation,
                    now: T0 + o.dt,
                  }),
                );
              } else if (o.kind === 'halt') await store.halt(treeId, runs[o.run]!);
              else if (o.kind === 'extend') await store.extend(treeId, runs[o.run]!, o);
              else await store.addTokens(treeId, runs.slice(3 - o.depth), o.tokens);
            }
          }
          expect(seen[1]).toEqual(seen[0]);
        }),
        { numRuns: 150 },
      );
    }, 60_000);

    it('lists approvals and answers across clients; a worker that was down reads the answer from the store', async () => {
      const a = await make();
      const b = await make();
      const treeId = `tree-${randomUUID()}`;
      const approval = {
        treeId,
        status: 'pending' as const,
        requestedAt: T0,
        expiresAt: T0 + 60_000,
        request: {
          approval_id: randomUUID(),
          run_id: treeId,
          agent_id: 'agent-a',
          call_id: 'call-1',
          tool: 'update',
          args: { id: 1, nested: { note: 'ü|{}' } },
          decision: 'pause' as const,
          reasons: ['below_tool_threshold' as const],
          confidence: null,
          reversibility: 'partial' as const,
          action_hash: 'sha256:abc',
          requested_at: new Date(T0).toISOString(),
          allowed_answers: ['approve' as const, 'deny' as const],
          context: { task_scope: 't', maturity_level: 3, ledger: { calls: 1 } },
        },
      };
      await a.putApproval(treeId, approval);
      expect((await b.listPending({ treeId })).map((x) => x.request)).toEqual([approval.request]);
      await b.answerApproval(
        treeId,
        approval.request.approval_id,
        { type: 'approve', action_hash: 'sha256:abc', approver: 'ann', comment: 'ok' },
        T0 + 9,
      );
      // No subscription needed: the state is in Redis.
      expect(await a.waitForAnswer(treeId, approval.request.approval_id, 10)).toMatchObject({
        status: 'approved',
        answer: { approver: 'ann', comment: 'ok' },
        answeredAt: T0 + 9,
      });
      expect(await b.listPending({ treeId })).toEqual([]);
      expect(await admin.zscore(`${prefix}:pending`, `${treeId}|${approval.request.approval_id}`)).toBeNull();
    });

    it('uses a client it is given and leaves it open on close', async () => {
      const client = new Redis(REDIS_URL, RedisStore.clientOptions());
      const listeners = client.listenerCount('error');
      const store = new RedisStore({ redis: client, prefix });
      const treeId = `tree-${randomUUID()}`;
      await store.startRun(
        { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
        { mode: 'start', ttlMs: 60_000 },
      );
      expect((await store.admit(admitOf(treeId))).admitted).toBe(true);
      await store.close();
      expect(await client.ping()).toBe('PONG');
      expect(client.listenerCount('error')).toBe(listeners);
      await client.quit();
      expect(() => new RedisStore({ redis: client, url: REDIS_URL })).toThrow(
        expect.objectContaining({ code: 'ERR_OPTIONS_INVALID' }),
      );
    });
  });

  describe('redis store: failures', () => {
    it('rejects every method with StoreUnavailableError, at once, when nothing listens', async () => {
      const port = await freePort();
      const store = await make({ url: `redis://127.0.0.1:${port}` });
      const treeId = `tree-${randomUUID()}`;
      const started = performance.now();
      const calls: Promise<unknown>[] = [
        store.startRun(
          { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
          { mode: 'start', ttlMs: 1000 },
        ),
        store.admit(admitOf(treeId)),
        store.getApproval(treeId, 'x'),
        store.listPending(),
        store.listApprovals(treeId, { statuses: ['pending'] }),
        store.isRevoked(treeId, ['t']),
        store.waitForAnswer(treeId, 'x', 10_000),
        store.claimExecution(treeId, 'x'),
      ];
      const settled = await Promise.allSettled(calls);
      for (const outcome of settled) {
        expect(outcome.status).toBe('rejected');
        expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(StoreUnavailableError);
      }
      expect(performance.now() - started).toBeLessThan(2_000);
      await expect(store.admit(admitOf(treeId))).rejects.toMatchObject({ code: 'ERR_STORE_UNAVAILABLE' });
    });
  });

  describe('redis store: worker processes', () => {
    it('four processes fire 250 admits each (25 in flight) at a limit of 50: exactly 50 are admitted', async () => {
      const treeId = `tree-${randomUUID()}`;
      const store = await make();
      await store.startRun(
        { treeId: treeId, runId: treeId, startedAt: Date.now(), manifestDigest: 'sha256:test' },
        { mode: 'start', ttlMs: 120_000 },
      );
      const workers = Array.from({ length: 4 }, () =>
        startWorker({ url: REDIS_URL, prefix, treeId, calls: 250, inFlight: 25, maxCalls: 50 }),
      );
      try {
        await Promise.all(workers.map((w) => w.line('READY')));
        for (const w of workers) w.child.stdin!.write('GO\n');
        const results = (await Promise.all(workers.map((w) => w.line('RESULT ')))).map(
          (line) =>
            JSON.parse(line.slice('RESULT '.length)) as {
              admitted: number;
              refused: number;
              errors: string[];
            },
        );
        expect(results.flatMap((r) => r.errors)).toEqual([]);
        expect(results.reduce((sum, r) => sum + r.admitted, 0)).toBe(50);
        expect(results.reduce((sum, r) => sum + r.refused, 0)).toBe(950);
        expect(await admin.hget(`${prefix}:{${treeId}}:calls:${treeId}`, 'update')).toBe('50');
        expect(await admin.hmget(`${prefix}:{${treeId}}:run:${treeId}`, 'records', 'tokens')).toEqual([
          '50',
          '10000',
        ]);
        expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0, 0]);
      } finally {
        for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
      }
    }, 60_000);
  });

  describe('redis store: a server that goes down and comes back', () => {
    const servers: ChildProcess[] = [];
    const dirs: string[] = [];
    afterAll(() => {
      for (const server of servers)
        if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });
    const startServer = async (port: number, dir: string) => {
      const server = spawn(
        REDIS_SERVER,
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          'yes',
          '--appendfsync',
          'always',
          '--dir',
          dir,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      servers.push(server);
      let out = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
        server.on('error', (error) => {
          clearTimeout(timer);
          reject(new Error(`cannot start ${REDIS_SERVER} (set ORBIT_REDIS_SERVER): ${error.message}`));
        });
        server.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`redis-server exited (${code}): ${out}`));
        });
        server.stdout!.on('data', (chunk) => {
          out += chunk;
          if (out.includes('Ready to accept connections')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      return server;
    };
    const stop = async (server: ChildProcess) => {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    };

    it('fails fast with StoreUnavailableError while it is down, then counts on, nothing lost or twice', async () => {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'orbit-redis-fault-'));
      dirs.push(dir);
      let server = await startServer(port, dir);
      const store = await make({ url: `redis://127.0.0.1:${port}` });
      const treeId = `tree-${randomUUID()}`;
      const request = admitOf(treeId, { chain: [{ runId: treeId, maxCalls: 10 }], records: 1 });
      await store.startRun(
        { treeId: treeId, runId: treeId, startedAt: T0, manifestDigest: 'sha256:test' },
        { mode: 'start', ttlMs: 600_000 },
      );
      for (let i = 0; i < 3; i++) expect((await store.admit(request)).admitted).toBe(true);

      await stop(server);
      for (let i = 0; i < 5; i++) {
        const started = performance.now();
        await expect(store.admit(request)).rejects.toBeInstanceOf(StoreUnavailableError);
        expect(performance.now() - started).toBeLessThan(2_000);
      }
      const started = performance.now();
      await expect(store.getApproval(treeId, 'x')).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.waitForAnswer(treeId, 'x', 5_000)).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(performance.now() - started).toBeLessThan(2_000);

      server = await startServer(port, dir); // same port, same append-only file: the counts survive
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await store.isRevoked(treeId, []); // reconnected (in the background)?
          break;
        } catch (error) {
          expect(error).toBeInstanceOf(StoreUnavailableError);
          if (Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      const results = [];
      for (let i = 0; i < 8; i++) results.push((await store.admit(request)).admitted);
      expect(results).toEqual([true, true, true, true, true, true, true, false]);
      const check = new Redis(`redis://127.0.0.1:${port}`);
      expect(await check.hget(`${prefix}:{${treeId}}:calls:${treeId}`, 'update')).toBe('10');
      expect(await check.hget(`${prefix}:{${treeId}}:run:${treeId}`, 'records')).toBe('10');
      await check.quit();
      await store.close();
      await stop(server);
    }, 60_000);

    it('a run: Redis stopped mid-run, writes are refused with store_unavailable; Redis back, the run goes on with correct counts', async () => {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'orbit-redis-run-fault-'));
      dirs.push(dir);
      let server = await startServer(port, dir);
      const store = await make({ url: `redis://127.0.0.1:${port}` });
      const errors: unknown[] = [];
      const manifest = await loadManifest({
        manifest: manifestOf({
          allowed_tools: [{ name: 'update', max_calls_per_run: 5, reversibility: 'reversible' }],
        }),
        allowUnsigned: true,
        logger: { warn() {} },
      });
      const ran: string[] = [];
      const update = defineTool({
        name: 'update',
        input: z.object({ id: z.string() }),
        execute: ({ id }) => void ran.push(id),
      });
      const run = createOrbit({ manifest, store, onStoreError: (e) => errors.push(e) }).startRun();
      for (const id of ['a', 'b'])
        expect((await run.execute(update, { id, confidence: 0.99 })).status).toBe('executed');
      await stop(server);
      const refused = await run.execute(update, { id: 'down', confidence: 0.99 });
      expect(refused).toMatchObject({
        status: 'refused',
        decision: { decision: 'block', reasons: ['store_unavailable'] },
      });
      expect(errors[0]).toBeInstanceOf(StoreUnavailableError);
      server = await startServer(port, dir);
      const deadline = Date.now() + 10_000;
      let result = await run.execute(update, { id: 'c', confidence: 0.99 });
      while (result.status !== 'executed' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        result = await run.execute(update, { id: 'c', confidence: 0.99 });
      }
      expect(result.status).toBe('executed');
      for (const id of ['d', 'e'])
        expect((await run.execute(update, { id, confidence: 0.99 })).status).toBe('executed');
      expect((await run.execute(update, { id: 'f', confidence: 0.99 })).decision.reasons).toEqual([
        'max_calls_exceeded',
      ]);
      expect(ran).toEqual(['a', 'b', 'c', 'd', 'e']);
      await store.close();
      await stop(server);
    }, 60_000);
  });
}

/** A free loopback port (bound, then released). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function startWorker(job: Record<string, unknown>) {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(job)], {
    cwd: CORE,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  child.stderr!.on('data', (chunk) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const line = (prefix: string) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = out.split('\n').find((l) => l.startsWith(prefix));
        if (found) return resolve(found);
        if (child.exitCode !== null) return reject(new Error(`worker exited (${child.exitCode}): ${err}`));
        setTimeout(check, 20);
      };
      check();
    });
  return { child, exited, line };
}
