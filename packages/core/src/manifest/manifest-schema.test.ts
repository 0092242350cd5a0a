import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_CONFIDENCE_THRESHOLD, ManifestSchema } from './manifest-schema.js';

const articleYaml = readFileSync(
  new URL('../../../../fixtures/manifests/article.yaml', import.meta.url),
  'utf8',
);
const committedJsonSchema: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../schema/agent-manifest.schema.json', import.meta.url), 'utf8'),
);

describe('ManifestSchema', () => {
  it("accepts the article's manifest as written, field names unchanged", () => {
    const result = ManifestSchema.safeParse(parseYaml(articleYaml));

    expect(result.success).toBe(true);
    const manifest = result.data!;
    expect(manifest.agent_id).toBe('invoice-reconciliation-v2');
    expect(manifest.owner_team).toBe('#team-finance-automation');
    expect(manifest.deployed_at).toBe('2026-05-01T09:00:00Z');
    expect(manifest.allowed_tools.map((tool) => tool.name)).toEqual([
      'search_crm_accounts',
      'update_invoice_status',
      'flag_for_human_review',
    ]);
    expect(manifest.allowed_tools[1]).toEqual({
      name: 'update_invoice_status',
      max_calls_per_run: 100,
      reversibility: 'partial',
      confidence_threshold: 0.88,
    });
    expect(manifest.explicitly_blocked_tools).toEqual([
      'merge_crm_accounts',
      'delete_invoice',
      'send_external_email',
      'spawn_sub_agent',
    ]);
    expect(manifest.interruption_policy).toEqual({
      confidence_floor: 0.72,
      max_tokens_per_run: 80000,
      max_records_touched_per_run: 200,
      time_limit_minutes: 30,
    });
  });

  it('accepts a manifest without maturity_level and leaves it absent (level 1 is applied by the policy)', () => {
    const document = parseYaml(articleYaml);
    expect(document).not.toHaveProperty('maturity_level');

    const manifest = ManifestSchema.parse(document);

    expect(manifest).not.toHaveProperty('maturity_level');
  });

  it('accepts maturity levels 1 to 4', () => {
    for (const level of [1, 2, 3, 4]) {
      expect(ManifestSchema.parse({ ...parseYaml(articleYaml), maturity_level: level }).maturity_level).toBe(
        level,
      );
    }
  });

  it('defaults explicitly_blocked_tools to an empty list and may_delegate to false', () => {
    const { explicitly_blocked_tools: _blocked, ...document } = parseYaml(articleYaml);

    const manifest = ManifestSchema.parse({
      ...document,
      delegation: {
        max_depth: 1,
        max_sub_agents_per_run: 2,
        profiles: [{ name: 'matcher', tools: [{ name: 'search_crm_accounts', max_calls_per_run: 10 }] }],
      },
    });

    expect(manifest.explicitly_blocked_tools).toEqual([]);
    expect(manifest.delegation?.profiles[0]?.may_delegate).toBe(false);
  });

  it('refuses a delegated tool with a higher call limit than its parent allows', () => {
    const document = parseYaml(articleYaml);
    const result = ManifestSchema.safeParse({
      ...document,
      explicitly_blocked_tools: [],
      delegation: {
        max_depth: 1,
        max_sub_agents_per_run: 1,
        profiles: [{ name: 'matcher', tools: [{ name: 'search_crm_accounts', max_calls_per_run: 51 }] }],
      },
    });

    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({
        path: ['delegation', 'profiles', 0, 'tools', 0, 'max_calls_per_run'],
        message: 'expected at most 50 (the parent\'s limit for "search_crm_accounts")',
      }),
    ]);
  });

  it('uses 0.85 as the default confidence threshold', () => {
    expect(DEFAULT_CONFIDENCE_THRESHOLD).toBe(0.85);
  });
});

describe('the exported JSON Schema (schema/agent-manifest.schema.json)', () => {
  it('is exactly what the zod schema generates, so the committed file cannot drift', () => {
    const generated: Record<string, unknown> = z.toJSONSchema(ManifestSchema, {
      io: 'input',
      unrepresentable: 'any',
    });
    generated.$id = 'https://orbit-agents.dev/schema/agent-manifest.schema.json';
    generated.title = 'ORBIT agent manifest';

    expect(committedJsonSchema).toEqual(generated);
  });

  it('rejects additional properties at the top level and in each allowed tool', () => {
    expect(committedJsonSchema.type).toBe('object');
    expect(committedJsonSchema.additionalProperties).toBe(false);
    const properties = committedJsonSchema.properties as Record<string, { items?: Record<string, unknown> }>;
    expect(properties.allowed_tools?.items?.additionalProperties).toBe(false);
  });

  it("describes every top-level field of the manifest and requires the article's mandatory ones", () => {
    expect(Object.keys(committedJsonSchema.properties as object).sort()).toEqual(
      Object.keys(ManifestSchema.shape).sort(),
    );
    expect(committedJsonSchema.required).toEqual([
      'agent_id',
      'owner_team',
      'deployed_at',
      'task_scope',
      'allowed_tools',
      'interruption_policy',
    ]);
  });
});
