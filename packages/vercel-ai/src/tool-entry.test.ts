import { createOrbit, loadManifest } from '@orbit-agents/core';
import { asSchema, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { orbitVercelAi } from './index.js';

const manifest = await loadManifest({
  manifest: {
    agent_id: 'schema-test',
    owner_team: '#team-test',
    deployed_at: '2026-12-01T09:00:00Z',
    task_scope: 'Test the model-facing schema',
    maturity_level: 3,
    allowed_tools: [{ name: 'read', max_calls_per_run: 5, reversibility: 'read_only' }],
    interruption_policy: {
      confidence_floor: 0.72,
      max_tokens_per_run: 1_000,
      max_records_touched_per_run: 10,
      time_limit_minutes: 5,
    },
  },
  allowUnsigned: true,
  logger: { warn() {} },
});

const read = tool({
  description: 'Reads a record',
  inputSchema: z.object({ id: z.string() }),
  execute: async ({ id }) => `ok ${id}`,
});

const schemaOf = (orbitAi: ReturnType<typeof orbitVercelAi>, threadId: string) =>
  orbitAi.settings({ threadId, model: 'openai/gpt-5', tools: { read } }).tools.read.inputSchema;

describe('the model-facing input schema', () => {
  it("is the tool's schema with ORBIT's confidence argument, and accepts whatever the model sends", async () => {
    const schema = asSchema(schemaOf(orbitVercelAi(createOrbit({ manifest })), 'thread-a') as never);
    const json = (await schema.jsonSchema) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(json.properties).sort()).toEqual(['confidence', 'id']);
    expect(json.required).toEqual(expect.arrayContaining(['id', 'confidence']));
    // Bad arguments reach ORBIT's decision (input_invalid), so the SDK's own check lets them through.
    expect(await schema.validate!({ id: 42 })).toEqual({ success: true, value: { id: 42 } });
  });

  it('is made once per tool and binding, not on every settings() call', () => {
    const orbitAi = orbitVercelAi(createOrbit({ manifest }));
    const first = schemaOf(orbitAi, 'thread-a');
    expect(schemaOf(orbitAi, 'thread-b')).toBe(first);
    expect(schemaOf(orbitAi, 'thread-a')).toBe(first);
    // Another binding (another orbit, perhaps another confidence source) makes its own.
    expect(schemaOf(orbitVercelAi(createOrbit({ manifest })), 'thread-a')).not.toBe(first);
  });
});

describe('as the SDK alone would send it', () => {
  it('is the input side of zod, draft-07, closed objects: a default is optional, a transform keeps its input type', async () => {
    const orbitAi = orbitVercelAi(createOrbit({ manifest }));
    const lookup = tool({
      description: 'Looks up',
      inputSchema: z.object({ id: z.string().transform((id) => id.trim()), limit: z.number().default(10) }),
      execute: async () => 'ok',
    });
    const guarded = orbitAi.settings({ threadId: 't-io', model: 'openai/gpt-5', tools: { read: lookup } })
      .tools.read;
    const json = (await asSchema(guarded.inputSchema as never).jsonSchema) as Record<string, unknown> & {
      properties: Record<string, { type?: string }>;
      required: string[];
    };
    const alone = (await asSchema(lookup.inputSchema as never).jsonSchema) as {
      properties: Record<string, unknown>;
    };
    expect(json.properties.id).toEqual(alone.properties.id);
    expect(json.properties.id?.type).toBe('string');
    expect(json.required).not.toContain('limit');
    expect(json.additionalProperties).toBe(false);
    expect(json.$schema).toBe('http://json-schema.org/draft-07/schema#');
  });
});
