import { z } from 'zod';
import {
  type ApprovalHandler,
  createOrbit,
  defineTool,
  loadManifest,
  type ManifestInput,
  MemorySink,
  type OrbitOptions,
} from '../src/index.js';

/** A small manifest with one tool per tier; override any part. */
export function manifestOf(overrides: Partial<ManifestInput> = {}): ManifestInput {
  return {
    agent_id: 'test-agent',
    manifest_version: 1,
    owner_team: '#team-test',
    deployed_at: '2026-05-01T09:00:00Z',
    task_scope: 'Test the gate',
    maturity_level: 3,
    allowed_tools: [
      { name: 'read', max_calls_per_run: 50, reversibility: 'read_only' },
      { name: 'draft', max_calls_per_run: 50, reversibility: 'reversible' },
      { name: 'update', max_calls_per_run: 50, reversibility: 'partial', confidence_threshold: 0.88 },
      { name: 'send', max_calls_per_run: 50, reversibility: 'irreversible', confidence_threshold: 0.9 },
      { name: 'flag', max_calls_per_run: 999, escalation: true },
      { name: 'unknown_tier', max_calls_per_run: 50 },
    ],
    explicitly_blocked_tools: ['merge', 'spawn_sub_agent'],
    interruption_policy: {
      confidence_floor: 0.72,
      max_tokens_per_run: 80_000,
      max_records_touched_per_run: 200,
      time_limit_minutes: 30,
    },
    ...overrides,
  };
}

/** An orbit over a manifest loaded unsigned (quietly), recording events in memory. */
export async function orbitOf(overrides: Partial<ManifestInput> = {}, options: Partial<OrbitOptions> = {}) {
  const manifest = await loadManifest({
    manifest: manifestOf(overrides),
    allowUnsigned: true,
    logger: { warn() {} },
  });
  const sink = new MemorySink();
  const orbit = createOrbit({ manifest, sink, ...options });
  return { orbit, sink, manifest };
}

export const approveAll: ApprovalHandler = (request) => ({
  type: 'approve',
  action_hash: request.action_hash,
  approver: 'tester',
});
export const denyAll: ApprovalHandler = (request) => ({
  type: 'deny',
  action_hash: request.action_hash,
  approver: 'tester',
});

/** A tool of the given name whose calls are counted and whose undo is recorded. */
export function countingTool(name: string, log: string[] = []) {
  return defineTool({
    name,
    input: z.object({ id: z.string() }),
    resource: ({ id }) => `item:${id}`,
    records: () => 1,
    execute: ({ id }) => {
      log.push(`${name}:${id}`);
      return { id };
    },
    undo: ({ id }) => {
      log.push(`undo:${name}:${id}`);
    },
  });
}

/** An orchestrator's manifest with two sub-agent profiles at depth 1 (the research-orchestrator shape). */
export function orchestratorManifest(overrides: Partial<ManifestInput> = {}): ManifestInput {
  return manifestOf({
    agent_id: 'orchestrator',
    manifest_version: 1,
    maturity_level: 3,
    allowed_tools: [
      { name: 'web_search', max_calls_per_run: 20, reversibility: 'read_only' },
      { name: 'read_document', max_calls_per_run: 20, reversibility: 'read_only' },
      { name: 'flag_for_human_review', max_calls_per_run: 10, escalation: true },
      {
        name: 'update_crm_record',
        max_calls_per_run: 10,
        reversibility: 'partial',
        confidence_threshold: 0.8,
        resources: ['crm:*'],
      },
      {
        name: 'send_external_email',
        max_calls_per_run: 2,
        reversibility: 'irreversible',
        confidence_threshold: 0.95,
      },
    ],
    explicitly_blocked_tools: ['trigger_payment_batch'],
    interruption_policy: {
      confidence_floor: 0.7,
      max_tokens_per_run: 10_000,
      max_records_touched_per_run: 100,
      time_limit_minutes: 30,
    },
    delegation: {
      max_depth: 1,
      max_sub_agents_per_run: 2,
      profiles: [
        {
          name: 'researcher',
          tools: [
            { name: 'web_search', max_calls_per_run: 5 },
            { name: 'read_document', max_calls_per_run: 5 },
            { name: 'flag_for_human_review', max_calls_per_run: 2 },
          ],
          may_delegate: false,
          max_tokens_per_run: 2_000,
        },
        {
          name: 'data-entry',
          tools: [{ name: 'update_crm_record', max_calls_per_run: 3, resources: ['crm:contact:*'] }],
          may_delegate: false,
        },
      ],
    },
    ...overrides,
  });
}
