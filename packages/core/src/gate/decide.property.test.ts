import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { manifestOf } from '../../test/support.js';
import { loadManifest } from '../manifest/load-manifest.js';
import { decide, type GateState } from './decide.js';
import type { MaturityLevel } from './decision-table.js';
import { compilePolicy } from './policy.js';
import { SEVERITY } from './reason-codes.js';

const loaded = await loadManifest({
  manifest: manifestOf({
    interruption_policy: {
      confidence_floor: 0.72,
      max_tokens_per_run: 1000,
      max_records_touched_per_run: 100,
      max_records_per_call: 10,
      time_limit_minutes: 1,
    },
  }),
  allowUnsigned: true,
  logger: { warn() {} },
});
const policies = ([1, 2, 3, 4] as MaturityLevel[]).map((level) => compilePolicy(loaded, level));

const arbState = fc.record({
  halted: fc.constant(false),
  calls: fc.nat({ max: 60 }),
  tokens: fc.nat({ max: 2000 }),
  records: fc.nat({ max: 150 }),
  elapsedMs: fc.nat({ max: 120_000 }),
});
const stateOf = (s: {
  halted: boolean;
  calls: number;
  tokens: number;
  records: number;
  elapsedMs: number;
}): GateState => ({
  halted: s.halted,
  callsOf: () => s.calls,
  callsOn: () => s.calls,
  tokens: s.tokens,
  records: s.records,
  elapsedMs: s.elapsedMs,
  hasSeenResourceType: () => false,
  extraTokens: 0,
  extraRecords: 0,
  extraMs: 0,
});
const arbTool = fc.constantFrom(
  'read',
  'draft',
  'update',
  'send',
  'flag',
  'unknown_tier',
  'merge',
  'spawn_sub_agent',
  'not_listed',
);
const arbConfidence = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.constant(undefined),
  fc.double(),
);
const arbRequest = fc.record({
  tool: arbTool,
  confidence: arbConfidence,
  records: fc.nat({ max: 20 }),
  resource: fc.constantFrom(undefined, 'invoice:1', 'payroll:2'),
  approved: fc.boolean(),
});

describe('gate properties', () => {
  it('never lets an explicitly blocked or out-of-manifest tool do anything but halt', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom('merge', 'spawn_sub_agent', 'not_listed'),
        arbRequest,
        arbState,
        (level, tool, request, state) => {
          const verdict = decide(policies[level]!, { ...request, tool }, stateOf(state));
          expect(verdict.decision).toBe('halt');
        },
      ),
    );
  });

  it('never gives a block or a halt a reason that promises an approval (a call limit at level 1 included)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), arbRequest, arbState, (level, request, state) => {
        const verdict = decide(policies[level]!, request, stateOf(state));
        if (SEVERITY[verdict.decision] >= SEVERITY.block)
          expect(verdict.reasons).not.toContain('maturity_level_requires_approval');
      }),
      { numRuns: 2000 },
    );
  });

  it('never makes a decision stricter when only confidence rises', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        arbRequest,
        arbState,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (level, request, state, a, b) => {
          const [low, high] = a <= b ? [a, b] : [b, a];
          const lower = decide(policies[level]!, { ...request, confidence: low }, stateOf(state));
          const higher = decide(policies[level]!, { ...request, confidence: high }, stateOf(state));
          expect(SEVERITY[higher.decision]).toBeLessThanOrEqual(SEVERITY[lower.decision]);
        },
      ),
    );
  });

  it('never makes a decision stricter when confidence goes from missing to any valid value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        arbRequest,
        arbState,
        fc.double({ min: 0, max: 1, noNaN: true }),
        (level, request, state, c) => {
          const missing = decide(policies[level]!, { ...request, confidence: undefined }, stateOf(state));
          const valid = decide(policies[level]!, { ...request, confidence: c }, stateOf(state));
          expect(SEVERITY[valid.decision]).toBeLessThanOrEqual(SEVERITY[missing.decision]);
        },
      ),
    );
  });

  it('never relaxes a decision at a lower maturity level for reversible and partial tools', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        arbRequest,
        arbState,
        fc.constantFrom('draft', 'update', 'unknown_tier'),
        (level, request, state, tool) => {
          const lower = decide(policies[level]!, { ...request, tool }, stateOf(state));
          const higher = decide(policies[level + 1]!, { ...request, tool }, stateOf(state));
          expect(SEVERITY[higher.decision]).toBeLessThanOrEqual(SEVERITY[lower.decision]);
        },
      ),
    );
  });

  it('keeps a call a person could approve at one level answerable at the next, except irreversible ones from level 1 to 2', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), arbRequest, arbState, (level, request, state) => {
        const lower = decide(policies[level]!, request, stateOf(state));
        const higher = decide(policies[level + 1]!, request, stateOf(state));
        const documented = level === 0 && request.tool === 'send';
        if (lower.decision === 'pause' && !documented)
          expect(SEVERITY[higher.decision]).toBeLessThanOrEqual(SEVERITY.pause);
      }),
    );
  });

  it('always gives a reason for anything but proceed, and only known decisions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), arbRequest, arbState, (level, request, state) => {
        const verdict = decide(policies[level]!, request, stateOf(state));
        expect(Object.keys(SEVERITY)).toContain(verdict.decision);
        if (verdict.decision !== 'proceed') expect(verdict.reasons.length).toBeGreaterThan(0);
      }),
    );
  });

  it("never lets a call past its tool's call limit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), arbRequest, arbState, (level, request, state) => {
        const verdict = decide(policies[level]!, request, stateOf({ ...state, calls: 1000 }));
        expect(SEVERITY[verdict.decision]).toBeGreaterThanOrEqual(SEVERITY.block);
      }),
    );
  });

  it('never lets an approval lift a block or a halt', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), arbRequest, arbState, (level, request, state) => {
        const plain = decide(policies[level]!, { ...request, approved: false }, stateOf(state));
        const approved = decide(policies[level]!, { ...request, approved: true }, stateOf(state));
        if (SEVERITY[plain.decision] >= SEVERITY.block) expect(approved.decision).toBe(plain.decision);
        else expect(SEVERITY[approved.decision]).toBeLessThanOrEqual(SEVERITY.proceed_with_log);
      }),
    );
  });
});
