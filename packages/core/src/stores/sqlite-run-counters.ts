import { type ManifestOrder, orderManifest } from '../manifest/manifest-order.js';
import { admitOn, type RunCounters, resourceCallKey } from './admit-logic.js';
import type { AdmitRequest, AdmitResult, RunRecord, StartRunMode, StartRunResult } from './run-store.js';
import type { Sql, SqliteConnection } from './sqlite-connection.js';
import { startRunOutcome } from './start-run-logic.js';

/**
 * The run counters of the SQLite store (tables `runs`, `run_calls`, `run_resource_calls`,
 * `run_resource_types`): starting a
 * run, the check-and-count of `admit` (one `BEGIN IMMEDIATE` transaction), tokens, extensions, halts.
 */
export class SqliteRunCounters {
  private readonly db: SqliteConnection;

  constructor(db: SqliteConnection) {
    this.db = db;
  }

  async startRun(record: RunRecord, options: { mode: StartRunMode; ttlMs: number }): Promise<StartRunResult> {
    const { runId, treeId, startedAt, manifestDigest } = record;
    const expiresAt = Number.isFinite(options.ttlMs) ? startedAt + options.ttlMs : null;
    return this.db.execute((sql) => {
      const row = sql('SELECT manifest_digest FROM runs WHERE run_id = ?').get(runId);
      const stored = row === undefined ? undefined : (row.manifest_digest as string | null);
      const traced = row === undefined && this.hasTraces(sql, runId);
      const outcome = startRunOutcome(stored, manifestDigest, options.mode, traced);
      if (outcome === 'started') {
        sql(
          'INSERT INTO runs (run_id, tree_id, started_at, expires_at, manifest_digest) VALUES (?, ?, ?, ?, ?)',
        ).run(runId, treeId, startedAt, expiresAt, manifestDigest);
      } else if (outcome === 'resumed') {
        // A resumed run keeps its counters; its expiry only moves later (NULL: never expires).
        sql(
          `UPDATE runs SET expires_at = CASE WHEN expires_at IS NULL OR ? IS NULL THEN NULL
             ELSE MAX(expires_at, ?) END WHERE run_id = ?`,
        ).run(expiresAt, expiresAt, runId);
      }
      return outcome;
    }, true);
  }

  /** True when the run has counts, approvals or actions: it existed (its record may be gone). */
  private hasTraces(sql: Sql, runId: string): boolean {
    return (
      sql(
        `SELECT EXISTS (SELECT 1 FROM run_calls WHERE run_id = ?1)
           OR EXISTS (SELECT 1 FROM run_resource_calls WHERE run_id = ?1)
           OR EXISTS (SELECT 1 FROM run_resource_types WHERE run_id = ?1)
           OR EXISTS (SELECT 1 FROM approvals WHERE run_id = ?1)
           OR EXISTS (SELECT 1 FROM actions WHERE run_id = ?1) AS traced`,
      ).get(runId)?.traced === 1
    );
  }

  async recordManifest(agentId: string, version: number, digest: string): Promise<ManifestOrder> {
    return this.db.execute((sql) => {
      const row = sql('SELECT version, digest FROM agent_manifests WHERE agent_id = ?').get(agentId);
      const newest = row && { version: Number(row.version), digest: String(row.digest) };
      const order = orderManifest(newest, version, digest);
      if (order.ok && order.newest) {
        sql(
          `INSERT INTO agent_manifests (agent_id, version, digest) VALUES (?, ?, ?)
           ON CONFLICT (agent_id) DO UPDATE SET version = excluded.version, digest = excluded.digest`,
        ).run(agentId, version, digest);
      }
      return order;
    }, true);
  }

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    return this.db.execute((sql) => {
      // Read the chain's counters (each run once), apply the shared rules, write back what changed.
      const loaded = new Map<string, { counters: RunCounters; before: RunCounters } | undefined>();
      const counters = request.chain.map(({ runId }) => {
        if (!loaded.has(runId)) {
          const found = loadCounters(sql, runId, request.tool, request.resource);
          loaded.set(runId, found && { counters: found, before: cloneCounters(found) });
        }
        return loaded.get(runId)?.counters;
      });
      const result = admitOn(request, counters);
      for (const [runId, entry] of loaded) if (entry) saveCounters(sql, runId, entry.counters, entry.before);
      return result;
    }, true);
  }

  async addTokens(_treeId: string, runIds: readonly string[], tokens: number): Promise<void> {
    await this.db.execute((sql) => {
      const update = sql('UPDATE runs SET tokens = tokens + ? WHERE run_id = ?');
      for (const runId of runIds) update.run(tokens, runId);
    }, true);
  }

  async extend(
    _treeId: string,
    runId: string,
    extension: { tokens?: number; records?: number; ms?: number },
  ): Promise<void> {
    await this.db.execute((sql) => {
      sql(
        `UPDATE runs SET extra_tokens = extra_tokens + ?, extra_records = extra_records + ?, extra_ms = extra_ms + ?
         WHERE run_id = ?`,
      ).run(extension.tokens ?? 0, extension.records ?? 0, extension.ms ?? 0, runId);
    });
  }

  async halt(_treeId: string, runId: string): Promise<void> {
    await this.db.execute((sql) => {
      sql('UPDATE runs SET halted = 1 WHERE run_id = ?').run(runId);
    });
  }
}

/**
 * A run's counters; of its per-resource counts, only the one of `tool` on `resource` (the call being
 * admitted reads and writes no other), so an admit costs the same however many resources the run touched.
 */
function loadCounters(
  sql: Sql,
  runId: string,
  tool: string,
  resource: string | undefined,
): RunCounters | undefined {
  const row = sql(
    'SELECT started_at, tokens, records, halted, extra_tokens, extra_records, extra_ms FROM runs WHERE run_id = ?',
  ).get(runId);
  if (!row) return undefined;
  // A null prototype: a tool named `constructor` or `toString` is counted like any other.
  const calls: Record<string, number> = Object.create(null);
  for (const call of sql('SELECT tool, count FROM run_calls WHERE run_id = ?').all(runId)) {
    calls[String(call.tool)] = Number(call.count);
  }
  const resourceCalls = new Map<string, number>();
  if (resource !== undefined) {
    const counted = sql(
      'SELECT count FROM run_resource_calls WHERE run_id = ? AND tool = ? AND resource = ?',
    ).get(runId, tool, resource);
    if (counted) resourceCalls.set(resourceCallKey(tool, resource), Number(counted.count));
  }
  return {
    calls,
    resourceCalls,
    tokens: Number(row.tokens),
    records: Number(row.records),
    startedAt: Number(row.started_at),
    halted: Number(row.halted) !== 0,
    extraTokens: Number(row.extra_tokens),
    extraRecords: Number(row.extra_records),
    extraMs: Number(row.extra_ms),
    resourceTypes: sql('SELECT type FROM run_resource_types WHERE run_id = ?')
      .all(runId)
      .map((type) => String(type.type)),
  };
}

function cloneCounters(counters: RunCounters): RunCounters {
  return {
    ...counters,
    calls: Object.assign(Object.create(null) as Record<string, number>, counters.calls),
    resourceCalls: new Map(counters.resourceCalls),
    resourceTypes: [...counters.resourceTypes],
  };
}

/** Writes back what `admitOn` changed (it runs under the write lock, so absolute values are safe). */
function saveCounters(sql: Sql, runId: string, now: RunCounters, before: RunCounters): void {
  const scalars = [
    'tokens',
    'records',
    'startedAt',
    'halted',
    'extraTokens',
    'extraRecords',
    'extraMs',
  ] as const;
  if (scalars.some((key) => now[key] !== before[key])) {
    sql(
      `UPDATE runs SET tokens = ?, records = ?, started_at = ?, halted = ?, extra_tokens = ?, extra_records = ?, extra_ms = ?
       WHERE run_id = ?`,
    ).run(
      now.tokens,
      now.records,
      now.startedAt,
      now.halted ? 1 : 0,
      now.extraTokens,
      now.extraRecords,
      now.extraMs,
      runId,
    );
  }
  for (const tool of Object.keys(now.calls)) {
    if (now.calls[tool] === before.calls[tool]) continue;
    sql(
      'INSERT INTO run_calls (run_id, tool, count) VALUES (?, ?, ?) ON CONFLICT (run_id, tool) DO UPDATE SET count = excluded.count',
    ).run(runId, tool, now.calls[tool]!);
  }
  for (const [key, count] of now.resourceCalls) {
    if (count === before.resourceCalls.get(key)) continue;
    const nul = key.indexOf('\u0000');
    sql(
      `INSERT INTO run_resource_calls (run_id, tool, resource, count) VALUES (?, ?, ?, ?)
       ON CONFLICT (run_id, tool, resource) DO UPDATE SET count = excluded.count`,
    ).run(runId, key.slice(0, nul), key.slice(nul + 1), count);
  }
  for (const type of now.resourceTypes) {
    if (!before.resourceTypes.includes(type)) {
      sql('INSERT INTO run_resource_types (run_id, type) VALUES (?, ?) ON CONFLICT DO NOTHING').run(
        runId,
        type,
      );
    }
  }
}
