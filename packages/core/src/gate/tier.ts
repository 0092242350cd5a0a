import type { Reversibility } from '../manifest/manifest-schema.js';

/**
 * The tiers a call is reported under, in audit events, spans, approval requests and metrics: the four
 * reversibility tiers of the manifest, and `escalation` for a call to an escalation tool (the article's
 * `flag_for_human_review`). A manifest cannot declare `escalation` as a reversibility: a tool is one by
 * `escalation: true`.
 */
export const TIERS = ['read_only', 'reversible', 'partial', 'irreversible', 'escalation'] as const;
export type Tier = (typeof TIERS)[number];

/** A tier whose executed calls change something: a write, kept for rollback and counted as a write. */
export type WriteTier = Exclude<Tier, 'read_only' | 'escalation'>;

/**
 * The tier of a call to `tool`: `escalation` for an escalation tool (whatever reversibility it
 * declares), else its reversibility; `partial` for a tool the policy does not know (the article's rule).
 */
export function tierOf(
  tool: { readonly reversibility: Reversibility; readonly escalation: boolean } | undefined,
): Tier {
  if (tool === undefined) return 'partial';
  return tool.escalation ? 'escalation' : tool.reversibility;
}

/**
 * True for a write: a tier that is neither `read_only` nor `escalation`. An escalation hands a case to a
 * person: it has nothing to undo, is no write and never counts as irreversible.
 */
export function isWrite(tier: Tier): tier is WriteTier {
  return tier !== 'read_only' && tier !== 'escalation';
}
