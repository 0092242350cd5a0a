import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { computeMetrics, maturityReadiness, recommendThreshold } from '../exports/metrics.js';
import { type ApprovalHandler, createOrbit, defineTool, loadManifest, MemorySink } from '../index.js';

/** A human who denies what the agent proposes below 0.8 confidence, and approves the rest. */
const denyBelow08: ApprovalHandler = (request) => ({
  type: (request.confidence ?? 0) < 0.8 ? 'deny' : 'approve',
  action_hash: request.action_hash,
  approver: 'reviewer@example.com',
});

describe('metrics over the real core', () => {
  it('computes the override rate, interrupts and tasks of runs gated by createOrbit', async () => {
    const manifest = await loadManifest({
      manifest: {
        agent_id: 'invoice-reconciliation-v2',
        owner_team: '#team-finance-automation',
        deployed_at: '2026-05-01T09:00:00Z',
        task_scope: 'Match inbound invoices to CRM accounts and update billing status',
        maturity_level: 1,
        allowed_tools: [
          { name: 'search_crm_accounts', max_calls_per_run: 50, reversibility: 'read_only' },
          {
            name: 'update_invoice_status',
            max_calls_per_run: 100,
            reversibility: 'partial',
            confidence_threshold: 0.88,
          },
        ],
        explicitly_blocked_tools: ['merge_crm_accounts'],
        interruption_policy: { confidence_floor: 0.72 },
      },
      allowUnsigned: true,
      logger: { warn() {} },
    });
    const sink = new MemorySink();
    const orbit = createOrbit({ manifest, sink, approvalHandler: denyBelow08 });
    const search = defineTool({
      name: 'search_crm_accounts',
      input: z.object({ query: z.string() }),
      execute: ({ query }) => [{ id: `acct-${query}` }],
    });
    const update = defineTool({
      name: 'update_invoice_status',
      input: z.object({ invoice_id: z.string(), status: z.string() }),
      records: () => 1,
      execute: (input) => input,
    });

    // Level 1: every write pauses. Four of ten are below 0.8 and denied.
    const confidences = [0.5, 0.65, 0.75, 0.79, 0.8, 0.85, 0.9, 0.93, 0.97, 0.99];
    for (const [i, confidence] of confidences.entries()) {
      const run = orbit.startRun();
      await run.execute(search, { query: `q${i}` });
      const result = await run.execute(update, { invoice_id: `INV-${i}`, status: 'paid', confidence });
      await run.end({ outcome: result.status === 'executed' ? 'success' : 'failure' });
    }
    orbit.startRun(); // started, never ended: abandoned

    const metrics = computeMetrics(sink.events);
    const agent = metrics.agents['invoice-reconciliation-v2']!;
    expect(agent.humanOverrideRate).toBe(0.4);
    expect(agent.answers).toEqual({
      approve: 6,
      deny: 4,
      edit: 0,
      timeout: 0,
      no_approval_handler: 0,
      approval_handler_failed: 0,
    });
    expect(agent.decisions).toBe(20);
    expect(agent.interruptRate).toBe(0.5);
    expect(agent.tiers.partial).toMatchObject({ interrupts: 10, humanOverrideRate: 0.4 });
    expect(agent.tiers.read_only).toMatchObject({ decisions: 10, interrupts: 0 });
    expect(agent.resolution).toMatchObject({ human: 10, agent: 0, pending: 0 });
    expect(agent.approvalLatencyMs.count).toBe(10);
    expect(agent.runs).toMatchObject({ started: 11, success: 6, failure: 4, abandoned: 1, neverEnded: 1 });
    expect(agent.maturityLevels).toEqual([1]);
    expect(agent.tools['update_invoice_status']?.calibration).toEqual(
      confidences.map((confidence) => ({ confidence, answered: 1, overridden: confidence < 0.8 ? 1 : 0 })),
    );
    expect(JSON.parse(JSON.stringify(metrics))).toEqual(metrics);

    const rec = recommendThreshold(metrics, { targetOverrideRate: 0.35, minSamples: 5 }).tools[
      'update_invoice_status'
    ];
    expect(rec).toMatchObject({ threshold: 0.8, overrideRate: 0, sampleSize: 6 });

    const readiness = maturityReadiness(metrics, 'invoice-reconciliation-v2', 1);
    expect(readiness.ready).toBe(false);
    expect(readiness.checks.filter((check) => !check.passed).map((check) => check.criterion)).toContain(
      'maxOverrideRate',
    );
  });
});
