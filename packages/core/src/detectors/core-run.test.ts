import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDetectors, detectorSink, type Finding } from '../exports/detectors.js';
import {
  type AuditEvent,
  createOrbit,
  defineTool,
  loadManifest,
  type ManifestInput,
  MemorySink,
  RunHaltedError,
} from '../index.js';

const TASK = 'Match inbound invoices to CRM accounts and update billing status';

/** The article's invoice agent at level 3, with a lax threshold on status updates (so low confidence runs). */
const invoiceManifest: ManifestInput = {
  agent_id: 'invoice-reconciliation-v2',
  owner_team: '#team-finance-automation',
  deployed_at: '2026-05-01T09:00:00Z',
  task_scope: TASK,
  maturity_level: 3,
  allowed_tools: [
    { name: 'search_crm_accounts', max_calls_per_run: 50, reversibility: 'read_only' },
    {
      name: 'update_invoice_status',
      max_calls_per_run: 100,
      reversibility: 'partial',
      confidence_threshold: 0.6,
      resources: ['invoice:*'],
    },
    { name: 'flag_for_human_review', max_calls_per_run: 999, escalation: true },
  ],
  explicitly_blocked_tools: [
    'merge_crm_accounts',
    'delete_invoice',
    'send_external_email',
    'spawn_sub_agent',
  ],
  interruption_policy: { confidence_floor: 0.5, max_tokens_per_run: 80_000, time_limit_minutes: 30 },
};

/** An orchestrator allowed one sub-agent, whose data-entry profile may only touch CRM contacts. */
const orchestratorManifest: ManifestInput = {
  agent_id: 'research-orchestrator',
  owner_team: '#team-research',
  deployed_at: '2026-05-01T09:00:00Z',
  task_scope: 'Research vendors and record contacts in the CRM',
  maturity_level: 3,
  allowed_tools: [
    { name: 'web_search', max_calls_per_run: 20, reversibility: 'read_only' },
    {
      name: 'update_crm_record',
      max_calls_per_run: 10,
      reversibility: 'partial',
      confidence_threshold: 0.8,
      resources: ['crm:*'],
    },
  ],
  explicitly_blocked_tools: [],
  interruption_policy: { confidence_floor: 0.7 },
  delegation: {
    max_depth: 1,
    max_sub_agents_per_run: 1,
    profiles: [
      {
        name: 'data-entry',
        tools: [{ name: 'update_crm_record', max_calls_per_run: 3, resources: ['crm:contact:*'] }],
        may_delegate: false,
      },
    ],
  },
};

async function watched(manifest: ManifestInput) {
  const loaded = await loadManifest({ manifest, allowUnsigned: true, logger: { warn() {} } });
  const detectors = createDetectors({ taskScope: loaded.manifest.task_scope });
  const findings: Finding[] = [];
  const next = new MemorySink();
  const sink = detectorSink(detectors, (finding) => findings.push(finding), next);
  return { orbit: createOrbit({ manifest: loaded, sink }), detectors, findings, events: next.events };
}

const tool = (name: string, resource: (input: { id: string }) => string) =>
  defineTool({
    name,
    input: z.object({ id: z.string(), status: z.string().optional() }),
    resource,
    execute: (input) => ({ ...input, ok: true }),
  });
const updateInvoice = tool('update_invoice_status', ({ id }) => `invoice:${id}`);
const flag = tool('flag_for_human_review', ({ id }) => `invoice:${id}`);
const merge = tool('merge_crm_accounts', ({ id }) => `crm:account:${id}`);
const updateCrm = tool('update_crm_record', ({ id }) => `crm:${id}`);

const signals = (findings: Finding[]) => findings.map((finding) => `${finding.detector}/${finding.signal}`);

describe('detectors on the events of a real run', () => {
  it('reports scope expansion when a blocked tool halts the run, and forwards every event', async () => {
    const { orbit, findings, events, detectors } = await watched(invoiceManifest);
    const run = orbit.startRun();
    await run.execute(updateInvoice, { id: 'INV-1', status: 'matched', confidence: 0.95 });
    await expect(run.execute(merge, { id: '42', confidence: 0.99 })).rejects.toBeInstanceOf(RunHaltedError);
    await run.end();
    expect(signals(findings)).toEqual(['scope_expansion/out_of_scope_attempts']);
    expect(findings[0]).toMatchObject({
      severity: 'critical',
      run_id: run.id,
      agent_id: 'invoice-reconciliation-v2',
      evidence: { tool: 'merge_crm_accounts', reasons: ['tool_explicitly_blocked'], decision: 'halt' },
    });
    expect(events.map((event: AuditEvent) => event.event)).toEqual([
      'run',
      'decision',
      'outcome',
      'decision',
      'outcome',
      'run',
    ]);
    expect(events.at(-1)).toMatchObject({ run: 'halted' });
    expect(detectors.map((detector) => detector.trackedRuns())).toEqual([0, 0, 0, 0, 0]);
  });

  it('reports confidence drift on three low-confidence updates, and not when the agent flags in between', async () => {
    const { orbit, findings, detectors } = await watched(invoiceManifest);
    const drifting = orbit.startRun();
    for (const id of ['INV-1', 'INV-2', 'INV-3']) {
      const result = await drifting.execute(updateInvoice, { id, status: 'matched', confidence: 0.7 });
      expect(result.status).toBe('executed');
    }
    await drifting.end();
    expect(signals(findings)).toEqual(['confidence_drift/low_confidence_streak']);
    expect(findings[0]).toMatchObject({
      severity: 'medium',
      run_id: drifting.id,
      evidence: { low_steps: 3 },
    });

    findings.length = 0;
    const careful = orbit.startRun();
    await careful.execute(updateInvoice, { id: 'INV-4', status: 'matched', confidence: 0.7 });
    await careful.execute(updateInvoice, { id: 'INV-5', status: 'matched', confidence: 0.7 });
    await careful.execute(flag, { id: 'INV-6' });
    await careful.execute(updateInvoice, { id: 'INV-6', status: 'matched', confidence: 0.7 });
    await careful.end({ outcome: 'success' });
    expect(findings).toEqual([]);
    expect(detectors.map((detector) => detector.trackedRuns())).toEqual([0, 0, 0, 0, 0]);
  });

  it('reports context window poisoning: a contradicted update and a drifting goal', async () => {
    const { orbit, findings } = await watched(invoiceManifest);
    const run = orbit.startRun();
    run.recordGoal('Match inbound invoices to their CRM accounts, then update billing status');
    await run.execute(updateInvoice, { id: 'INV-1', status: 'matched', confidence: 0.95 });
    await run.execute(updateInvoice, { id: 'INV-1', status: 'open', confidence: 0.95 });
    run.recordGoal('Merge duplicate CRM accounts and email customers about overdue payments');
    await run.end();
    expect(signals(findings)).toEqual([
      'context_window_poisoning/action_contradicted',
      'context_window_poisoning/goal_divergence',
    ]);
    expect(findings[0]!.evidence).toMatchObject({
      resource: 'invoice:INV-1',
      changed: [{ field: 'status', before: 'matched', after: 'open' }],
    });
  });

  it('reports a sub-agent cascade: a spawn over the limit and a sub-agent out of its scope', async () => {
    const { orbit, findings, detectors } = await watched(orchestratorManifest);
    const run = orbit.startRun();
    const { run: entry } = await run.delegate({ profile: 'data-entry' });
    expect((await entry!.execute(updateCrm, { id: 'contact:7', confidence: 0.9 })).status).toBe('executed');
    await expect(entry!.execute(updateCrm, { id: 'account:7', confidence: 0.9 })).rejects.toBeInstanceOf(
      RunHaltedError,
    );
    await expect(run.delegate({ profile: 'data-entry', agentId: 'second' })).rejects.toBeInstanceOf(
      RunHaltedError,
    );
    await entry!.end();
    await run.end();
    expect(signals(findings)).toEqual([
      'scope_expansion/out_of_scope_attempts',
      'sub_agent_cascade/sub_agent_out_of_scope',
      'sub_agent_cascade/spawn_over_limit',
    ]);
    expect(findings[1]).toMatchObject({
      run_id: entry!.id,
      agent_id: 'data-entry',
      evidence: {
        root_run_id: run.id,
        parent_run_id: run.id,
        resource: 'crm:account:7',
        token_id: entry!.tokenId,
      },
    });
    expect(findings[2]).toMatchObject({
      run_id: run.id,
      evidence: { reasons: ['sub_agent_limit_exceeded'] },
    });
    expect(detectors.map((detector) => detector.trackedRuns())).toEqual([0, 0, 0, 0, 0]);
  });
});
