// A worker process for the durable-checkpointer tests: one createAgent agent with the ORBIT middleware,
// its checkpoints in PostgreSQL (PostgresSaver) and its ORBIT run in a SQLite file (SqliteStore). Each
// process starts from nothing in memory: what it knows of the thread comes from those two stores.
//
// argv[2] is the job (JSON). The worker prints one line `RESULT <json>` and exits.
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { BaseMessage } from '@langchain/core/messages';
import { Command, type Interrupt } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { createOrbit, JsonlFileSink, loadManifest } from '@orbit-agents/core';
import { SqliteStore } from '@orbit-agents/core/stores/sqlite';
import { createAgent, tool } from 'langchain';
import { z } from 'zod';
import { orbitLangGraph } from '../../src/index.js';
import { manifestOf, ScriptedChatModel } from '../support.js';

export interface AgentJob {
  /** `start`: a new conversation that pauses. `resume`: a `Command({ resume })` on the thread. */
  mode: 'start' | 'resume';
  postgres: string;
  schema: string;
  threadId: string;
  sqlitePath: string;
  auditPath: string;
  /** Every tool run appends `name:id pid` here: the side effect the test counts across processes. */
  toolLog: string;
  /** The resume map (interrupt id to HITL response) of a `resume` job; without it, the invoke input is `null`. */
  resume?: Record<string, unknown>;
  /** Resume from this checkpoint rather than the thread's latest (a retry carrying an old checkpoint). */
  checkpointId?: string;
  /** Print `READY` and wait for a line on stdin before invoking (to start several workers together). */
  gate?: boolean;
  /** `kill`: SIGKILL itself once the result is printed (nothing is closed, as in a crash). Default: exit cleanly. */
  exit?: 'kill' | 'clean';
}

export interface AgentResult {
  pid: number;
  interrupts: { id: string | undefined; value: unknown }[];
  messages: { type: string; tool_call_id?: string; content: unknown; status?: string }[];
  /** The thread after the invoke: its pending nodes, its checkpoint, the pending interrupts it holds. */
  next: string[];
  checkpointId: string | undefined;
  pendingInterrupts: number;
  error?: { name: string; message: string; causes: string[] };
}

const job = JSON.parse(process.argv[2]!) as AgentJob;

const manifest = await loadManifest({ manifest: manifestOf(), allowUnsigned: true, logger: { warn() {} } });
const store = new SqliteStore({ path: job.sqlitePath });
const sink = new JsonlFileSink(job.auditPath);
const orbit = createOrbit({
  manifest,
  sink,
  store,
  approvalTimeoutMs: 600_000,
  onStoreError: (error) => console.error('store error', error),
});
const orbitLg = orbitLangGraph(orbit);

const logged = (name: string) =>
  tool(
    async ({ id }: { id: string }) => {
      appendFileSync(job.toolLog, `${name}:${id} ${process.pid}\n`);
      return `${name} ok ${id}`;
    },
    { name, description: `${name} a thing`, schema: z.object({ id: z.string() }) },
  );

// One turn with two calls: `read` proceeds (read-only, confident), `send` pauses (irreversible, 0.8 < 0.9).
const model = new ScriptedChatModel([
  [
    { name: 'read', args: { id: 'r1', confidence: 0.99 }, id: 'c-read' },
    { name: 'send', args: { id: 's1', confidence: 0.8 }, id: 'c-send' },
  ],
]);
const checkpointer = PostgresSaver.fromConnString(job.postgres, { schema: job.schema });
const agent = createAgent({
  model,
  tools: [logged('read'), logged('send')],
  middleware: [orbitLg.middleware()],
  checkpointer,
});

if (job.gate) {
  console.log('READY');
  const lines = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => lines.once('line', () => resolve()));
  lines.close();
}

const config = {
  configurable: { thread_id: job.threadId, ...(job.checkpointId ? { checkpoint_id: job.checkpointId } : {}) },
};
const result: AgentResult = {
  pid: process.pid,
  interrupts: [],
  messages: [],
  next: [],
  checkpointId: undefined,
  pendingInterrupts: 0,
};
try {
  const output = (await agent.invoke(
    job.mode === 'start'
      ? { messages: [{ role: 'user', content: 'read r1, then send s1' }] }
      : job.resume === undefined
        ? null
        : new Command({ resume: job.resume }),
    config,
  )) as { messages?: BaseMessage[]; __interrupt__?: Interrupt[] };
  result.interrupts = (output.__interrupt__ ?? []).map((entry) => ({ id: entry.id, value: entry.value }));
  result.messages = (output.messages ?? []).map(describe);
} catch (error) {
  result.error = describeError(error);
}
const state = await agent.graph.getState({ configurable: { thread_id: job.threadId } });
result.next = [...state.next];
result.checkpointId = state.config.configurable?.checkpoint_id as string | undefined;
result.pendingInterrupts = state.tasks.reduce((count, task) => count + task.interrupts.length, 0);

console.log(`RESULT ${JSON.stringify(result)}`);
if (job.exit === 'kill') {
  // A crash: the audit buffer is flushed (as its signal handler would), nothing else is closed.
  sink.flush();
  process.kill(process.pid, 'SIGKILL');
} else {
  sink.close();
  await store.close();
  await checkpointer.end();
  process.exit(0);
}

function describe(message: BaseMessage): AgentResult['messages'][number] {
  const tool = message as { tool_call_id?: string; status?: string };
  return {
    type: message.getType(),
    content: message.content,
    ...(tool.tool_call_id === undefined ? {} : { tool_call_id: tool.tool_call_id }),
    ...(tool.status === undefined ? {} : { status: tool.status }),
  };
}

function describeError(error: unknown): NonNullable<AgentResult['error']> {
  const causes: string[] = [];
  for (let cause = (error as { cause?: unknown })?.cause; cause && causes.length < 5; ) {
    causes.push(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
    cause = (cause as { cause?: unknown }).cause;
  }
  return error instanceof Error
    ? { name: error.name, message: error.message, causes }
    : { name: 'unknown', message: String(error), causes };
}
