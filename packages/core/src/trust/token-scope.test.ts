import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileResourcePattern } from '../gate/policy.js';
import type { SubAgentProfile } from '../manifest/manifest-schema.js';
import {
  attenuateScope,
  type DelegationRequest,
  isSubPattern,
  isWithin,
  type ScopeUsage,
  type TokenScope,
} from './token-scope.js';

const parent: TokenScope = {
  profile: null,
  tools: {
    search: { max_calls: 10, threshold: 0.8 },
    update: { max_calls: 6, threshold: 0.9, resources: ['crm:contact:*', 'crm:note:*'] },
    email: { max_calls: 2, threshold: 0.95 },
  },
  max_tokens: 5_000,
  max_records: 50,
  time_limit_ms: 600_000,
  delegate: { allowed: true, max_depth: 2, max_sub_agents: 4 },
};
const profile: SubAgentProfile = {
  name: 'worker',
  tools: [
    { name: 'search', max_calls_per_run: 5 },
    { name: 'update', max_calls_per_run: 3, resources: ['crm:contact:*'] },
  ],
  may_delegate: false,
  max_tokens_per_run: 1_000,
};
const idle: ScopeUsage = { callsOf: () => 0, tokens: 0, records: 0, elapsedMs: 0, subAgents: 0 };

describe('attenuation: a child is never wider than its parent, in any dimension', () => {
  const cases: [string, Partial<DelegationRequest>, ScopeUsage, string][] = [
    [
      'a tool the parent does not hold',
      { tools: [{ name: 'trigger_payment' }] },
      idle,
      'tools.trigger_payment',
    ],
    ['a tool the profile does not grant', { tools: [{ name: 'email' }] }, idle, 'tools.email'],
    [
      'more calls than the profile grants',
      { tools: [{ name: 'search', max_calls_per_run: 6 }] },
      idle,
      'tools.search.max_calls',
    ],
    [
      'more calls than the parent has left',
      { tools: [{ name: 'search', max_calls_per_run: 5 }] },
      { ...idle, callsOf: () => 7 },
      'tools.search.max_calls',
    ],
    [
      'a lower confidence threshold',
      { tools: [{ name: 'search', confidence_threshold: 0.5 }] },
      idle,
      'tools.search.threshold',
    ],
    [
      'wider resources',
      { tools: [{ name: 'update', resources: ['crm:*'] }] },
      idle,
      'tools.update.resources',
    ],
    [
      'resources of another kind',
      { tools: [{ name: 'update', resources: ['payroll:*'] }] },
      idle,
      'tools.update.resources',
    ],
    ['more tokens than the parent has left', { max_tokens_per_run: 6_000 }, idle, 'max_tokens'],
    [
      'more tokens than left after use',
      { max_tokens_per_run: 1_000 },
      { ...idle, tokens: 4_500 },
      'max_tokens',
    ],
    ['more records than the parent has left', { max_records_touched_per_run: 51 }, idle, 'max_records'],
    ['more time than the parent has left', { time_limit_minutes: 11 }, idle, 'time_limit_ms'],
    [
      'delegation the profile does not allow',
      { may_delegate: true, max_sub_agents: 1 },
      idle,
      'delegate.allowed',
    ],
    [
      'wider resources than the profile grants',
      { tools: [{ name: 'update', resources: ['crm:note:*'] }] },
      idle,
      'tools.update.resources',
    ],
    ['more tokens than the profile grants', { max_tokens_per_run: 1_001 }, idle, 'max_tokens'],
  ];

  it('refuses more sub-agents than the parent has left, or than the profile grants', () => {
    const delegating = { ...profile, may_delegate: true, max_sub_agents_per_run: 2 };
    expect(
      attenuateScope(
        parent,
        0,
        idle,
        { ...delegating, max_sub_agents_per_run: undefined },
        { profile: 'worker', may_delegate: true, max_sub_agents: 4 },
      ),
    ).toMatchObject({
      refusal: { reason: 'scope_escalation', field: 'delegate.max_sub_agents' },
    });
    expect(
      attenuateScope(parent, 0, idle, delegating, {
        profile: 'worker',
        may_delegate: true,
        max_sub_agents: 3,
      }),
    ).toMatchObject({
      refusal: { reason: 'scope_escalation', field: 'delegate.max_sub_agents' },
    });
  });
  it.each(cases)('refuses %s with scope_escalation naming the field', (_title, ask, usage, field) => {
    const result = attenuateScope(parent, 0, usage, profile, { profile: 'worker', ...ask });
    expect(result).toMatchObject({ refusal: { reason: 'scope_escalation', field } });
  });

  it('refuses delegation asked at the maximum depth', () => {
    expect(attenuateScope(parent, 1, idle, profile, { profile: 'worker', may_delegate: true })).toMatchObject(
      {
        refusal: { reason: 'scope_escalation', field: 'delegate.allowed' },
      },
    );
  });

  it('grants the profile, bounded by what the parent has left', () => {
    const usage = { ...idle, tokens: 4_500, elapsedMs: 60_000 };
    const result = attenuateScope(
      parent,
      0,
      usage,
      { ...profile, max_tokens_per_run: undefined },
      { profile: 'worker' },
    );
    expect(result).toEqual({
      scope: {
        profile: 'worker',
        tools: {
          search: { max_calls: 5, threshold: 0.8 },
          update: { max_calls: 3, threshold: 0.9, resources: ['crm:contact:*'] },
        },
        max_tokens: 500,
        max_records: 50,
        time_limit_ms: 540_000,
        delegate: { allowed: false, max_depth: 2, max_sub_agents: 0 },
      },
    });
  });

  it('refuses before any scope check when delegation is not permitted, too deep or out of sub-agents', () => {
    const closed = { ...parent, delegate: { ...parent.delegate, allowed: false } };
    expect(attenuateScope(closed, 0, idle, profile, { profile: 'worker' })).toMatchObject({
      refusal: { reason: 'spawn_not_permitted' },
    });
    expect(attenuateScope(parent, 0, idle, undefined, { profile: 'nobody' })).toMatchObject({
      refusal: { reason: 'spawn_not_permitted' },
    });
    expect(attenuateScope(parent, 2, idle, profile, { profile: 'worker' })).toMatchObject({
      refusal: { reason: 'delegation_depth_exceeded' },
    });
    expect(
      attenuateScope(parent, 0, { ...idle, subAgents: 4 }, profile, { profile: 'worker' }),
    ).toMatchObject({
      refusal: { reason: 'sub_agent_limit_exceeded' },
    });
  });
});

describe('resource sub-patterns', () => {
  it.each([
    ['crm:contact:*', ['crm:*'], true],
    ['crm:contact:7', ['crm:contact:*'], true],
    ['crm:*', ['crm:contact:*'], false],
    ['*', ['crm:*'], false],
    ['inv*', ['inv*x'], false],
    ['a*b', ['a*'], true],
    ['crm:contact:*', ['payroll:*', 'crm:contact:*'], true],
  ] as const)('%s within %j: %s', (pattern, parents, within) => {
    expect(isSubPattern(pattern, parents)).toBe(within);
  });
});

// ---- property: no chain of mints ever yields a token that permits something its root does not ----

const TOOLS = ['search', 'read', 'update', 'email', 'pay'] as const;
const SEGMENTS = ['crm', 'contact', 'note', 'inv', 'a', 'b'];
const arbPattern = fc
  .array(fc.constantFrom(...SEGMENTS, '*'), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join(':'));
const arbRootScope: fc.Arbitrary<TokenScope> = fc.record(
  {
    profile: fc.constant(null),
    tools: fc.dictionary(
      fc.constantFrom(...TOOLS),
      fc.record(
        {
          max_calls: fc.nat({ max: 20 }),
          threshold: fc.double({ min: 0, max: 1, noNaN: true }),
          resources: fc.array(arbPattern, { minLength: 1, maxLength: 3 }),
        },
        { requiredKeys: ['max_calls', 'threshold'] },
      ),
    ),
    max_tokens: fc.option(fc.nat({ max: 10_000 }), { nil: undefined }),
    max_records: fc.option(fc.nat({ max: 500 }), { nil: undefined }),
    time_limit_ms: fc.option(fc.nat({ max: 3_600_000 }), { nil: undefined }),
    delegate: fc.record({
      allowed: fc.boolean(),
      max_depth: fc.integer({ min: 0, max: 4 }),
      max_sub_agents: fc.nat({ max: 8 }),
    }),
  },
  { requiredKeys: ['profile', 'tools', 'delegate'] },
);
/** One delegation step, as fractions of what the parent holds, so most asks are near the edge. */
const arbStep = fc.record({
  picks: fc.array(
    fc.record({
      tool: fc.nat({ max: 9 }),
      calls: fc.double({ min: 0, max: 1.3, noNaN: true }),
      threshold: fc.double({ min: -0.1, max: 0.3, noNaN: true }),
      resources: fc.constantFrom('inherit', 'narrow', 'same', 'wider', 'none'),
      foreign: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    { maxLength: 4 },
  ),
  budget: fc.double({ min: 0, max: 1.2, noNaN: true }),
  mayDelegate: fc.boolean(),
  subAgents: fc.double({ min: 0, max: 1.2, noNaN: true }),
  used: fc.double({ min: 0, max: 1, noNaN: true }),
});

function profileFor(parent: TokenScope, step: StepValue) {
  const held = Object.keys(parent.tools);
  const tools: SubAgentProfile['tools'] = [];
  for (const pick of step.picks) {
    const name =
      pick.foreign > 0.9 || held.length === 0
        ? TOOLS[pick.tool % TOOLS.length]!
        : held[pick.tool % held.length]!;
    if (tools.some((tool) => tool.name === name)) continue;
    const parentTool = parent.tools[name];
    const base = parentTool?.max_calls ?? 3;
    const threshold = Math.min(1, Math.max(0, (parentTool?.threshold ?? 0.5) + pick.threshold));
    const parentRes = parentTool?.resources;
    const resources =
      pick.resources === 'narrow' && parentRes
        ? parentRes.map((pattern) => pattern.replace('*', 'a:*'))
        : pick.resources === 'same'
          ? parentRes
          : pick.resources === 'wider'
            ? ['*']
            : pick.resources === 'none'
              ? undefined
              : parentRes;
    tools.push({
      name,
      max_calls_per_run: Math.floor(base * pick.calls),
      confidence_threshold: threshold,
      ...(resources ? { resources } : {}),
    });
  }
  const scale = (value: number | undefined) =>
    value === undefined ? undefined : Math.floor(value * step.budget);
  return {
    name: 'p',
    tools,
    may_delegate: step.mayDelegate,
    max_sub_agents_per_run: Math.floor(parent.delegate.max_sub_agents * step.subAgents),
    max_tokens_per_run: scale(parent.max_tokens),
    max_records_touched_per_run: scale(parent.max_records),
    time_limit_minutes:
      parent.time_limit_ms === undefined ? undefined : (parent.time_limit_ms * step.budget) / 60_000,
  } satisfies SubAgentProfile;
}
type StepValue = {
  picks: { tool: number; calls: number; threshold: number; resources: string; foreign: number }[];
  budget: number;
  mayDelegate: boolean;
  subAgents: number;
  used: number;
};

/** An independent check, not `isWithin`: concrete resources the child may touch must all be allowed to the root. */
function permitsNothingMore(child: TokenScope, root: TokenScope, samples: string[]): boolean {
  for (const [name, tool] of Object.entries(child.tools)) {
    const held = root.tools[name];
    if (!held || tool.max_calls > held.max_calls || tool.threshold < held.threshold) return false;
    if (held.resources) {
      if (!tool.resources) return false;
      const rootRes = held.resources.map(compileResourcePattern);
      for (const pattern of tool.resources) {
        for (const fill of samples) {
          const concrete = pattern.replaceAll('*', fill);
          if (!rootRes.some((re) => re.test(concrete))) return false;
        }
      }
    }
  }
  for (const key of ['max_tokens', 'max_records', 'time_limit_ms'] as const) {
    if (root[key] !== undefined && (child[key] === undefined || child[key]! > root[key]!)) return false;
  }
  if (child.delegate.allowed && !root.delegate.allowed) return false;
  return (
    child.delegate.max_sub_agents <= root.delegate.max_sub_agents &&
    child.delegate.max_depth <= root.delegate.max_depth
  );
}

describe('attenuation properties', () => {
  it('never yields, over 10,000 random delegation chains, a token that permits something its root does not', () => {
    let minted = 0;
    fc.assert(
      fc.property(
        arbRootScope,
        fc.array(arbStep, { minLength: 1, maxLength: 5 }),
        fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 3 }),
        (root, steps, fills) => {
          let scope = root;
          let depth = 0;
          for (const step of steps) {
            const usage: ScopeUsage = {
              callsOf: (tool) => Math.floor((scope.tools[tool]?.max_calls ?? 0) * step.used * 0.5),
              tokens: Math.floor((scope.max_tokens ?? 0) * step.used * 0.5),
              records: Math.floor((scope.max_records ?? 0) * step.used * 0.5),
              elapsedMs: Math.floor((scope.time_limit_ms ?? 0) * step.used * 0.5),
              subAgents: 0,
            };
            const profile = profileFor(scope, step);
            const result = attenuateScope(scope, depth, usage, profile, { profile: 'p' });
            if ('refusal' in result) break;
            minted++;
            expect(isWithin(result.scope, scope)).toBe(true);
            expect(permitsNothingMore(result.scope, scope, ['', 'x', ...fills])).toBe(true);
            expect(permitsNothingMore(result.scope, root, ['', 'x', ...fills])).toBe(true);
            expect(depth + 1).toBeLessThanOrEqual(root.delegate.max_depth);
            scope = result.scope;
            depth++;
          }
        },
      ),
      { numRuns: 10_000 },
    );
    expect(minted).toBeGreaterThan(1_000); // the chains do exercise minting, not only refusals
  });
});
