import { describe, expect, it } from 'vitest';
import { feed, runEvents } from '../../test/detector-events.js';
import { SCOPE_EXPANSION_REASONS, scopeExpansion } from './scope-expansion.js';

describe('scopeExpansion', () => {
  it.each(SCOPE_EXPANSION_REASONS)('fires on the first decision with %s', (reason) => {
    const r = runEvents();
    const findings = feed(
      scopeExpansion(),
      r.started(),
      r.call('update', { resource: 'invoice:INV-1' }),
      r.decision('merge', { decision: 'halt', reasons: [reason], resource: 'crm:account:1' }),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        detector: 'scope_expansion',
        signal: 'out_of_scope_attempts',
        severity: 'critical',
        run_id: 'run-1',
        call_id: 'call-2',
        evidence: {
          tool: 'merge',
          resource: 'crm:account:1',
          reasons: [reason],
          decision: 'halt',
          attempts: 1,
          threshold: 1,
        },
      }),
    ]);
  });

  it('stays quiet on a clean run, and on refusals for other reasons', () => {
    const r = runEvents();
    const findings = feed(
      scopeExpansion(),
      r.started(),
      r.call('update', { resource: 'invoice:INV-1' }),
      r.decision('update', { decision: 'pause', reasons: ['below_tool_threshold'] }),
      r.decision('update', { decision: 'block', reasons: ['max_calls_exceeded'] }),
      r.decision('send', { decision: 'block', reasons: ['irreversible_action'] }),
      r.ended(),
    );
    expect(findings).toEqual([]);
  });

  it('honours its threshold and reasons', () => {
    const r = runEvents();
    const detector = scopeExpansion({ threshold: 2, reasons: ['tool_not_in_manifest'] });
    expect(
      feed(
        detector,
        r.decision('x', { decision: 'halt', reasons: ['tool_not_in_manifest'] }),
        r.decision('y', { decision: 'pause', reasons: ['new_resource_type'] }),
      ),
    ).toEqual([]);
    const [finding] = feed(
      detector,
      r.decision('z', { decision: 'halt', reasons: ['tool_not_in_manifest'] }),
    );
    expect(finding).toMatchObject({ call_id: 'call-3', evidence: { attempts: 2, threshold: 2 } });
    expect(() => scopeExpansion({ threshold: 0 })).toThrow(/threshold must be a whole number >= 1/);
  });

  it('fires once per run, for each run on its own, and drops a run’s state when it ends', () => {
    const detector = scopeExpansion();
    const a = runEvents('run-a');
    const b = runEvents('run-b');
    const out = (r: ReturnType<typeof runEvents>) =>
      r.decision('merge', { decision: 'halt', reasons: ['tool_explicitly_blocked'] });
    expect(feed(detector, out(a), out(a), out(b), out(b)).map((finding) => finding.run_id)).toEqual([
      'run-a',
      'run-b',
    ]);
    expect(detector.trackedRuns()).toBe(2);
    feed(detector, a.halted(), b.ended());
    expect(detector.trackedRuns()).toBe(0);
  });
});
