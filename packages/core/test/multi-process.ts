import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AuditEvent } from '../src/audit/audit-event.js';
import { loadManifest } from '../src/manifest/load-manifest.js';
import { createOrbit } from '../src/run/create-orbit.js';
import { defineTool } from '../src/run/define-tool.js';
import type { RunStore } from '../src/stores/run-store.js';
import { orchestratorManifest } from './support.js';

const WORKER = new URL('./workers/run-worker.ts', import.meta.url).pathname;
const CORE = new URL('..', import.meta.url).pathname;

type StoreConfig = { kind: 'sqlite'; path: string } | { kind: 'redis'; url: string; prefix: string };

function start(job: Record<string, unknown>) {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(job)], {
    cwd: CORE,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const line = (prefix: string) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const found = out.split('\n').find((l) => l.startsWith(prefix));
        if (found) return resolve(found);
        if (child.exitCode !== null) return reject(new Error(`worker exited: ${err}`));
        setTimeout(check, 20);
      };
      check();
    });
  return { child, exited, line, output: () => ({ out, err }) };
}

const readEvents = (path: string): AuditEvent[] =>
  existsSync(path)
    ? readFileSync(path, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
const toolLines = (path: string) =>
  existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : [];

/** Real worker processes sharing one run through a store: the limit holds, and a crash loses nothing. */
export function describeMultiProcess(name: string, config: () => StoreConfig, open: () => RunStore) {
  describe(`${name}: worker processes sharing one run`, () => {
    it('four workers fire 1,000 calls at a tool limited to 50: exactly 50 run, and the audit logs show 50 proceed and 950 refusals', async () => {
      const dir = mkdtempSync(join(tmpdir(), `orbit-mp-${name}-`));
      const runId = randomUUID();
      const toolLog = join(dir, 'tool.log');
      const store = config();
      const workers = Array.from({ length: 4 }, (_, i) =>
        start({
          store,
          runId,
          mode: 'fire',
          calls: 250,
          inFlight: 25,
          auditPath: join(dir, `audit-${i}.jsonl`),
          toolLog,
        }),
      );
      const codes = await Promise.all(workers.map((w) => w.exited));
      expect(codes, JSON.stringify(workers.map((w) => w.output().err))).toEqual([0, 0, 0, 0]);
      expect(toolLines(toolLog)).toHaveLength(50);
      const decisions = [0, 1, 2, 3]
        .flatMap((i) => readEvents(join(dir, `audit-${i}.jsonl`)))
        .filter((e) => e.event === 'decision');
      expect(decisions).toHaveLength(1000);
      expect(decisions.filter((e) => e.decision === 'proceed')).toHaveLength(50);
      expect(
        decisions.filter((e) => e.decision === 'block' && e.reasons?.includes('max_calls_exceeded')),
      ).toHaveLength(950);
    }, 120_000);

    it('a worker killed (SIGKILL) while its approval is pending: a new worker resumes after the approval and the tool runs exactly once', async () => {
      const dir = mkdtempSync(join(tmpdir(), `orbit-crash-${name}-`));
      const runId = randomUUID();
      const toolLog = join(dir, 'tool.log');
      const store = config();
      const first = start({ store, runId, mode: 'pause', auditPath: join(dir, 'audit-a.jsonl'), toolLog });
      const paused = await first.line('PAUSED ');
      first.child.kill('SIGKILL');
      await first.exited;
      const approvalId = paused.split(' ')[1]!;
      const console_ = open();
      const stored = await console_.getApproval(runId, approvalId);
      expect(stored?.status).toBe('pending');
      const answered = await console_.answerApproval(
        runId,
        approvalId,
        { type: 'approve', action_hash: stored!.request.action_hash, approver: 'ann@ops' },
        Date.now(),
      );
      expect(answered.ok).toBe(true);
      await console_.close();
      const resumers = [0, 1].map((i) =>
        start({ store, runId, mode: 'resume', auditPath: join(dir, `audit-r${i}.jsonl`), toolLog }),
      );
      const lines = await Promise.all(resumers.map((w) => w.line('RESUMED ')));
      await Promise.all(resumers.map((w) => w.exited));
      expect(toolLines(toolLog).map((l) => l.split(' ')[0])).toEqual(['paused-call']);
      // The other resumer either lost the claim (refused: already_executed) or found nothing left to do.
      expect(
        lines
          .filter((l) => l !== 'RESUMED executed')
          .every((l) => l === 'RESUMED refused' || l === 'RESUMED nothing'),
      ).toBe(true);
      expect(lines.filter((l) => l === 'RESUMED executed')).toHaveLength(1);
    }, 60_000);

    it('a token, then the whole tree, revoked by another process: refused here within revocationStalenessMs, the root run and its delegations too', async () => {
      const dir = mkdtempSync(join(tmpdir(), `orbit-revoke-${name}-`));
      let clock = Date.now();
      const store = open();
      const manifest = await loadManifest({
        manifest: orchestratorManifest(),
        allowUnsigned: true,
        logger: { warn() {} },
      });
      const orbit = createOrbit({ manifest, store, now: () => clock, revocationStalenessMs: 1_000 });
      const webSearch = defineTool({ name: 'web_search', input: z.object({}), execute: () => 'found' });
      const run = orbit.startRun();
      const { run: researcher, token } = await run.delegate({ profile: 'researcher' });
      const authority = await orbit.trust();
      const expected = { audience: 'researcher', runId: run.id, manifestDigest: orbit.policy.digest };
      await expect(authority.verify(token!, expected)).resolves.toMatchObject({ jti: researcher!.tokenId });
      const revokeElsewhere = async (target: { tokenId: string } | { treeId: string }) => {
        const worker = start({
          store: config(),
          runId: run.id,
          mode: 'revoke',
          target,
          auditPath: join(dir, 'audit.jsonl'),
          toolLog: join(dir, 'tool.log'),
        });
        expect(await worker.exited, worker.output().err).toBe(0);
      };

      await revokeElsewhere({ tokenId: researcher!.tokenId! });
      // Within the window the view read at the delegation is used: no store read per check.
      await expect(authority.verify(token!, expected)).resolves.toBeDefined();
      clock += 1_000;
      await expect(authority.verify(token!, expected)).rejects.toMatchObject({ reason: 'token_revoked' });
      await expect(researcher!.execute(webSearch, { confidence: 0.99 })).rejects.toMatchObject({
        decision: { decision: 'halt', reasons: ['token_revoked'] },
      });
      expect((await run.execute(webSearch, { confidence: 0.99 })).status).toBe('executed');

      await revokeElsewhere({ treeId: run.id });
      clock += 1_000;
      await expect(run.delegate({ profile: 'data-entry' })).rejects.toMatchObject({
        decision: { decision: 'halt', reasons: ['token_revoked'] },
      });
      await expect(run.execute(webSearch, { confidence: 0.99 })).rejects.toMatchObject({
        decision: { decision: 'halt', reasons: ['token_revoked'] },
      });
      await store.close();
    }, 60_000);
  });
}
