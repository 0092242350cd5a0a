import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BaseMessage, ToolMessage } from '@langchain/core/messages';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import type { AuditEvent } from '@orbit-agents/core';
import { SqliteStore } from '@orbit-agents/core/stores/sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentJob, AgentResult } from '../test/workers/agent-worker.js';

// A pending approval survives a process restart: the thread's checkpoints live in PostgreSQL
// (PostgresSaver), the ORBIT run in a SQLite file (SqliteStore), and every step is its own Node process.
// Without PostgreSQL the file is skipped with a printed notice, except under ORBIT_REQUIRE_SERVICES=1
// (.ci/run starts PostgreSQL and requires it), where it fails.
const POSTGRES = process.env.ORBIT_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const SCHEMA = 'orbit_langgraph_test';
const ANSWERS = await postgresAnswers();
const WORKER = new URL('../test/workers/agent-worker.ts', import.meta.url).pathname;
const PACKAGE = new URL('..', import.meta.url).pathname;

const threads: string[] = [];
let checkpointer: PostgresSaver;

/** True when PostgreSQL answers; otherwise a notice (or, when services are required, an error). */
async function postgresAnswers(): Promise<boolean> {
  // Set up once here, so that the workers never race to create the schema.
  const probe = PostgresSaver.fromConnString(POSTGRES, { schema: SCHEMA });
  try {
    await probe.setup();
    return true;
  } catch (error) {
    const why = `The durable-checkpointer tests need PostgreSQL at ${POSTGRES}, which does not answer (${(error as Error).message}).`;
    const how =
      'Start it (.ci/run does: pg_ctlcluster --skip-systemctl-redirect <version> main start) or set ORBIT_POSTGRES_URL, and run the tests again.';
    if (process.env.ORBIT_REQUIRE_SERVICES === '1') throw new Error(`${why} ${how}`);
    console.warn(`[orbit] SKIPPED: ${why} ${how}`);
    return false;
  } finally {
    await probe.end().catch(() => undefined);
  }
}

beforeAll(async () => {
  if (!ANSWERS) return;
  checkpointer = PostgresSaver.fromConnString(POSTGRES, { schema: SCHEMA });
  try {
    // Once here, so that the workers never race to create the schema.
    await checkpointer.setup();
  } catch (error) {
    await checkpointer.end().catch(() => undefined);
    throw new Error(
      `PostgreSQL is needed by the durable-checkpointer tests and is not reachable at ${POSTGRES} (${(error as Error).message}). Start it (.ci/run does: pg_ctlcluster --skip-systemctl-redirect <version> main start) or set ORBIT_POSTGRES_URL.`,
    );
  }
}, 20_000);

afterAll(async () => {
  if (!checkpointer) return;
  for (const thread of threads) await checkpointer.deleteThread(thread).catch(() => undefined);
  await checkpointer.end().catch(() => undefined);
});

interface Worker {
  child: ChildProcessWithoutNullStreams;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The worker's `RESULT` line, once it exited. */
  result(): AgentResult;
  ready(): Promise<void>;
  stderr(): string;
}

/** A worker process: Node (this one's, 24) with tsx, as the core's multi-process tests run theirs. */
function start(job: AgentJob): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(job)], {
    cwd: PACKAGE,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    exited,
    stderr: () => err,
    result() {
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (!line) throw new Error(`worker ${child.pid} printed no RESULT.\nstdout: ${out}\nstderr: ${err}`);
      return JSON.parse(line.slice('RESULT '.length)) as AgentResult;
    },
    ready: () =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (out.split('\n').includes('READY')) return resolve();
          if (child.exitCode !== null || child.signalCode !== null)
            return reject(new Error(`worker exited before READY: ${err}`));
          setTimeout(check, 20);
        };
        check();
      }),
  };
}

/** Runs a worker to its end; it must exit as expected (0, or killed by itself). */
async function runWorker(job: AgentJob): Promise<{ worker: Worker; result: AgentResult }> {
  const worker = start(job);
  const { code, signal } = await worker.exited;
  const expected = job.exit === 'kill' ? { code: null, signal: 'SIGKILL' } : { code: 0, signal: null };
  expect({ code, signal }, worker.stderr()).toEqual(expected);
  return { worker, result: worker.result() };
}

/** One thread, one SQLite file, one tool log; one audit file per process. */
function scenario() {
  const dir = mkdtempSync(join(tmpdir(), 'orbit-lg-durable-'));
  const threadId = `durable-${randomUUID()}`;
  threads.push(threadId);
  const sqlitePath = join(dir, 'orbit.db');
  const toolLog = join(dir, 'tools.log');
  const job = (process: string, fields: Partial<AgentJob> & Pick<AgentJob, 'mode'>): AgentJob => ({
    postgres: POSTGRES,
    schema: SCHEMA,
    threadId,
    sqlitePath,
    toolLog,
    auditPath: join(dir, `audit-${process}.jsonl`),
    ...fields,
  });
  const audit = (process: string): AuditEvent[] => {
    const path = join(dir, `audit-${process}.jsonl`);
    return existsSync(path)
      ? readFileSync(path, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as AuditEvent)
      : [];
  };
  /** The tool runs so far, in every process: `name:id pid`. */
  const toolRuns = () =>
    existsSync(toolLog) ? readFileSync(toolLog, 'utf8').split('\n').filter(Boolean) : [];
  const ran = (name: string) => toolRuns().filter((line) => line.startsWith(`${name}:`));
  const approvalStatus = async (approvalId: string) => {
    const store = new SqliteStore({ path: sqlitePath });
    try {
      return (await store.getApproval(threadId, approvalId))?.status;
    } finally {
      await store.close();
    }
  };
  return { threadId, job, audit, toolRuns, ran, approvalStatus };
}

const kinds = (events: AuditEvent[], event: AuditEvent['event'], callId?: string) =>
  events.filter((e) => e.event === event && (callId === undefined || e.call_id === callId));
const toolMessage = (result: AgentResult, callId: string) =>
  result.messages.find((m) => m.type === 'tool' && m.tool_call_id === callId);
const approve = (interruptId: string) => ({
  [interruptId]: { decisions: [{ type: 'approve', approver: 'ana' }] },
});

/** Process A: the conversation starts, `read` runs, `send` pauses; A prints the interrupt and dies. */
async function pauseInProcessA(s: ReturnType<typeof scenario>) {
  const { result } = await runWorker(s.job('a', { mode: 'start', exit: 'kill' }));
  expect(result.error).toBeUndefined();
  expect(result.interrupts).toHaveLength(1);
  const [interrupt] = result.interrupts as [{ id: string; value: Record<string, Record<string, unknown>> }];
  expect(interrupt.id).toEqual(expect.any(String));
  expect(interrupt.value.orbit).toMatchObject({
    tool: 'send',
    call_id: 'c-send',
    run_id: s.threadId,
    reversibility: 'irreversible',
    confidence: 0.8,
    reasons: expect.arrayContaining(['below_tool_threshold']),
  });
  expect(interrupt.value.actionRequests).toEqual([
    expect.objectContaining({ name: 'send', args: { id: 's1' } }),
  ]);
  expect(result.next).toEqual(['tools']);
  expect(result.pendingInterrupts).toBe(1);
  expect(toolMessage(result, 'c-read')?.content).toBe('read ok r1');
  // The auto-proceeding sibling ran at once; the paused one did not run.
  expect(s.toolRuns()).toEqual([`read:r1 ${result.pid}`]);
  // A decided each call once and asked for the approval.
  const a = s.audit('a');
  expect(
    kinds(a, 'decision')
      .map((e) => [e.call_id, e.decision])
      .sort(),
  ).toEqual([
    ['c-read', 'proceed'],
    ['c-send', 'pause'],
  ]);
  expect(kinds(a, 'approval').map((e) => [e.call_id, e.approval])).toEqual([['c-send', 'requested']]);
  expect(kinds(a, 'outcome').map((e) => [e.call_id, e.status])).toEqual([['c-read', 'executed']]);
  const approvalId = interrupt.value.orbit!.approval_id as string;
  expect(await s.approvalStatus(approvalId)).toBe('pending');
  return { interruptId: interrupt.id, approvalId, a: result };
}

describe.skipIf(!ANSWERS)(
  'a durable checkpointer (PostgresSaver) with ORBIT on a SQLite store, across processes',
  () => {
    it('a pending approval survives a process restart; the resume in a fresh process runs the paused tool once and nothing else again; duplicate resumes run nothing', async () => {
      const s = scenario();
      const { interruptId, approvalId, a } = await pauseInProcessA(s);

      // Process B: nothing in memory; the thread from PostgreSQL, the pending approval from SQLite.
      const { result: b } = await runWorker(s.job('b', { mode: 'resume', resume: approve(interruptId) }));
      expect(b.error).toBeUndefined();
      expect(b.interrupts).toEqual([]);
      expect(b.next).toEqual([]);
      expect(toolMessage(b, 'c-send')).toMatchObject({ content: 'send ok s1', status: 'success' });
      expect(toolMessage(b, 'c-read')).toMatchObject({ content: 'read ok r1' });
      expect(b.messages.at(-1)).toMatchObject({ type: 'ai', content: 'done' });
      // Each tool ran once in all: read in A (not re-run on resume), send in B.
      expect(s.toolRuns()).toEqual([`read:r1 ${a.pid}`, `send:s1 ${b.pid}`]);
      // B adopted the approval A stored: it answered it and ran the call, and decided nothing anew.
      const bEvents = s.audit('b');
      expect(kinds(bEvents, 'decision')).toEqual([]);
      expect(
        kinds(bEvents, 'approval').map((e) => [e.call_id, e.approval, e.approver, e.approval_id]),
      ).toEqual([['c-send', 'approve', 'ana', approvalId]]);
      expect(kinds(bEvents, 'outcome').map((e) => [e.call_id, e.decision, e.status])).toEqual([
        ['c-send', 'proceed_with_log', 'executed'],
      ]);
      expect(await s.approvalStatus(approvalId)).toBe('done');

      // Process C: the same resume again (a retried request). The thread has nothing pending any
      // more: LangGraph runs no task and writes no checkpoint, so ORBIT is not even asked.
      const { result: c } = await runWorker(s.job('c', { mode: 'resume', resume: approve(interruptId) }));
      expect(c.error).toBeUndefined();
      expect(c.interrupts).toEqual([]);
      expect(c.checkpointId).toBe(b.checkpointId);
      expect(c.messages).toEqual(b.messages);
      expect(s.audit('c')).toEqual([]);
      expect(s.ran('send')).toHaveLength(1);

      // Process D: the same resume, addressed at A's checkpoint (a retry that carries the checkpoint it
      // was answering). LangGraph forks that superseded checkpoint and re-runs the whole tool step;
      // ORBIT's claim in the store refuses the send: it ran already.
      const { result: d } = await runWorker(
        s.job('d', { mode: 'resume', resume: approve(interruptId), checkpointId: a.checkpointId! }),
      );
      expect(d.error).toBeUndefined();
      expect(d.interrupts).toEqual([]);
      expect(JSON.parse(String(toolMessage(d, 'c-send')?.content))).toMatchObject({
        refused: true,
        reasons: expect.arrayContaining(['already_executed']),
      });
      expect(s.ran('send')).toEqual([`send:s1 ${b.pid}`]);
      const dEvents = s.audit('d');
      expect(kinds(dEvents, 'decision', 'c-send')).toEqual([]);
      // D adopted the approval: it is done (the call ran), so it is neither asked for nor answered again.
      expect(kinds(dEvents, 'approval')).toEqual([]);
      expect(kinds(dEvents, 'outcome', 'c-send').map((e) => [e.status, e.reasons])).toEqual([
        ['not_executed', expect.arrayContaining(['already_executed'])],
      ]);
      // Known gap, asserted so that a fix shows here: the fork re-runs the auto-proceeding `read` too.
      // The store keeps approvals and executed writes (the compensation log), not reads, so D (which
      // never saw c-read) decides and runs it again. An auto-proceeding write would be refused
      // (`already_executed`, core's framework-calls test).
      expect(kinds(dEvents, 'decision', 'c-read').map((e) => e.decision)).toEqual(['proceed']);
      expect(s.ran('read').map((line) => line.split(' ')[1])).toEqual([String(a.pid), String(d.pid)]);
      expect(await s.approvalStatus(approvalId)).toBe('done');
    }, 180_000); // two to four Node processes each: a hang guard, generous for a loaded 2-core machine

    it('two processes resume the same interrupt at once: the paused tool runs once in all', async () => {
      const s = scenario();
      const { interruptId, approvalId, a } = await pauseInProcessA(s);

      const resumers = ['b1', 'b2'].map((name) =>
        start(s.job(name, { mode: 'resume', resume: approve(interruptId), gate: true })),
      );
      // Both have loaded everything but the thread; then both invoke together.
      await Promise.all(resumers.map((w) => w.ready()));
      for (const w of resumers) w.child.stdin.write('go\n');
      const exits = await Promise.all(resumers.map((w) => w.exited));
      expect(exits, resumers.map((w) => w.stderr()).join('\n')).toEqual([
        { code: 0, signal: null },
        { code: 0, signal: null },
      ]);
      const results = resumers.map((w) => w.result());
      const audits = ['b1', 'b2'].map((name) => s.audit(name));

      // The side effect happened once in all, and read was not re-run.
      expect(s.ran('send')).toHaveLength(1);
      expect(s.ran('read')).toEqual([`read:r1 ${a.pid}`]);
      const winner = results.findIndex((r) => s.ran('send')[0] === `send:s1 ${r.pid}`);
      expect(winner).toBeGreaterThanOrEqual(0);
      const loser = 1 - winner;
      expect(results[winner]!.error).toBeUndefined();
      expect(toolMessage(results[winner]!, 'c-send')).toMatchObject({
        content: 'send ok s1',
        status: 'success',
      });
      expect(results[winner]!.messages.at(-1)).toMatchObject({ type: 'ai', content: 'done' });
      expect(kinds(audits[winner]!, 'outcome', 'c-send').map((e) => e.status)).toEqual(['executed']);

      // Neither process decided the adopted call again.
      for (const events of audits) expect(kinds(events, 'decision')).toEqual([]);
      const lost = results[loser]!;
      expect(lost.error).toBeUndefined();
      expect(lost.messages.at(-1)).toMatchObject({ type: 'ai', content: 'done' });
      const lostOutcomes = kinds(audits[loser]!, 'outcome', 'c-send');
      if (lostOutcomes.length === 0) {
        // It loaded the thread after the winner had finished: nothing was pending, nothing ran.
        expect(audits[loser]).toEqual([]);
        expect(toolMessage(lost, 'c-send')).toMatchObject({ content: 'send ok s1' });
      } else {
        // It raced the winner from the same checkpoint (what happens here in practice): it adopted the
        // approval too. Adopted while still open, it took the answer the winner stored first (recorded
        // in its own log as well) and the claim refused; adopted once the winner ran it, it was refused
        // at once. Either way the model of its fork got the refusal.
        const answers = kinds(audits[loser]!, 'approval').map((e) => [e.call_id, e.approval, e.approver]);
        expect([[], [['c-send', 'approve', 'ana']]]).toContainEqual(answers);
        expect(lostOutcomes.map((e) => [e.status, e.reasons])).toEqual([
          ['not_executed', expect.arrayContaining(['already_executed'])],
        ]);
        expect(JSON.parse(String(toolMessage(lost, 'c-send')?.content))).toMatchObject({
          refused: true,
          reasons: expect.arrayContaining(['already_executed']),
        });
      }
      expect(await s.approvalStatus(approvalId)).toBe('done');

      // LangGraph does not serialize runs of a thread: each resume wrote its own fork, and the thread's
      // latest checkpoint is the fork created last: either the winner's (send ok) or the loser's (the
      // refusal). Both are finished.
      const latest = await checkpointer.getTuple({ configurable: { thread_id: s.threadId } });
      expect(results.map((r) => r.checkpointId)).toContain(latest!.checkpoint.id);
      const messages = (latest!.checkpoint.channel_values as { messages: BaseMessage[] }).messages;
      expect(messages.at(-1)?.content).toBe('done');
      const sent = messages.find((m) => (m as ToolMessage).tool_call_id === 'c-send')?.content;
      expect(results.map((r) => toolMessage(r, 'c-send')?.content)).toContain(sent);
    }, 180_000); // two to four Node processes each: a hang guard, generous for a loaded 2-core machine
  },
);
