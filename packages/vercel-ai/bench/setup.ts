// The bench's fixtures: a manifest signed in-process, ORBIT bindings with or without an audit sink, the
// trivial tools and the scripted model's shapes. Nothing here is timed.
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
import { benchManifest, signedBenchManifest } from '../../../bench/lib/manifest.js';
import { type Shape, shapeOf } from '../../../bench/lib/shapes.js';
import { benchSink, type SinkKind } from '../../../bench/lib/sinks.js';
import { type OrbitAi, orbitVercelAi } from './adapter.js';

/** The bench's manifest: `read` is read-only (every call proceeds), `send` irreversible (a call below 0.9 pauses). */
const MANIFEST: ManifestInput = benchManifest('vai-bench', 'Measure ORBIT inside the AI SDK');

/** Signs the manifest with a fresh Ed25519 key and loads it against that key, as a deployment would. */
export const signedManifest = () =>
  signedBenchManifest<LoadedManifest>(MANIFEST, { signManifest, loadManifest });

/** A fresh ORBIT binding over `manifest`: no sink, a `MemorySink` (emptied by the caller), or a hash-chained JSONL file. */
export function bindingOf(
  manifest: LoadedManifest,
  kind: SinkKind,
): { orbitAi: OrbitAi; sink: AuditSink | undefined } {
  const sink = benchSink<AuditSink>(kind, 'orbit-vai-bench', { MemorySink, JsonlFileSink });
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

export type { Shape, SinkKind };

/** The two shapes: one turn of 10 parallel calls, and 10 turns of one call. */
export const SHAPES: readonly Shape[] = [shapeOf(1, 10), shapeOf(10, 1)];
