import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { orbitOf } from '../../test/support.js';
import { ManifestInvalidError } from '../errors.js';
import { DelegationRequestSchema, TokenScopeSchema } from '../trust/token-scope.js';
import { loadManifest } from './load-manifest.js';
import { RESOURCE_PATTERN_SHAPE, RESOURCE_PATTERN_SYNTAX } from './resource-pattern-doc.js';

const base = {
  agent_id: 'orders',
  manifest_version: 1,
  owner_team: '#team',
  deployed_at: '2026-05-01T09:00:00Z',
  task_scope: 'orders',
  allowed_tools: [
    { name: 'read_order', max_calls_per_run: 5, reversibility: 'read_only', resources: ['order:*'] },
    { name: 'refund', max_calls_per_run: 5, reversibility: 'partial', resources: ['order:#W[0-9]{7}'] },
  ],
  interruption_policy: { confidence_floor: 0.5 },
};

async function loadError(manifest: object): Promise<ManifestInvalidError> {
  try {
    await loadManifest({ manifest, allowUnsigned: true, logger: { warn() {} } });
  } catch (error) {
    if (error instanceof ManifestInvalidError) return error;
    throw error;
  }
  throw new Error('expected the manifest to be refused');
}

describe('resource patterns in the manifest', () => {
  it('refuses a bad pattern at load, naming its path, the character at fault and a fix', async () => {
    const manifest = structuredClone(base);
    manifest.allowed_tools[1]!.resources = ['order:#W[0-9]{7', 'order:ok'];
    const error = await loadError(manifest);
    const message =
      '"order:#W[0-9]{7": unclosed "{" at character 14; counted repetition is {n}, {n,m} or {n,}';
    expect(error.issues).toEqual([{ path: 'allowed_tools[1].resources[0]', message }]);
    expect(error.message).toContain(`  - allowed_tools[1].resources[0]: ${message}`);
  });

  it('refuses a bad pattern in a delegation profile, at its path', async () => {
    const manifest = {
      ...structuredClone(base),
      delegation: {
        max_depth: 1,
        max_sub_agents_per_run: 1,
        profiles: [
          { name: 'p', tools: [{ name: 'refund', max_calls_per_run: 1, resources: ['order:[9-0]'] }] },
        ],
      },
    };
    const error = await loadError(manifest);
    expect(error.issues).toEqual([
      {
        path: 'delegation.profiles[0].tools[0].resources[0]',
        message:
          '"order:[9-0]": reversed range "9-0" at character 8; write the lower character first, as in [a-z]',
      },
    ]);
  });

  it('the gate allows a call on a matching resource and halts one on any other', async () => {
    const { orbit } = await orbitOf({ allowed_tools: base.allowed_tools as never, maturity_level: 4 });
    const run = orbit.startRun();
    expect(run.guard({ tool: 'refund', confidence: 0.99, resource: 'order:#W1234567' }).decision).toBe(
      'proceed',
    );
    const outside = orbit.startRun().guard({ tool: 'refund', confidence: 0.99, resource: 'order:#W123456' });
    expect(outside.decision).toBe('halt');
    expect(outside.reasons).toContain('resource_not_in_manifest');
  });

  it('token scopes and delegation requests refuse a bad pattern too (never a silently wider token)', () => {
    const request = DelegationRequestSchema.safeParse({
      profile: 'p',
      tools: [{ name: 'refund', resources: ['a|b'] }],
    });
    expect(request.success).toBe(false);
    expect(request.error?.issues[0]?.message).toMatch(/^"a\|b": "\|" outside a group at character 2;/);
    const scope = TokenScopeSchema.safeParse({
      profile: null,
      tools: { refund: { max_calls: 1, threshold: 0.9, resources: ['x{'] } },
      delegate: { allowed: false, max_depth: 0, max_sub_agents: 0 },
    });
    expect(scope.success).toBe(false);
  });
});

describe('the JSON Schema of a resource pattern', () => {
  const schema = JSON.parse(
    readFileSync(new URL('../../schema/agent-manifest.schema.json', import.meta.url), 'utf8'),
  );
  const items = schema.properties.allowed_tools.items.properties.resources.items;

  it('describes the syntax and carries the coarse shape with an editor message', () => {
    expect(items.description).toBe(RESOURCE_PATTERN_SYNTAX);
    expect(items.pattern).toBe(RESOURCE_PATTERN_SHAPE);
    expect(items.patternErrorMessage).toMatch(/^Not a valid resource pattern/);
  });

  it('its shape accepts the patterns of the examples and rejects a trailing backslash', () => {
    const shape = new RegExp(items.pattern);
    for (const ok of ['invoice:*', 'crm:contact:*', 'order:#W[0-9]{7}', '{crm|erp}:*', 'a\\[b']) {
      expect(shape.test(ok), ok).toBe(true);
    }
    expect(shape.test('invoice:\\')).toBe(false);
  });
});
