import { describe, expect, it } from 'vitest';
import { orbitOf } from '../../test/support.js';
import type { Reversibility } from '../manifest/manifest-schema.js';
import { DECISION_TABLE, type MaturityLevel } from './decision-table.js';
import { SEVERITY } from './reason-codes.js';

// One representative confidence per band, against floor 0.72 and the tools' thresholds (0.88 / 0.9 / 0.85).
const BANDS = { below_floor: 0.5, below_threshold: 0.8, at_or_above_threshold: 0.95 } as const;
const TOOL_OF: Record<Exclude<Reversibility, 'read_only'>, string> = {
  reversible: 'draft',
  partial: 'update',
  irreversible: 'send',
};

describe('the decision table, run through a real run', () => {
  for (const level of [1, 2, 3, 4] as MaturityLevel[]) {
    for (const [tier, row] of Object.entries(DECISION_TABLE[level])) {
      for (const [band, cell] of Object.entries(row)) {
        it(`level ${level}, ${tier}, ${band} → ${cell.decision} (${cell.reasons.join(', ') || 'no reasons'})`, async () => {
          const { orbit } = await orbitOf({ maturity_level: level });
          const run = orbit.startRun();
          const decision = run.guard({
            tool: TOOL_OF[tier as keyof typeof TOOL_OF],
            confidence: BANDS[band as keyof typeof BANDS],
          });
          expect(decision.decision).toBe(cell.decision);
          expect(decision.reasons).toEqual(cell.reasons);
          expect(decision.maturity_level).toBe(level);
        });
      }
    }
  }

  it('never lets raising confidence make a row stricter', () => {
    for (const level of [1, 2, 3, 4] as MaturityLevel[]) {
      for (const row of Object.values(DECISION_TABLE[level])) {
        expect(SEVERITY[row.below_floor.decision]).toBeGreaterThanOrEqual(
          SEVERITY[row.below_threshold.decision],
        );
        expect(SEVERITY[row.below_threshold.decision]).toBeGreaterThanOrEqual(
          SEVERITY[row.at_or_above_threshold.decision],
        );
      }
    }
  });

  it('never lets a higher maturity level be stricter than a lower one for reversible and partial writes', () => {
    for (const tier of ['reversible', 'partial'] as const) {
      for (const band of ['below_floor', 'below_threshold', 'at_or_above_threshold'] as const) {
        const severities = ([1, 2, 3, 4] as const).map(
          (level) => SEVERITY[DECISION_TABLE[level][tier][band].decision],
        );
        expect([...severities].sort((a, b) => b - a)).toEqual(severities);
      }
    }
  });

  it("is the level-4 behaviour of the article's reversibility_gate for irreversible tools (BLOCK: halt, request human review)", () => {
    expect(DECISION_TABLE[4].irreversible.below_threshold).toEqual({
      decision: 'pause',
      reasons: ['irreversible_below_threshold'],
    });
    expect(DECISION_TABLE[4].irreversible.below_floor).toEqual({
      decision: 'pause',
      reasons: ['confidence_below_floor', 'irreversible_below_threshold'],
    });
    expect(DECISION_TABLE[4].irreversible.at_or_above_threshold.decision).toBe('proceed_with_log');
    expect(DECISION_TABLE[4].reversible.at_or_above_threshold.decision).toBe('proceed');
  });

  it('never gives a block cell a reason that promises an approval', () => {
    for (const level of [1, 2, 3, 4] as MaturityLevel[]) {
      for (const row of Object.values(DECISION_TABLE[level])) {
        for (const cell of Object.values(row)) {
          if (cell.decision === 'block')
            expect(cell.reasons).not.toContain('maturity_level_requires_approval');
          if (cell.reasons.includes('maturity_level_requires_approval')) expect(cell.decision).toBe('pause');
        }
      }
    }
    expect(DECISION_TABLE[2].irreversible.at_or_above_threshold.reasons).toEqual([
      'irreversible_action',
      'maturity_level_blocks_irreversible',
    ]);
  });

  it('keeps a call a person could approve at one level answerable by a person at the next, except irreversible writes from level 1 to 2', () => {
    const unanswerable: string[] = [];
    for (const level of [1, 2, 3] as MaturityLevel[]) {
      for (const [tier, row] of Object.entries(DECISION_TABLE[level])) {
        for (const [band, cell] of Object.entries(row)) {
          if (cell.decision !== 'pause') continue;
          const next = DECISION_TABLE[(level + 1) as MaturityLevel][tier as 'partial'][band as 'below_floor'];
          // Answerable: a person is asked (pause), or nobody needs to be (it runs).
          if (SEVERITY[next.decision] > SEVERITY.pause)
            unanswerable.push(`${level}→${level + 1} ${tier} ${band}`);
        }
      }
    }
    expect(unanswerable).toEqual([
      '1→2 irreversible below_floor',
      '1→2 irreversible below_threshold',
      '1→2 irreversible at_or_above_threshold',
    ]);
  });

  it('matches the table in the core README', async () => {
    const { readFileSync } = await import('node:fs');
    // Table rows with the padding a formatter adds taken out: `| 1 | reversible | ... |`.
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8').replace(
      / *\| */g,
      ' | ',
    );
    for (const level of [1, 2, 3, 4] as MaturityLevel[]) {
      for (const [tier, row] of Object.entries(DECISION_TABLE[level])) {
        const cells = Object.values(row).map((cell) => `\`${cell.decision}\``);
        expect(readme).toContain(`| ${level} | ${tier} | ${cells.join(' | ')} |`);
      }
    }
  });
});

describe('read-only and escalation tools', () => {
  for (const level of [1, 2, 3, 4] as MaturityLevel[]) {
    it(`proceed at level ${level} at any confidence, even without one`, async () => {
      const { orbit } = await orbitOf({ maturity_level: level });
      const run = orbit.startRun();
      for (const confidence of [undefined, 0, 0.3, 0.99]) {
        expect(run.guard({ tool: 'read', confidence }).decision).toBe('proceed');
        expect(run.guard({ tool: 'flag', confidence }).decision).toBe('proceed');
      }
    });
  }

  it('treats a tool without a reversibility as partial', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const decision = run.guard({ tool: 'unknown_tier', confidence: 0.8 });
    expect(decision.reversibility).toBe('partial');
    expect(decision.decision).toBe('pause');
    expect(decision.reasons).toEqual(['below_tool_threshold']);
    expect(run.guard({ tool: 'unknown_tier', confidence: 0.86 }).decision).toBe('proceed');
  });
});
