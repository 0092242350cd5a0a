import { CEL_ERROR } from '../conditions/cel-values.js';
import { REVERSIBILITY_RANK, type Reversibility, ReversibilitySchema } from '../manifest/manifest-schema.js';
import type { ToolPolicy } from './policy.js';
import { raise, type Verdict } from './verdict.js';

/**
 * Evaluates a tool's argument conditions on a call's arguments (the snapshot) into the verdict: a
 * `pause_when` that holds pauses (`condition_pause:<name>`); a `block_when` that holds or a `require`
 * that does not blocks (`condition_block:<name>`, `condition_require:<name>`); a condition that errs
 * blocks (`condition_error:<name>`). Every condition is evaluated, so every one that fired is named.
 */
export function applyConditions(verdict: Verdict, tool: ToolPolicy, args: unknown): void {
  const conditions = tool.conditions!;
  for (let i = 0; i < conditions.length; i++) {
    const { name, kind, condition } = conditions[i]!;
    const result = condition.evaluate(args);
    if (result === CEL_ERROR) raise(verdict, 'block', `condition_error:${name}`);
    else if (kind === 'require') {
      if (!result) raise(verdict, 'block', `condition_require:${name}`);
    } else if (result)
      raise(verdict, kind, kind === 'pause' ? `condition_pause:${name}` : `condition_block:${name}`);
  }
}

/** A call's tier and the manifest rules that chose it (`reversibility_when[0]`, `reversibility_hook`...). */
export interface CallTier {
  readonly tier: Reversibility;
  readonly rules: readonly string[];
}

/**
 * The tier of one call: the first `reversibility_when` rule whose condition holds, else the tool's
 * `reversibility`. A rule whose condition errs (before the one that holds) is named
 * `reversibility_when[i]:error` and fails closed: when its tier is stricter than the one chosen, the
 * call gets its tier (a hostile argument cannot dodge the rule meant for it by making it err).
 * Then the tool's `reversibility()` hook, when it answered (`hook`): a stricter tier always applies
 * (`reversibility_hook`); a more lenient one only down to `reversibility_min` (`reversibility_hook`), and
 * never below a tier the signed rules raised the call to: else the manifest's tier stands
 * (`reversibility_hook:capped`). A hook that
 * threw or returned no tier (`null`, junk) leaves the manifest's tier (`reversibility_hook:invalid`).
 */
export function callTier(tool: ToolPolicy, args: unknown, hook: unknown): CallTier {
  let tier = tool.reversibility;
  const rules: string[] = [];
  const when = tool.reversibilityWhen;
  if (when !== undefined) {
    // A rule that errs may be the one meant to hold: its tier is the least the call gets (fail closed).
    let erred: Reversibility | undefined;
    for (let i = 0; i < when.length; i++) {
      const rule = when[i]!;
      const result = rule.when.evaluate(args);
      if (result === true) {
        tier = rule.reversibility;
        rules.push(`reversibility_when[${i}]`);
        break;
      }
      if (result === CEL_ERROR) {
        rules.push(`reversibility_when[${i}]:error`);
        if (erred === undefined || REVERSIBILITY_RANK[rule.reversibility] > REVERSIBILITY_RANK[erred])
          erred = rule.reversibility;
      }
    }
    if (erred !== undefined && REVERSIBILITY_RANK[erred] > REVERSIBILITY_RANK[tier]) tier = erred;
  }
  if (hook === undefined) return { tier, rules };
  const parsed = ReversibilitySchema.safeParse(hook);
  if (!parsed.success) {
    rules.push('reversibility_hook:invalid');
    return { tier, rules };
  }
  const asked = parsed.data;
  if (asked === tier) return { tier, rules };
  const floor = tool.reversibilityMin;
  // Code may not undo what the signed manifest decided for this call: a tier its rules raised stands.
  const raised = REVERSIBILITY_RANK[tier] > REVERSIBILITY_RANK[tool.reversibility];
  if (
    REVERSIBILITY_RANK[asked] > REVERSIBILITY_RANK[tier] ||
    (!raised && floor !== undefined && REVERSIBILITY_RANK[asked] >= REVERSIBILITY_RANK[floor])
  ) {
    rules.push('reversibility_hook');
    return { tier: asked, rules };
  }
  rules.push('reversibility_hook:capped');
  return { tier, rules };
}
