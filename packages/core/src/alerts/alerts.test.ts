import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countingTool, orbitOf, orchestratorManifest } from '../../test/support.js';
import type { Alert } from './alert.js';
import { webhookNotifier } from './webhook-notifier.js';

async function withAlerts(
  manifest: Parameters<typeof orbitOf>[0] = {},
  options: Parameters<typeof orbitOf>[1] = {},
) {
  const alerts: Alert[] = [];
  const made = await orbitOf(manifest, {
    ...options,
    alerts: { ...options.alerts, notifiers: [(alert) => void alerts.push(alert)] },
  });
  return { ...made, alerts };
}
const alertEvents = (events: { event: string }[]) => events.filter((event) => event.event === 'alert');

afterEach(() => vi.restoreAllMocks());

describe('irreversible actions above the count threshold', () => {
  it('fires once when executed irreversible actions exceed the threshold', async () => {
    const { orbit, alerts, sink } = await withAlerts({
      maturity_level: 4,
      alerts: { max_irreversible_actions_per_run: 2 },
    });
    const run = orbit.startRun();
    for (const id of ['1', '2']) await run.execute(countingTool('send'), { id, confidence: 0.99 });
    expect(alerts).toEqual([]);
    for (const id of ['3', '4']) await run.execute(countingTool('send'), { id, confidence: 0.99 });
    expect(alerts.map((alert) => [alert.alert, alert.severity, alert.evidence?.count])).toEqual([
      ['irreversible_actions_over_threshold', 'critical', 3],
    ]);
    expect(alertEvents(sink.events)).toHaveLength(1);
    expect(alertEvents(sink.events)[0]).toMatchObject({
      alert: 'irreversible_actions_over_threshold',
      run_id: run.id,
      severity: 'critical',
    });
  });

  it("stays quiet on a clean run, and the application's options override the manifest", async () => {
    const quiet = await withAlerts({ maturity_level: 4 });
    const run = quiet.orbit.startRun();
    await run.execute(countingTool('send'), { id: '1', confidence: 0.99 });
    await run.execute(countingTool('update'), { id: '2', confidence: 0.99 });
    expect(quiet.alerts).toEqual([]);
    const strict = await withAlerts(
      { maturity_level: 4, alerts: { max_irreversible_actions_per_run: 5 } },
      { alerts: { max_irreversible_actions_per_run: 0 } },
    );
    await strict.orbit.startRun().execute(countingTool('send'), { id: '1', confidence: 0.99 });
    expect(strict.alerts.map((alert) => alert.alert)).toEqual(['irreversible_actions_over_threshold']);
  });
});

describe('a sub-agent spawned outside the manifest', () => {
  it('fires on a refused delegation', async () => {
    const { orbit, alerts } = await withAlerts(orchestratorManifest());
    const run = orbit.startRun();
    await run.delegate({ profile: 'data-entry', tools: [{ name: 'trigger_payment', max_calls_per_run: 1 }] });
    expect(alerts.map((alert) => [alert.alert, alert.reasons])).toEqual([
      ['sub_agent_spawned_outside_manifest', ['scope_escalation']],
    ]);
  });

  it('stays quiet on delegations within the manifest, and can be turned off', async () => {
    const { orbit, alerts } = await withAlerts(orchestratorManifest());
    const run = orbit.startRun();
    await run.delegate({ profile: 'researcher' });
    await run.delegate({ profile: 'data-entry' });
    expect(alerts).toEqual([]);
    const off = await withAlerts(orchestratorManifest({ alerts: { sub_agent_outside_manifest: false } }));
    await off.orbit
      .startRun()
      .delegate({ profile: 'nobody' })
      .catch(() => undefined);
    expect(off.alerts).toEqual([]);
  });
});

describe('confidence below the floor on an irreversible action', () => {
  it('fires on an irreversible call below the floor or without confidence', async () => {
    const { orbit, alerts } = await withAlerts({ maturity_level: 4 });
    const run = orbit.startRun();
    run.guard({ tool: 'send', confidence: 0.5 });
    run.guard({ tool: 'send' });
    expect(alerts.map((alert) => [alert.alert, alert.evidence?.confidence])).toEqual([
      ['irreversible_confidence_below_floor', 0.5],
      ['irreversible_confidence_below_floor', null],
    ]);
  });

  it('stays quiet above the floor and for reversible tools below it', async () => {
    const { orbit, alerts } = await withAlerts({ maturity_level: 4 });
    const run = orbit.startRun();
    run.guard({ tool: 'send', confidence: 0.8 });
    run.guard({ tool: 'update', confidence: 0.1 });
    expect(alerts).toEqual([]);
  });
});

describe('token budget exceeded mid-task', () => {
  it('fires once per run when a call finds the budget exceeded', async () => {
    const { orbit, alerts } = await withAlerts();
    const run = orbit.startRun();
    run.guard({ tool: 'update', confidence: 0.99, tokens: 50_000 });
    expect(alerts).toEqual([]);
    run.guard({ tool: 'update', confidence: 0.99, tokens: 40_000 });
    run.guard({ tool: 'update', confidence: 0.99 });
    expect(alerts.map((alert) => [alert.alert, alert.evidence])).toEqual([
      ['token_budget_exceeded_mid_task', { tokens: 90_000, budget: 80_000 }],
    ]);
  });
});

describe('notifiers', () => {
  it("puts the alert on the call's span and keeps a throwing notifier from breaking the run", async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const { orbit } = await orbitOf(
      { maturity_level: 4 },
      {
        alerts: {
          notifiers: [
            () => {
              throw new Error('pager down');
            },
            async () => {
              throw new Error('chat down');
            },
          ],
        },
      },
    );
    expect(orbit.startRun().guard({ tool: 'send', confidence: 0.1 }).decision).toBe('pause');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(error).toHaveBeenCalledTimes(2);
  });

  it('POSTs alerts to a webhook, retrying server errors with back-off', async () => {
    const bodies: unknown[] = [];
    let attempts = 0;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        attempts++;
        if (attempts <= 2) {
          response.writeHead(503).end();
          return;
        }
        bodies.push(JSON.parse(body));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
    const webhook = webhookNotifier({ url, backoffMs: 5, headers: { authorization: 'Bearer t' } });
    const { orbit } = await orbitOf({ maturity_level: 4 }, { alerts: { notifiers: [webhook] } });
    orbit.startRun().guard({ tool: 'send', confidence: 0.2 });
    await webhook.drain();
    server.close();
    expect(attempts).toBe(3);
    expect(bodies).toMatchObject([
      { alert: 'irreversible_confidence_below_floor', severity: 'critical', agent_id: 'test-agent' },
    ]);
  });

  it('gives up after its retries and reports it, without retrying a client error', async () => {
    let attempts = 0;
    const server = createServer((_request, response) => {
      attempts++;
      response.writeHead(400).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const failures: unknown[] = [];
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const webhook = webhookNotifier({ url, backoffMs: 1, onError: (e) => failures.push(e) });
    webhook({
      alert: 'token_budget_exceeded_mid_task',
      severity: 'medium',
      message: 'm',
      ts: '',
      run_id: 'r',
      agent_id: 'a',
      manifest_digest: 'd',
    });
    await webhook.drain();
    server.close();
    expect(attempts).toBe(1);
    expect(String(failures[0])).toContain('HTTP 400');
  });
});

describe('detector findings', () => {
  it('are raised as alerts on their run: audit event, notifier', async () => {
    const { orbit, alerts, sink } = await withAlerts({}, { detectors: true });
    const run = orbit.startRun();
    expect(run.guard({ tool: 'read' }).decision).toBe('proceed');
    expect(alerts).toEqual([]);
    run.guard({ tool: 'merge', confidence: 0.99 });
    expect(alerts.map((alert) => [alert.alert, alert.severity, alert.run_id])).toEqual([
      ['detector:scope_expansion', 'critical', run.id],
    ]);
    expect(alertEvents(sink.events).map((event) => (event as { alert?: string }).alert)).toEqual([
      'detector:scope_expansion',
    ]);
  });

  it('come from sub-agent runs too', async () => {
    const { orbit, alerts } = await withAlerts(orchestratorManifest(), { detectors: true });
    const { run: researcher } = await orbit.startRun().delegate({ profile: 'researcher' });
    researcher!.guard({ tool: 'send_external_email', confidence: 0.99 });
    expect(alerts.map((alert) => alert.alert).sort()).toEqual([
      'detector:scope_expansion',
      'detector:sub_agent_cascade',
    ]);
    expect(new Set(alerts.map((alert) => alert.run_id))).toEqual(new Set([researcher!.id]));
  });
});
