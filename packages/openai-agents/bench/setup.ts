// The bench's fixtures: the SDK's tracing turned off, a manifest signed in-process, ORBIT bindings with or
// without an audit sink, the trivial tools' SDK options and the scripted model's shapes. Nothing here is timed.
import { setTracingDisabled, tool } from '@openai/agents';
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
import { z } from 'zod';
import { benchManifest, signedBenchManifest } from '../../../bench/lib/manifest.js';
import { type Shape, shapeOf } from '../../../bench/lib/shapes.js';
import { benchSink, type SinkKind } from '../../../bench/lib/sinks.js';
import { type OrbitAgents, orbitOpenAIAgents } from './adapter.js';

// Importing @openai/agents installs OpenAI's trace exporter. Off in every variant, with ORBIT and without, so
// that neither pays for spans (and nothing leaves the machine).
setTracingDisabled(true);

/** Tool calls per `run()`, in both shapes. */
export const CALLS = 10;

/** The two shapes: one turn of 10 parallel calls, and 10 turns of one call. */
export const SHAPES: readonly Shape[] = [shapeOf(1, CALLS), shapeOf(CALLS, 1)];

/** Every `run()`'s options besides the context: 10 turns of one call take 11 model calls (the default is 10). */
export const RUN_OPTIONS = { maxTurns: 20 };

/** The bench's manifest: `read` is read-only (every call proceeds), `send` irreversible (a call below 0.9 pauses). */
const MANIFEST: ManifestInput = benchManifest('oa-bench', 'Measure ORBIT inside the OpenAI Agents SDK');

/** Signs the manifest with a fresh Ed25519 key and loads it against that key, as a deployment would. */
export const signedManifest = () =>
  signedBenchManifest<LoadedManifest>(MANIFEST, { signManifest, loadManifest });

/**
 * A fresh ORBIT binding over `manifest` on an in-memory deployment (`createOrbit` with its default stores):
 * no sink, a `MemorySink` (emptied by the caller), or a hash-chained JSONL file.
 */
export function bindingOf(
  manifest: LoadedManifest,
  kind: SinkKind,
): { oa: OrbitAgents; sink: AuditSink | undefined } {
  const sink = benchSink<AuditSink>(kind, 'orbit-oa-bench', { MemorySink, JsonlFileSink });
  return { oa: orbitOpenAIAgents(createOrbit({ manifest, sink })), sink };
}

const parameters = z.object({ id: z.string(), confidence: z.number().optional() });

/** The trivial tool every shape calls, as `tool()` options with a zod schema: the SDK's `tool(readOptions)`, or ORBIT's `oa.tool(readOptions)`. */
export const readOptions = {
  name: 'read',
  description: 'Reads a record',
  parameters,
  execute: async ({ id }: { id: string }) => `ok ${id}`,
};

/** The tool of the approval round trip: irreversible in the manifest. */
export const sendOptions = {
  name: 'send',
  description: 'Sends a message',
  parameters,
  execute: async ({ id }: { id: string }) => `sent ${id}`,
};

/** `read` built by the SDK (`tool(readOptions)`): the SDK alone's tool, and the one `oa.agent()` wraps as built. */
export const readTool = tool(readOptions);

/**
 * The control's `read`: what ORBIT's guarded tool switches on in the SDK, each doing nothing. A `needsApproval`
 * function (the SDK then fingerprints each call and snapshots its input for the policy, as it does for ORBIT's)
 * and no error function (errors reach ORBIT). Given `json`, the tool takes that JSON schema, non-strict, as
 * ORBIT's does (the schema `oa.tool()` hands the SDK; the SDK then only parses the JSON), instead of the zod one.
 */
export function controlTool(json?: Record<string, unknown>) {
  const options = json
    ? {
        ...readOptions,
        parameters: json,
        strict: false,
        execute: async (input: unknown) => `ok ${(input as { id: string }).id}`,
      }
    : readOptions;
  return tool({
    ...options,
    needsApproval: async () => false,
    errorFunction: null,
  } as unknown as typeof readOptions);
}

export type { Shape, SinkKind };
