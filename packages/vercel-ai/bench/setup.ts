// The bench's fixtures: a manifest signed in-process, ORBIT bindings with or without an audit sink, the
// trivial tools and the scripted model's shapes. Nothing here is timed.
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AuditSink,
  createOrbit,
  JsonlFileSink,
  type LoadedManifest,
  loadManifest,
  type ManifestInput,
  MemorySink,
  signManifest,
} from '@orbit-agents/core';
import { jsonSchema, type Tool, tool, zodSchema } from 'ai';
import { z } from 'zod';
import { BENCH_LIMITS, benchSigningKey } from '../../../bench/lib/manifest.js';
import { type Shape, shapeOf } from '../../../bench/lib/shapes.js';
import { type OrbitAi, orbitVercelAi } from './adapter.js';

/** The bench's manifest: `read` is read-only (every call proceeds), `send` irreversible (a call below 0.9 pauses). */
export const MANIFEST: ManifestInput = {
  agent_id: 'vai-bench',
  manifest_version: 1,
  owner_team: '#team-bench',
  deployed_at: '2026-12-01T09:00:00Z',
  task_scope: 'Measure ORBIT inside the AI SDK',
  maturity_level: 3,
  allowed_tools: [
    { name: 'read', max_calls_per_run: 50, reversibility: 'read_only' },
    { name: 'send', max_calls_per_run: 50, reversibility: 'irreversible', confidence_threshold: 0.9 },
  ],
  ...BENCH_LIMITS,
};

/** Signs the manifest with a fresh Ed25519 key and loads it against that key, as a deployment would. */
export async function signedManifest(): Promise<LoadedManifest> {
  const { privateKey, kid, trustedKeys } = benchSigningKey();
  const signature = await signManifest({ manifest: MANIFEST, privateKey, kid });
  return loadManifest({ manifest: MANIFEST, signature, trustedKeys });
}

export type SinkKind = 'none' | 'memory' | 'jsonl';

/** The JSONL sinks' files (one per binding, in the temp directory): truncated between rounds, removed at the end. */
export const sinkPaths: string[] = [];

/** A fresh ORBIT binding over `manifest`: no sink, a `MemorySink` (emptied by the caller), or a hash-chained JSONL file. */
export function bindingOf(
  manifest: LoadedManifest,
  kind: SinkKind,
): { orbitAi: OrbitAi; sink: AuditSink | undefined } {
  let sink: AuditSink | undefined;
  if (kind === 'memory') sink = new MemorySink();
  if (kind === 'jsonl') {
    const path = join(tmpdir(), `orbit-vai-bench-${process.pid}-${sinkPaths.length}.jsonl`);
    sinkPaths.push(path);
    sink = new JsonlFileSink(path);
  }
  return { orbitAi: orbitVercelAi(createOrbit({ manifest, sink })), sink };
}

const inputSchema = z.object({ id: z.string(), confidence: z.number().optional() });

/** The trivial tool every shape calls: an SDK `tool()` with a zod schema, as an application writes it. */
export const readTool: Tool = tool({
  description: 'Reads a record',
  inputSchema,
  execute: async ({ id }) => `ok ${id}`,
});

/**
 * The same tool with its input schema turned into JSON Schema once, the SDK's own way (`zodSchema`), and
 * checked by zod as the SDK checks it. Given a zod schema, the SDK converts it again at every model call
 * (`asSchema(zod).jsonSchema` runs zod's `toJSONSchema` each time); ORBIT hands the SDK a JSON schema it
 * made once per binding, so this is the like-for-like baseline for ORBIT's own work.
 */
export async function withSchemaMadeOnce(given: Tool): Promise<Tool> {
  const schema = zodSchema(given.inputSchema as never);
  const validate = schema.validate!;
  return { ...given, inputSchema: jsonSchema(await schema.jsonSchema, { validate }) } as Tool;
}

/** `readTool`, its JSON schema made once. */
export const readToolOnce = await withSchemaMadeOnce(readTool);

/** The tool of the approval round trip: irreversible in the manifest. */
export const sendTool: Tool = tool({
  description: 'Sends a message',
  inputSchema,
  execute: async ({ id }) => `sent ${id}`,
});

/** `sendTool`, its JSON schema made once. */
export const sendToolOnce = await withSchemaMadeOnce(sendTool);

export type { Shape };

/** The two shapes: one turn of 10 parallel calls, and 10 turns of one call. */
export const SHAPES: readonly Shape[] = [shapeOf(1, 10), shapeOf(10, 1)];
