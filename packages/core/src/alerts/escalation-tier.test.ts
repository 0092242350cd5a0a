import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { countingTool, manifestOf, orbitOf } from '../../test/support.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { irreversibleActionCreep } from '../detectors/irreversible-action-creep.js';
import { loadManifest } from '../manifest/load-manifest.js';
import { computeMetrics } from '../metrics/compute-metrics.js';
import { defineTool } from '../run/define-tool.js';
import type { Alert } from './alert.js';

// Issue 11 (hardening), item 6: each test fails on the code before its fix.

/** An escalation tool that declares itself irreversible: it is still an escalation, never an irreversible action. */
const askAHuman = defineTool({
  name: 'ask_a_human',
  input: z.object({ reason: z.string() }),
  execute: ({ reason }) => ({ ticket: `T-${reason}` }),
});

async function level4(alertsOverride?: { max_irreversible_actions_per_run: number }) {
  const alerts: Alert[] = [];
  const base = manifestOf().allowed_tools;
  const made = await orbitOf(
    {
      maturity_level: 4,
      allowed_tools: [
        ...base,
        { name: 'ask_a_human', max_calls_per_run: 99, escalation: true, reversibility: 'irreversible' },
      ],
      ...(alertsOverride ? { alerts: alertsOverride } : {}),
    },
    { alerts: { notifiers: [(alert) => void alerts.push(alert)] } },
  );
  return { ...made, alerts };
}

const of = (events: AuditEvent[], kind: AuditEvent['event'], tool: string) =>
  events.filter((event) => event.event === kind && event.tool === tool);

describe('escalation is a tier of its own', () => {
  it('a call to an escalation tool is reported as `escalation` in its decision, outcome and approval context', async () => {
    const { orbit, sink } = await level4();
    const run = orbit.startRun();
    const result = await run.execute(askAHuman, { reason: 'twin-accounts', confidence: 0.2 });
    expect(result.status).toBe('executed');
    expect(result.decision.reversibility).toBe('escalation');
    expect(of(sink.events, 'decision', 'ask_a_human')[0]?.reversibility).toBe('escalation');
    expect(of(sink.events, 'outcome', 'ask_a_human')[0]?.reversibility).toBe('escalation');
    // A tool with no tier and no escalation flag is still `partial` (the article's rule).
    expect(run.guard({ tool: 'unknown_tier', confidence: 0.99 }).reversibility).toBe('partial');
  });

  it('the manifest does not let a normal tool declare the `escalation` tier', async () => {
    await expect(
      loadManifest({
        manifest: manifestOf({
          allowed_tools: [{ name: 'x', max_calls_per_run: 1, reversibility: 'escalation' as never }],
        }),
        allowUnsigned: true,
        logger: { warn() {} },
      }),
    ).rejects.toMatchObject({ code: 'ERR_MANIFEST_INVALID' });
  });

  it('an escalation has nothing to undo: a rollback does not list it for manual recovery', async () => {
    const { orbit } = await level4();
    const run = orbit.startRun();
    await run.execute(countingTool('update'), { id: '1', confidence: 0.99 });
    await run.execute(askAHuman, { reason: 'twin-accounts', confidence: 0.99 });
    await run.execute(countingTool('flag'), { id: '2', confidence: 0.99 });
    const report = await run.rollback();
    expect(report.manual_recovery.map((entry) => entry.tool)).toEqual(['update']);
    expect(report.unrecoverable).toEqual([]);
  });

  it('metrics have an `escalation` tier; its calls count as escalated, not as writes of another tier', async () => {
    const { orbit, sink } = await level4();
    const run = orbit.startRun();
    await run.execute(askAHuman, { reason: 'a', confidence: 0.99 });
    await run.execute(countingTool('flag'), { id: '1', confidence: 0.99 });
    await run.execute(countingTool('update'), { id: '2', confidence: 0.99 });
    // Default options: `escalationTools` names only flag_for_human_review; the tier says it anyway.
    const agent = computeMetrics(sink.events).agents['test-agent']!;
    expect(agent.tiers.escalation.decisions).toBe(2);
    expect(agent.tiers.escalation.resolution.escalated).toBe(2);
    expect(agent.tiers.irreversible.decisions).toBe(0);
    expect(agent.tiers.partial.decisions).toBe(1);
    expect(agent.resolution.escalated).toBe(2);
  });

  it('irreversible action creep does not count escalations as writes', async () => {
    const { orbit, sink } = await level4();
    const run = orbit.startRun();
    await run.execute(countingTool('send'), { id: '1', confidence: 0.99 });
    for (const reason of ['a', 'b', 'c']) await run.execute(askAHuman, { reason, confidence: 0.99 });
    const detector = irreversibleActionCreep();
    const findings = sink.events.flatMap((event) => detector.observe(event));
    expect(findings).toEqual([]);
  });
});

describe('the irreversible-actions alert: default threshold 3, escalations never count', () => {
  it('stays quiet on an ordinary correct run: one payment, one confirmation email, two escalations', async () => {
    const { orbit, alerts, sink } = await level4();
    const run = orbit.startRun();
    await run.execute(countingTool('read'), { id: 'acct', confidence: 0.99 });
    await run.execute(countingTool('update'), { id: 'INV-1', confidence: 0.99 });
    await run.execute(countingTool('send'), { id: 'payment', confidence: 0.99 });
    await run.execute(countingTool('send'), { id: 'email', confidence: 0.99 });
    await run.execute(askAHuman, { reason: 'twin-accounts', confidence: 0.99 });
    await run.execute(countingTool('flag'), { id: 'INV-3', confidence: 0.99 });
    expect(alerts).toEqual([]);
    expect(sink.events.filter((event) => event.event === 'alert')).toEqual([]);
  });

  it('still fires when a run goes over the default threshold (the fourth irreversible action)', async () => {
    const { orbit, alerts } = await level4();
    const run = orbit.startRun();
    for (const id of ['1', '2', '3']) await run.execute(countingTool('send'), { id, confidence: 0.99 });
    for (const reason of ['a', 'b', 'c', 'd']) await run.execute(askAHuman, { reason, confidence: 0.99 });
    expect(alerts).toEqual([]);
    await run.execute(countingTool('send'), { id: '4', confidence: 0.99 });
    expect(alerts.map((alert) => [alert.alert, alert.evidence])).toEqual([
      ['irreversible_actions_over_threshold', { count: 4, threshold: 3 }],
    ]);
  });

  it('an operator who sets the threshold to 1 gets the alert on the second irreversible action', async () => {
    const { orbit, alerts } = await level4({ max_irreversible_actions_per_run: 1 });
    const run = orbit.startRun();
    await run.execute(countingTool('send'), { id: '1', confidence: 0.99 });
    await run.execute(askAHuman, { reason: 'a', confidence: 0.99 });
    expect(alerts).toEqual([]);
    await run.execute(countingTool('send'), { id: '2', confidence: 0.99 });
    expect(alerts.map((alert) => alert.alert)).toEqual(['irreversible_actions_over_threshold']);
  });
});
