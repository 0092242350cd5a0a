// A worker process for the multi-process and crash tests: one Orbit on a shared store.
import { appendFileSync } from 'node:fs';
import { z } from 'zod';
import { RedisStore } from '../../src/exports/stores-redis.js';
import { SqliteStore } from '../../src/exports/stores-sqlite.js';
import { createOrbit, defineTool, JsonlFileSink, loadManifest, type RunStore } from '../../src/index.js';

interface Job {
  store: { kind: 'sqlite'; path: string } | { kind: 'redis'; url: string; prefix: string };
  runId: string;
  mode: 'fire' | 'pause' | 'resume' | 'revoke';
  /** For `revoke`: what to revoke in the store. */
  target?: { tokenId: string } | { treeId: string };
  calls?: number;
  inFlight?: number;
  auditPath: string;
  toolLog: string;
}

const job = JSON.parse(process.argv[2]!) as Job;
const store: RunStore =
  job.store.kind === 'sqlite'
    ? new SqliteStore({ path: job.store.path })
    : new RedisStore({ url: job.store.url, prefix: job.store.prefix });
const manifest = await loadManifest({
  manifest: {
    agent_id: 'worker-agent',
    manifest_version: 1,
    owner_team: '#test',
    deployed_at: '2026-05-01T09:00:00Z',
    task_scope: 'Shared-run tests',
    maturity_level: 3,
    allowed_tools: [
      { name: 'update', max_calls_per_run: 50, reversibility: 'partial', confidence_threshold: 0.88 },
    ],
    interruption_policy: { confidence_floor: 0.72 },
  },
  allowUnsigned: true,
  logger: { warn() {} },
});
const sink = new JsonlFileSink(job.auditPath);
const orbit = createOrbit({
  manifest,
  sink,
  store,
  approvalTimeoutMs: 600_000,
  onStoreError: (e) => console.error(e),
});
const update = defineTool({
  name: 'update',
  input: z.object({ id: z.string() }),
  execute: ({ id }) => {
    appendFileSync(job.toolLog, `${id} ${process.pid}\n`);
    return { id };
  },
});

if (job.mode === 'fire') {
  // Every worker starts the same run: the first writes its record, the others share it.
  const run = orbit.startRun({ runId: job.runId });
  let next = 0;
  const lane = async () => {
    while (next < (job.calls ?? 250)) {
      const i = next++;
      await run.execute(update, { id: `${process.pid}-${i}`, confidence: 0.95 });
    }
  };
  await Promise.all(Array.from({ length: job.inFlight ?? 25 }, lane));
  sink.close();
  await store.close();
  process.exit(0);
} else if (job.mode === 'pause') {
  const run = orbit.startRun({ runId: job.runId });
  void run.execute(update, { id: 'paused-call', confidence: 0.8 }); // waits for a human, in the store
  for (;;) {
    const pending = await store.listPending({ treeId: job.runId });
    if (pending.length > 0) {
      sink.flush();
      console.log(`PAUSED ${pending[0]!.request.approval_id}`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await new Promise(() => {}); // keep waiting until killed
} else if (job.mode === 'revoke') {
  await store.revoke(job.target!);
  console.log('REVOKED');
  await store.close();
  process.exit(0);
} else {
  const results = await orbit.resumeRun(job.runId).resumeApproved([update]);
  console.log(`RESUMED ${results.map((r) => r.status).join(',') || 'nothing'}`);
  sink.close();
  await store.close();
  process.exit(0);
}
