import { describe, expect, it, vi } from 'vitest';
import { feed, runEvents } from '../../test/detector-events.js';
import { type AuditEvent, MemorySink } from '../index.js';
import { createDetectors } from './create-detectors.js';
import { detectorSink } from './detector-sink.js';
import { type Detector, FAILURE_MODE_SEVERITY, FAILURE_MODES, type Finding } from './finding.js';
import { scopeExpansion } from './scope-expansion.js';

const TASK = 'Match inbound invoices to CRM accounts and update billing status';

describe('createDetectors', () => {
  it('returns the five detectors of the taxonomy, in its order', () => {
    expect(createDetectors({ taskScope: TASK }).map((detector) => detector.name)).toEqual([...FAILURE_MODES]);
    expect(FAILURE_MODE_SEVERITY).toEqual({
      confidence_drift: 'medium',
      irreversible_action_creep: 'critical',
      scope_expansion: 'critical',
      sub_agent_cascade: 'critical',
      context_window_poisoning: 'medium',
    });
  });

  it('applies the shared options and each detector’s own', () => {
    const [drift, , scope] = createDetectors({
      taskScope: TASK,
      escalationTools: ['ask_a_human'],
      maxRuns: 1,
      scopeExpansion: { threshold: 2 },
    });
    const r = runEvents();
    const low = () => r.decision('update', { confidence: 0.7 });
    expect(feed(drift!, low(), low(), r.decision('ask_a_human'), low(), low())).toEqual([]);
    const out = () => r.decision('merge', { decision: 'halt', reasons: ['tool_explicitly_blocked'] });
    expect(feed(scope!, out())).toEqual([]);
    expect(feed(scope!, out())).toHaveLength(1);
    feed(scope!, runEvents('other').decision('merge', { reasons: ['tool_explicitly_blocked'] }));
    expect(scope!.trackedRuns()).toBe(1);
  });
});

describe('detectorSink', () => {
  it('forwards every event to the next sink, then reports the findings', () => {
    const next = new MemorySink();
    const order: string[] = [];
    const sink = detectorSink(
      [scopeExpansion()],
      (finding, event) => order.push(`finding ${finding.signal} after ${next.events.indexOf(event)}`),
      next,
    );
    const r = runEvents();
    const events = [
      r.started(),
      r.decision('merge', { decision: 'halt', reasons: ['tool_explicitly_blocked'] }),
    ];
    for (const event of events) sink.write(event);
    expect(next.events).toEqual(events);
    expect(order).toEqual(['finding out_of_scope_attempts after 1']);
  });

  it('passes flush and close on, and works without a next sink', async () => {
    const next = { write: vi.fn(), flush: vi.fn(async () => {}), close: vi.fn() };
    const sink = detectorSink([], () => {}, next);
    await sink.flush?.();
    await sink.close?.();
    expect(next.flush).toHaveBeenCalledOnce();
    expect(next.close).toHaveBeenCalledOnce();
    const alone = detectorSink(createDetectors({ taskScope: TASK }), () => {});
    expect(() => alone.write(runEvents().started())).not.toThrow();
    expect(alone.flush?.()).toBeUndefined();
  });

  it('never throws: a failing detector or handler goes to onError, and the others still run', () => {
    const broken: Detector = {
      name: 'confidence_drift',
      observe: () => {
        throw new Error('detector bug');
      },
      trackedRuns: () => 0,
    };
    const errors: string[] = [];
    const findings: Finding[] = [];
    const next = new MemorySink();
    const sink = detectorSink(
      [broken, scopeExpansion()],
      (finding) => {
        findings.push(finding);
        throw new Error('pager down');
      },
      next,
      { onError: (error, event: AuditEvent) => errors.push(`${(error as Error).message} on ${event.event}`) },
    );
    sink.write(runEvents().decision('merge', { decision: 'halt', reasons: ['tool_explicitly_blocked'] }));
    expect(errors).toEqual(['detector bug on decision', 'pager down on decision']);
    expect(findings).toHaveLength(1);
    expect(next.events).toHaveLength(1);
  });

  it('warns on the console by default', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const sink = detectorSink([scopeExpansion()], () => {
      throw new Error('pager down');
    });
    sink.write(runEvents().decision('merge', { decision: 'halt', reasons: ['tool_explicitly_blocked'] }));
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
  });
});
