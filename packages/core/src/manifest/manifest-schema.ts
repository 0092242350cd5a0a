import { z } from 'zod';

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
/** A resource pattern such as `invoice:*` or `crm:account:*`; `*` matches any run of characters. */
const resourcePattern = z.string().min(1, 'expected a non-empty resource pattern');

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

/** A manifest as written (input of the schema). */
export type ManifestInput = z.input<typeof ManifestSchema>;
/** A validated manifest, defaults applied. */
export type Manifest = z.output<typeof ManifestSchema>;
