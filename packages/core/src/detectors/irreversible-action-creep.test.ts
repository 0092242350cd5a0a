import { describe, expect, it } from 'vitest';
import { feed, runEvents } from '../../test/detector-events.js';
import type { Reversibility } from '../index.js';
import { irreversibleActionCreep } from './irreversible-action-creep.js';

/** Executed calls of the given tiers, in order (I irreversible, R reversible, P partial, O read-only). */
const calls = (r: ReturnType<typeof runEvents>, tiers: string) =>
  [...tiers].flatMap((tier) => {
    const reversibility = ({ I: 'irreversible', R: 'reversible', P: 'partial', O: 'read_only' } as const)[
      tier as 'I' | 'R' | 'P' | 'O'
    ] satisfies Reversibility;
    return r.call(`${reversibility}_tool`, { reversibility });
  });

describe('irreversibleActionCreep', () => {
  it.each([
    ['IIRP', true, 1],
    ['RPII', true, 1],
    ['IIII', true, null],
    ['IRPP', false, undefined],
    ['RPRPII', false, undefined],
    ['RPRPIII', true, 0.75],
    ['III', false, undefined],
    ['IIOOOO', false, undefined],
  ])('with the defaults, %s fires: %s (ratio %s)', (tiers, fires, ratio) => {
    const findings = feed(irreversibleActionCreep(), calls(runEvents(), tiers));
    expect(findings).toHaveLength(fires ? 1 : 0);
    if (fires) {
      expect(findings[0]).toMatchObject({
        detector: 'irreversible_action_creep',
        signal: 'irreversible_ratio',
        severity: 'critical',
        evidence: { ratio, threshold: 0.5, min_writes: 4 },
      });
    }
  });

  it('stays quiet on a clean run of reads and undoable writes', () => {
    const r = runEvents();
    expect(feed(irreversibleActionCreep(), r.started(), calls(r, 'OOORRPPPIRP'), r.ended())).toEqual([]);
  });

  it('counts only executed writes: errors, refusals and escalation tools are left out', () => {
    const r = runEvents();
    const findings = feed(
      irreversibleActionCreep(),
      calls(r, 'RR'),
      r.call('send', { reversibility: 'irreversible' }, 'error'),
      r.call('send', { reversibility: 'irreversible' }, 'not_executed'),
      r.call('flag_for_human_review', { reversibility: 'partial' }),
      calls(r, 'I'),
    );
    expect(findings).toEqual([]);
  });

  it('reports the evidence, with how many irreversible calls a human approved', () => {
    const r = runEvents();
    const send = r.decision('send', { reversibility: 'irreversible', decision: 'pause' });
    const [finding] = feed(
      irreversibleActionCreep(),
      calls(r, 'RP'),
      send,
      r.approval(send, 'requested'),
      r.approval(send, 'approve'),
      r.outcome(send, { decision: 'proceed_with_log' }),
      calls(r, 'I'),
    );
    expect(finding).toMatchObject({
      call_id: 'call-4',
      evidence: { irreversible: 2, reversible: 1, partial: 1, writes: 4, ratio: 1, approved_irreversible: 1 },
    });
    expect(finding!.message).toContain('= 1.00, above 0.5');
  });

  it('honours its threshold and minimum of writes', () => {
    expect(feed(irreversibleActionCreep({ threshold: 1 }), calls(runEvents(), 'IIRP'))).toEqual([]);
    expect(feed(irreversibleActionCreep({ threshold: 0.25 }), calls(runEvents(), 'IRPP'))).toHaveLength(1);
    expect(feed(irreversibleActionCreep({ minWrites: 2 }), calls(runEvents(), 'II'))).toHaveLength(1);
    expect(feed(irreversibleActionCreep({ minWrites: 8 }), calls(runEvents(), 'IIRPI'))).toEqual([]);
    expect(() => irreversibleActionCreep({ threshold: -1 })).toThrow(
      /threshold must be a finite number >= 0/,
    );
    expect(() => irreversibleActionCreep({ minWrites: 0.5 })).toThrow(/minWrites/);
  });

  it('fires once per run and drops the run’s state when it ends', () => {
    const detector = irreversibleActionCreep();
    const r = runEvents();
    expect(feed(detector, calls(r, 'IIRPIIII'))).toHaveLength(1);
    expect(detector.trackedRuns()).toBe(1);
    feed(detector, r.ended());
    expect(detector.trackedRuns()).toBe(0);
    expect(feed(detector, calls(r, 'III'))).toEqual([]);
    feed(detector, r.halted());
    expect(detector.trackedRuns()).toBe(0);
  });
});
