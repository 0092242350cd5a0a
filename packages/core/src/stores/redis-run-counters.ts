import type { ManifestOrder } from '../manifest/manifest-order.js';
import type { RedisConnection } from './redis-connection.js';
import type { RedisKeys } from './redis-keys.js';
import { ADD_TOKENS, ADMIT, ADMIT_FLAGS, EXTEND, HALT, RECORD_MANIFEST, START_RUN } from './redis-scripts.js';
import type { AdmitRequest, AdmitResult, RunRecord, StartRunMode, StartRunResult } from './run-store.js';

/**
 * The run counters of the Redis store: starting a run, the check-and-count of `admit` (one `EVALSHA`),
 * tokens, extensions, halts. Each is one Lua script on the tree's keys, atomic across processes.
 */
export class RedisRunCounters {
  private readonly connection: RedisConnection;
  private readonly keys: RedisKeys;

  constructor(connection: RedisConnection, keys: RedisKeys) {
    this.connection = connection;
    this.keys = keys;
  }

  async startRun(record: RunRecord, options: { mode: StartRunMode; ttlMs: number }): Promise<StartRunResult> {
    const k = this.keys;
    const { treeId, runId } = record;
    const { ttlMs } = options;
    const outcome = await this.connection.eval(
      START_RUN,
      [
        k.run(treeId, runId),
        k.calls(treeId, runId),
        k.types(treeId, runId),
        k.actions(treeId, runId),
        k.resourceCalls(treeId, runId),
      ],
      [
        String(record.startedAt),
        Number.isFinite(ttlMs) ? String(Math.max(1, Math.ceil(ttlMs))) : '0',
        options.mode,
        record.manifestDigest,
        treeId,
      ],
    );
    if (
      outcome !== 'started' &&
      outcome !== 'resumed' &&
      outcome !== 'state_lost' &&
      outcome !== 'manifest_changed'
    )
      throw new Error(`Unexpected reply of the startRun script: ${String(outcome)}`);
    return outcome;
  }

  async recordManifest(agentId: string, version: number, digest: string): Promise<ManifestOrder> {
    const reply = (await this.connection.eval(
      RECORD_MANIFEST,
      [this.keys.manifest(agentId)],
      [String(version), digest],
    )) as [string, string];
    const [outcome, value] = reply;
    if (outcome === 'ok') return { ok: true, newest: value === '1' };
    if (outcome === 'older' || outcome === 'same_version_different_content')
      return { ok: false, reason: outcome, newestVersion: Number(value) };
    throw new Error(`Unexpected reply of the recordManifest script: ${String(outcome)}`);
  }

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    const { keys, args } = this.admitArguments(request);
    const flags = Number(await this.connection.eval(ADMIT, keys, args));
    return {
      admitted: (flags & ADMIT_FLAGS.admitted) !== 0,
      halted: (flags & ADMIT_FLAGS.halted) !== 0,
      callsExceeded: (flags & ADMIT_FLAGS.callsExceeded) !== 0,
      tokensExceeded: (flags & ADMIT_FLAGS.tokensExceeded) !== 0,
      recordsExceeded: (flags & ADMIT_FLAGS.recordsExceeded) !== 0,
      timeExceeded: (flags & ADMIT_FLAGS.timeExceeded) !== 0,
      newResourceType: (flags & ADMIT_FLAGS.newResourceType) !== 0,
      stateLost: (flags & ADMIT_FLAGS.stateLost) !== 0,
      resourceCallsExceeded: (flags & ADMIT_FLAGS.resourceCallsExceeded) !== 0,
    };
  }

  /** The KEYS and ARGV of the admit script for a request. */
  admitArguments(request: AdmitRequest): { keys: string[]; args: string[] } {
    const { treeId } = request;
    const own = request.chain[0]?.runId ?? '';
    const keys = [this.keys.types(treeId, own), this.keys.actions(treeId, own)];
    const hasType = request.resourceType !== undefined;
    const args = [
      request.tool,
      String(request.records),
      String(Number.isFinite(request.tokens) && request.tokens > 0 ? request.tokens : 0),
      hasType ? '1' : '0',
      request.resourceType ?? '',
      request.resourceTypeKnown ? '1' : '0',
      request.count ? '1' : '0',
      request.approved ? '1' : request.escalation ? 'e' : '0',
      String(request.now),
      request.resource === undefined ? '0' : '1',
      request.resource ?? '',
    ];
    const limit = (value: number | undefined) => (value === undefined ? '' : String(value));
    for (const run of request.chain) {
      keys.push(
        this.keys.run(treeId, run.runId),
        this.keys.calls(treeId, run.runId),
        this.keys.resourceCalls(treeId, run.runId),
      );
      args.push(
        limit(run.maxCalls),
        limit(run.maxTokens),
        limit(run.maxRecords),
        limit(run.timeLimitMs),
        limit(run.maxCallsPerResource),
      );
    }
    return { keys, args };
  }

  async addTokens(treeId: string, runIds: readonly string[], tokens: number): Promise<void> {
    if (runIds.length === 0 || tokens === 0) return;
    await this.connection.eval(
      ADD_TOKENS,
      runIds.map((id) => this.keys.run(treeId, id)),
      [String(tokens)],
    );
  }

  async extend(
    treeId: string,
    runId: string,
    extension: { tokens?: number; records?: number; ms?: number },
  ): Promise<void> {
    await this.connection.eval(
      EXTEND,
      [this.keys.run(treeId, runId)],
      [String(extension.tokens ?? 0), String(extension.records ?? 0), String(extension.ms ?? 0)],
    );
  }

  async halt(treeId: string, runId: string): Promise<void> {
    await this.connection.eval(HALT, [this.keys.run(treeId, runId)], []);
  }
}
