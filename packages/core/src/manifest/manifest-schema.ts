import { z } from 'zod';
import { CONDITION_LIMITS, CONDITION_SUBSET, tryCompileCondition } from '../conditions/compile-condition.js';
import { resourcePatternProblem } from '../gate/resource-pattern.js';
import {
  RESOURCE_PATTERN_SHAPE,
  RESOURCE_PATTERN_SHAPE_ERROR,
  RESOURCE_PATTERN_SYNTAX,
} from './resource-pattern-doc.js';

/**
 * The four reversibility tiers a manifest declares. A tool without one counts as `partial` (the
 * article's rule). Reports add a fifth tier, `escalation`, for escalation tools (see `TIERS`).
 */
export const ReversibilitySchema = z.enum(['read_only', 'reversible', 'partial', 'irreversible']);
export type Reversibility = z.infer<typeof ReversibilitySchema>;

/** The confidence threshold used when a tool sets none (the article's `reversibility_gate` default). */
export const DEFAULT_CONFIDENCE_THRESHOLD = 0.85;

/**
 * The default of `max_irreversible_actions_per_run`: an alert when a run executes more than 3
 * irreversible actions. One per run (a payment, an email) is the ordinary case of a correct run; the
 * article's "irreversible action taken above call count threshold" is a threshold the operator sets for
 * the agent. Escalation calls never count as irreversible.
 */
export const DEFAULT_MAX_IRREVERSIBLE_ACTIONS_PER_RUN = 3;

const toolName = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'expected a tool name of 1-128 letters, digits, "_", ".", ":" or "-"');
const count = z.number().int('expected a whole number').nonnegative('expected a number >= 0');
const unit = z.number().min(0, 'expected a number from 0 to 1').max(1, 'expected a number from 0 to 1');
/**
 * A resource pattern such as `invoice:*`, `crm:account:*` or `order:#W[0-9]{7}` (see
 * `RESOURCE_PATTERN_SYNTAX`); an invalid one is an issue naming the character at fault and a fix.
 */
export const ResourcePatternSchema = z
  .string()
  .min(1, 'expected a non-empty resource pattern')
  .check((ctx) => {
    const problem = resourcePatternProblem(ctx.value);
    if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value });
  })
  .meta({
    description: RESOURCE_PATTERN_SYNTAX,
    pattern: RESOURCE_PATTERN_SHAPE,
    patternErrorMessage: RESOURCE_PATTERN_SHAPE_ERROR,
  });
const resourcePattern = ResourcePatternSchema;

/** Tiers from the least to the most irreversible: a higher rank is stricter. */
export const REVERSIBILITY_RANK: Readonly<Record<Reversibility, number>> = {
  read_only: 0,
  reversible: 1,
  partial: 2,
  irreversible: 3,
};

/** A CEL condition over `args`, checked (parsed, type-checked, compiled) when the manifest is loaded. */
const celCondition = z
  .string()
  .superRefine((source, ctx) => {
    const result = tryCompileCondition(source);
    if (!result.ok)
      ctx.addIssue({
        code: 'custom',
        message: `expected a condition of ORBIT's CEL subset: ${result.problem}`,
      });
  })
  .describe(
    `A CEL expression over args (the call's arguments as JSON; numbers are doubles), at most ${CONDITION_LIMITS.maxChars} characters. Allowed: ${CONDITION_SUBSET}. No loops, no arithmetic. An expression that errs at run time (a missing field, a type mismatch) blocks the call.`,
  );

/** One argument condition of a tool: exactly one of `pause_when`, `block_when`, `require`. */
export const ConditionSchema = z
  .strictObject({
    name: z
      .string()
      .regex(
        /^[a-z][a-z0-9_]{0,63}$/,
        'expected a short name: lowercase letters, digits and "_", starting with a letter',
      )
      .describe(
        'The name the decision reports: condition_pause:<name>, condition_block:<name>, condition_require:<name>, condition_error:<name>.',
      ),
    pause_when: celCondition
      .optional()
      .describe('When true, the call pauses for a human (condition_pause:<name>).'),
    block_when: celCondition
      .optional()
      .describe(
        'When true, the call is refused (condition_block:<name>): the model may correct it. Not approvable.',
      ),
    require: celCondition
      .optional()
      .describe('Must be true, else the call is refused (condition_require:<name>). Not approvable.'),
  })
  .superRefine((condition, ctx) => {
    const kinds = (['pause_when', 'block_when', 'require'] as const).filter(
      (key) => condition[key] !== undefined,
    );
    if (kinds.length !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `expected exactly one of pause_when, block_when, require${kinds.length ? `, got ${kinds.join(' and ')}` : ''}`,
      });
  })
  .describe('An argument condition, evaluated on every call of the tool before the reversibility gate.');
export type Condition = z.infer<typeof ConditionSchema>;

/** A reversibility rule: when `when` holds for the call's arguments, the call has this tier. */
export const ReversibilityRuleSchema = z
  .strictObject({
    when: celCondition,
    reversibility: ReversibilitySchema,
  })
  .describe('When `when` is true for the call, the call has this tier (the first rule that matches wins).');

export const AllowedToolSchema = z.strictObject({
  name: toolName,
  max_calls_per_run: count,
  /**
   * Calls of this tool on one resource (the call's `resource`, e.g. `order:A-1`) admitted per run, and
   * on a shared store per run tree: `1` is "one modification per order". A call without a resource is
   * not counted against it. Absent: no per-resource limit.
   */
  max_calls_per_resource: count.optional(),
  reversibility: ReversibilitySchema.optional(),
  confidence_threshold: unit.optional(),
  /** An escalation tool (the article's `flag_for_human_review`): always allowed, never gated on confidence. */
  escalation: z.boolean().optional(),
  /** Resources this tool may touch; a call on any other resource halts the run. Absent: any resource. */
  resources: z.array(resourcePattern).optional(),
  /** Overrides `interruption_policy.max_records_per_call` for this tool. */
  max_records_per_call: count.optional(),
  /** Argument conditions (CEL): pause, block or require per call. */
  conditions: z
    .array(ConditionSchema)
    .optional()
    .describe(
      'Argument conditions (CEL over args), each named; evaluated in the decision of every call of this tool.',
    ),
  /** Per-call tiers: the first rule whose `when` holds picks the call's tier; else `reversibility`. */
  reversibility_when: z
    .array(ReversibilityRuleSchema)
    .optional()
    .describe(
      "Per-call tiers: the first rule whose `when` is true picks the call's tier; none matches: `reversibility`.",
    ),
  /**
   * How far below the manifest's tier the tool's `reversibility()` hook may lower a call's tier. Absent:
   * not at all (the hook may only raise it).
   */
  reversibility_min: ReversibilitySchema.optional().describe(
    "The lowest tier the tool's reversibility() code hook may give a call; absent: the hook can only raise the tier.",
  ),
});
export type AllowedTool = z.infer<typeof AllowedToolSchema>;

export const InterruptionPolicySchema = z.strictObject({
  confidence_floor: unit,
  max_tokens_per_run: count.optional(),
  max_records_touched_per_run: count.optional(),
  time_limit_minutes: z.number().positive('expected a number of minutes > 0').optional(),
  /** A call that affects more records than this pauses for a human. */
  max_records_per_call: count.optional(),
  /** Confidence threshold for tools that set none. Default 0.85. */
  default_confidence_threshold: unit.optional(),
  /** `soft` (default): a crossed run budget pauses, and the human may extend it or stop; `hard`: it halts. */
  budget_mode: z.enum(['soft', 'hard']).optional(),
});
export type InterruptionPolicy = z.infer<typeof InterruptionPolicySchema>;

export const DelegatedToolSchema = z.strictObject({
  name: toolName,
  max_calls_per_run: count,
  /** At most the parent's `max_calls_per_resource`; absent: the parent's. */
  max_calls_per_resource: count.optional(),
  confidence_threshold: unit.optional(),
  resources: z.array(resourcePattern).optional(),
});

/** A sub-agent profile: the scope a token minted for this kind of sub-agent carries. */
export const SubAgentProfileSchema = z.strictObject({
  name: z.string().min(1, 'expected a non-empty profile name'),
  description: z.string().optional(),
  tools: z.array(DelegatedToolSchema),
  may_delegate: z.boolean().default(false),
  /** How many sub-agents a token of this profile may create in its subtree (when `may_delegate`). */
  max_sub_agents_per_run: count.optional(),
  max_tokens_per_run: count.optional(),
  max_records_touched_per_run: count.optional(),
  time_limit_minutes: z.number().positive('expected a number of minutes > 0').optional(),
  ttl_seconds: z.number().int().positive('expected a number of seconds > 0').optional(),
});
export type SubAgentProfile = z.infer<typeof SubAgentProfileSchema>;

export const DelegationSchema = z.strictObject({
  max_depth: count,
  max_sub_agents_per_run: count,
  profiles: z.array(SubAgentProfileSchema),
});
export type Delegation = z.infer<typeof DelegationSchema>;

/** Alert rules. Every rule is on by default; `createOrbit({ alerts })` overrides the manifest. */
export const AlertPolicySchema = z.strictObject({
  /**
   * Alert when executed irreversible actions in one run exceed this count. Default 3 (one per run is
   * ordinary); escalation calls never count.
   */
  max_irreversible_actions_per_run: count.optional(),
  /** Alert when a sub-agent is spawned (or attempted) outside the manifest's delegation rules. Default true. */
  sub_agent_outside_manifest: z.boolean().optional(),
  /** Alert when an irreversible action is attempted with confidence below the floor (or none). Default true. */
  irreversible_below_floor: z.boolean().optional(),
  /** Alert when the token budget is exceeded mid-task. Default true. */
  token_budget_exceeded: z.boolean().optional(),
});
export type AlertPolicy = z.infer<typeof AlertPolicySchema>;

/**
 * The agent manifest: the article's `agent-manifest.yaml`, field names unchanged, plus what the
 * product needs (`maturity_level`, per-tool resources and escalation, `known_resource_types`, `delegation`).
 * This schema is the single source of truth; the JSON Schema for editors is generated from it.
 */
export const ManifestSchema = z
  .strictObject({
    agent_id: z.string().min(1, 'expected a non-empty agent id'),
    /**
     * The manifest's version, a whole number >= 1 raised with every change (monotonic per `agent_id`).
     * It is signed with the manifest: an older one is refused once a newer one was loaded (in this
     * process, or in the shared store). Absent: version 0, loadable only while no versioned manifest of
     * the agent was seen. Required for new manifests.
     */
    manifest_version: z
      .number({ error: 'expected a whole number >= 1' })
      .int('expected a whole number >= 1')
      .positive('expected a whole number >= 1')
      .max(Number.MAX_SAFE_INTEGER, 'expected a whole number >= 1 and at most 2^53 - 1')
      .optional(),
    owner_team: z.string().min(1, 'expected a non-empty owner team'),
    deployed_at: z.iso.datetime({
      offset: true,
      error: 'expected an ISO 8601 date-time such as 2026-05-01T09:00:00Z',
    }),
    task_scope: z.string().min(1, 'expected a non-empty task scope'),
    /** Maturity level 1-4. Absent: 1 (Supervised), the safe default. */
    maturity_level: z
      .union([z.literal(1), z.literal(2), z.literal(3), z.literal(4)], {
        error: 'expected a maturity level 1, 2, 3 or 4',
      })
      .optional(),
    allowed_tools: z.array(AllowedToolSchema),
    explicitly_blocked_tools: z.array(toolName).default([]),
    interruption_policy: InterruptionPolicySchema,
    /** Resource types seen in training runs; a call on any other type pauses (`new_resource_type`). */
    known_resource_types: z.array(z.string().min(1)).optional(),
    delegation: DelegationSchema.optional(),
    /** The article's "alert on immediately" rules, with their thresholds. */
    alerts: AlertPolicySchema.optional(),
  })
  .superRefine((manifest, ctx) => {
    const allowed = new Map<string, number>();
    manifest.allowed_tools.forEach((tool, index) => {
      checkCallRules(tool, index, ctx);
      if (allowed.has(tool.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['allowed_tools', index, 'name'],
          message: `expected each tool once, but "${tool.name}" is also allowed_tools[${allowed.get(tool.name)}]`,
        });
      }
      allowed.set(tool.name, index);
    });
    manifest.explicitly_blocked_tools.forEach((name, index) => {
      const at = allowed.get(name);
      if (at !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['explicitly_blocked_tools', index],
          message: `expected a tool that is not allowed, but "${name}" is also allowed_tools[${at}]: a tool is either allowed or blocked`,
        });
      }
    });
    const delegation = manifest.delegation;
    if (!delegation) return;
    if (manifest.explicitly_blocked_tools.includes('spawn_sub_agent') && delegation.profiles.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['delegation', 'profiles'],
        message:
          'expected no sub-agent profiles: "spawn_sub_agent" is in explicitly_blocked_tools, so this agent delegates nothing',
      });
    }
    const profileNames = new Set<string>();
    delegation.profiles.forEach((profile, p) => {
      if (profileNames.has(profile.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['delegation', 'profiles', p, 'name'],
          message: `expected unique profile names, "${profile.name}" repeats`,
        });
      }
      profileNames.add(profile.name);
      profile.tools.forEach((tool, t) => {
        const at = allowed.get(tool.name);
        const parent = at === undefined ? undefined : manifest.allowed_tools[at];
        if (!parent) {
          ctx.addIssue({
            code: 'custom',
            path: ['delegation', 'profiles', p, 'tools', t, 'name'],
            message: `expected one of this agent's allowed_tools: a sub-agent never gets a tool its parent lacks ("${tool.name}")`,
          });
        } else if (tool.max_calls_per_run > parent.max_calls_per_run) {
          ctx.addIssue({
            code: 'custom',
            path: ['delegation', 'profiles', p, 'tools', t, 'max_calls_per_run'],
            message: `expected at most ${parent.max_calls_per_run} (the parent's limit for "${tool.name}")`,
          });
        }
        if (
          parent &&
          parent.max_calls_per_resource !== undefined &&
          tool.max_calls_per_resource !== undefined &&
          tool.max_calls_per_resource > parent.max_calls_per_resource
        ) {
          ctx.addIssue({
            code: 'custom',
            path: ['delegation', 'profiles', p, 'tools', t, 'max_calls_per_resource'],
            message: `expected at most ${parent.max_calls_per_resource} (the parent's per-resource limit for "${tool.name}")`,
          });
        }
      });
    });
  });

/** The per-tool rules of conditions and per-call tiers that one field alone cannot check. */
function checkCallRules(tool: AllowedTool, index: number, ctx: z.RefinementCtx): void {
  const names = new Map<string, number>();
  tool.conditions?.forEach((condition, c) => {
    const earlier = names.get(condition.name);
    if (earlier !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['allowed_tools', index, 'conditions', c, 'name'],
        message: `expected unique condition names per tool, but "${condition.name}" is also conditions[${earlier}]`,
      });
    names.set(condition.name, c);
  });
  const tier = tool.reversibility ?? 'partial';
  if (
    tool.reversibility_min !== undefined &&
    REVERSIBILITY_RANK[tool.reversibility_min] > REVERSIBILITY_RANK[tier]
  )
    ctx.addIssue({
      code: 'custom',
      path: ['allowed_tools', index, 'reversibility_min'],
      message: `expected a tier at most the tool's reversibility (${tier}): reversibility_min is how far a hook may lower it`,
    });
  if (
    tool.escalation === true &&
    (tool.reversibility_when !== undefined || tool.reversibility_min !== undefined)
  )
    ctx.addIssue({
      code: 'custom',
      path: [
        'allowed_tools',
        index,
        tool.reversibility_when !== undefined ? 'reversibility_when' : 'reversibility_min',
      ],
      message: 'expected no per-call tier on an escalation tool: its calls are always escalations',
    });
}

/** A manifest as written (input of the schema). */
export type ManifestInput = z.input<typeof ManifestSchema>;
/** A validated manifest, defaults applied. */
export type Manifest = z.output<typeof ManifestSchema>;
