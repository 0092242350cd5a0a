import { describe, expect, it } from 'vitest';
import { feed, runEvents } from '../../test/detector-events.js';
import { confidenceDrift } from './confidence-drift.js';

const writes = (r: ReturnType<typeof runEvents>, ...confidences: (number | null)[]) =>
  confidences.map((confidence) => r.decision('update', { confidence, decision: 'proceed_with_log' }));

describe('confidenceDrift', () => {
  it('fires on three write steps in a row below 0.75 without escalation', () => {
    const r = runEvents();
    const findings = feed(confidenceDrift(), r.started(), writes(r, 0.74, 0.7, 0.6));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      detector: 'confidence_drift',
      signal: 'low_confidence_streak',
      severity: 'medium',
      run_id: 'run-1',
      agent_id: 'agent',
      call_id: 'call-3',
      evidence: { threshold: 0.75, low_steps: 3, consecutive: 3 },
    });
    expect(findings[0]!.message).toContain('0.74, 0.7, 0.6');
  });

  it('stays quiet on a clean run: confident writes, low-confidence reads, an occasional low step', () => {
    const r = runEvents();
    const findings = feed(
      confidenceDrift(),
      r.started(),
      writes(r, 0.9, 0.74, 0.95, 0.9, 0.7, 0.88, 0.91),
      r.decision('search', { reversibility: 'read_only', confidence: 0.2 }),
      r.decision('search', { reversibility: 'read_only', confidence: 0.2 }),
      r.decision('search', { reversibility: 'read_only', confidence: 0.2 }),
      r.ended(),
    );
    expect(findings).toEqual([]);
  });

  it('fires on 3 of the last 5 write steps low, even when never 3 in a row', () => {
    const r = runEvents();
    const findings = feed(confidenceDrift(), writes(r, 0.7, 0.9, 0.7, 0.9, 0.7));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      signal: 'low_confidence_window',
      call_id: 'call-5',
      evidence: { low_steps: 3, window: { size: 5, min: 3 } },
    });
    expect((findings[0]!.evidence.steps as unknown[]).length).toBe(5);
  });

  it('resets on an escalation: a pause, an approval request or a call of an escalation tool', () => {
    const r = runEvents();
    const detector = confidenceDrift();
    expect(
      feed(
        detector,
        writes(r, 0.7, 0.7),
        r.decision('update', { confidence: 0.7, decision: 'pause' }),
        writes(r, 0.7, 0.7),
        r.decision('flag_for_human_review', { confidence: null }),
        writes(r, 0.7, 0.7),
        r.event('approval', { approval: 'requested', call_id: 'call-x' }),
        writes(r, 0.7, 0.7),
      ),
    ).toEqual([]);
    expect(feed(detector, writes(r, 0.7))).toHaveLength(1);
  });

  it('names its escalation tools in the options', () => {
    const r = runEvents();
    const detector = confidenceDrift({ escalationTools: ['ask_a_human'] });
    const steps = [writes(r, 0.7, 0.7), r.decision('flag_for_human_review'), writes(r, 0.7)];
    expect(feed(detector, ...steps)).toHaveLength(1);
    const s = runEvents('run-2');
    expect(feed(detector, writes(s, 0.7, 0.7), s.decision('ask_a_human'), writes(s, 0.7))).toEqual([]);
  });

  it('counts only writes that ran: blocked, halted, read-only and spawn decisions are skipped', () => {
    const r = runEvents();
    const findings = feed(
      confidenceDrift(),
      writes(r, 0.7),
      r.decision('update', { confidence: 0.5, decision: 'block' }),
      r.decision('update', { confidence: 0.5, decision: 'halt' }),
      r.decision('read', { confidence: 0.5, reversibility: 'read_only' }),
      r.decision('spawn_sub_agent', { confidence: null }),
      writes(r, 0.7),
    );
    expect(findings).toEqual([]);
  });

  it('counts a write without a confidence as low, unless missingIsLow is false', () => {
    const r = runEvents();
    expect(feed(confidenceDrift(), writes(r, null, null, null))).toHaveLength(1);
    const s = runEvents();
    expect(feed(confidenceDrift({ missingIsLow: false }), writes(s, null, null, null))).toEqual([]);
  });

  it('honours its threshold, streak length and window', () => {
    const low = (detector: ReturnType<typeof confidenceDrift>, ...values: number[]) =>
      feed(detector, writes(runEvents(), ...values));
    expect(low(confidenceDrift({ threshold: 0.6 }), 0.7, 0.7, 0.7)).toEqual([]);
    expect(low(confidenceDrift({ threshold: 0.8 }), 0.78, 0.78, 0.78)).toHaveLength(1);
    expect(low(confidenceDrift({ consecutive: 2 }), 0.7, 0.7)[0]?.signal).toBe('low_confidence_streak');
    expect(low(confidenceDrift({ consecutive: 4, window: false }), 0.7, 0.7, 0.7)).toEqual([]);
    expect(low(confidenceDrift({ consecutive: false }), 0.7, 0.7, 0.7)[0]?.signal).toBe(
      'low_confidence_window',
    );
    expect(
      low(confidenceDrift({ consecutive: false, window: { size: 3, min: 2 } }), 0.7, 0.9, 0.7)[0]?.signal,
    ).toBe('low_confidence_window');
    expect(
      low(confidenceDrift({ consecutive: false, window: { size: 3, min: 2 } }), 0.7, 0.9, 0.9, 0.7),
    ).toEqual([]);
  });

  it('fires once per run, and for each run on its own', () => {
    const a = runEvents('run-a');
    const b = runEvents('run-b');
    const detector = confidenceDrift();
    const findings = feed(
      detector,
      writes(a, 0.7, 0.7),
      writes(b, 0.7, 0.7),
      writes(a, 0.7, 0.7, 0.7),
      writes(b, 0.7),
    );
    expect(findings.map((finding) => finding.run_id)).toEqual(['run-a', 'run-b']);
  });

  it('drops a run’s state when it ends or halts', () => {
    const detector = confidenceDrift();
    const r = runEvents();
    feed(detector, r.started(), writes(r, 0.7, 0.7));
    expect(detector.trackedRuns()).toBe(1);
    feed(detector, r.ended());
    expect(detector.trackedRuns()).toBe(0);
    // Nothing carried over: two more low steps under the same id do not complete the streak.
    expect(feed(detector, writes(r, 0.7, 0.7))).toEqual([]);
    feed(detector, r.halted());
    expect(detector.trackedRuns()).toBe(0);
  });

  it('holds state for at most maxRuns runs', () => {
    const detector = confidenceDrift({ maxRuns: 2 });
    for (const id of ['a', 'b', 'c']) feed(detector, writes(runEvents(id), 0.7));
    expect(detector.trackedRuns()).toBe(2);
  });

  it('rejects thresholds out of range', () => {
    expect(() => confidenceDrift({ threshold: 1.5 })).toThrow(
      expect.objectContaining({ code: 'ERR_OPTIONS_INVALID' }),
    );
    expect(() => confidenceDrift({ consecutive: 0 })).toThrow(/consecutive must be a whole number >= 1/);
    expect(() => confidenceDrift({ window: { size: 3, min: 4 } })).toThrow(/window.min must be at most/);
  });
});
