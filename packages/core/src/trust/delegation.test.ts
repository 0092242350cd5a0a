import { describe, expect, it } from 'vitest';
import { countingTool, manifestOf, orbitOf, orchestratorManifest } from '../../test/support.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { type ReasonCode, TRUST_REASON_CODES } from '../gate/reason-codes.js';
import type { ManifestInput } from '../manifest/manifest-schema.js';
import { RunHaltedError } from '../run/run-halted-error.js';
import { attenuateScope } from './token-scope.js';
import { TrustAuthority } from './trust-authority.js';

const covered = new Set<ReasonCode>();
const reasonsOf = (reasons: readonly ReasonCode[]) => {
  for (const reason of reasons) covered.add(reason);
  return reasons;
};
const orchestrator = (overrides: Partial<ManifestInput> = {}) => orbitOf(orchestratorManifest(overrides));

describe('delegation mints a scoped token per sub-agent', () => {
  it("gives the sub-agent its profile's scope, never its parent's", async () => {
    const { orbit } = await orchestrator();
    const run = orbit.startRun();
    const { decision, run: researcher, token, scope } = await run.delegate({ profile: 'researcher' });
    expect(decision.decision).toBe('proceed');
    expect(token).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(Object.keys(scope!.tools).sort()).toEqual([
      'flag_for_human_review',
      'read_document',
      'web_search',
    ]);
    expect(researcher!.agentId).toBe('researcher');
    expect(researcher!.depth).toBe(1);
    expect(researcher!.parentId).toBe(run.id);
    expect(researcher!.guard({ tool: 'web_search' }).decision).toBe('proceed');
  });

  it('halts a sub-agent that calls a tool its parent holds but its token does not (token_scope_violation)', async () => {
    const { orbit } = await orchestrator();
    const run = orbit.startRun();
    const { run: researcher } = await run.delegate({ profile: 'researcher' });
    const log: string[] = [];
    const attempt = researcher!.execute(countingTool('send_external_email', log), {
      id: 'ceo@rival',
      confidence: 0.99,
    });
    await expect(attempt).rejects.toMatchObject({
      decision: { decision: 'halt', reasons: ['token_scope_violation'] },
    });
    reasonsOf(['token_scope_violation']);
    expect(log).toEqual([]);
    expect(researcher!.halted).toBe(true);
    expect(run.halted).toBe(false);
    expect(run.guard({ tool: 'web_search' }).decision).toBe('proceed');
  });

  it("keeps the manifest's blocked tools blocked for sub-agents", async () => {
    const { orbit } = await orchestrator();
    const { run: researcher } = await orbit.startRun().delegate({ profile: 'researcher' });
    expect(researcher!.guard({ tool: 'trigger_payment_batch', confidence: 1 }).reasons).toEqual([
      'tool_explicitly_blocked',
    ]);
  });

  it("halts a sub-agent on a resource outside its token's patterns", async () => {
    const { orbit } = await orchestrator();
    const { run: entry } = await orbit.startRun().delegate({ profile: 'data-entry' });
    expect(
      entry!.guard({ tool: 'update_crm_record', confidence: 0.9, resource: 'crm:contact:7' }).decision,
    ).toBe('proceed');
    const outside = entry!.guard({ tool: 'update_crm_record', confidence: 0.9, resource: 'crm:account:7' });
    expect(outside).toMatchObject({ decision: 'halt', reasons: ['token_scope_violation'] });
  });

  it('refuses the 4th call of a tool limited to 3 (max_calls_exceeded) and a spawn by a sub-agent that may not delegate', async () => {
    const { orbit } = await orchestrator();
    const { run: entry } = await orbit.startRun().delegate({ profile: 'data-entry' });
    const tool = countingTool('update_crm_record');
    const update = (id: string) =>
      entry!.execute({ ...tool, resource: () => `crm:contact:${id}` }, { id, confidence: 0.9 });
    for (const id of ['1', '2', '3']) expect((await update(id)).status).toBe('executed');
    const fourth = await update('4');
    expect(fourth).toMatchObject({
      status: 'refused',
      decision: { decision: 'block', reasons: ['max_calls_exceeded'] },
    });
    await expect(entry!.delegate({ profile: 'researcher' })).rejects.toMatchObject({
      decision: { tool: 'spawn_sub_agent', decision: 'halt', reasons: reasonsOf(['spawn_not_permitted']) },
    });
  });

  it('refuses a token wider than the parent with scope_escalation naming the field, and the run goes on', async () => {
    const { orbit } = await orchestrator();
    const run = orbit.startRun();
    const result = await run.delegate({
      profile: 'data-entry',
      tools: [
        { name: 'update_crm_record', max_calls_per_run: 3, resources: ['crm:contact:*'] },
        { name: 'trigger_payment', max_calls_per_run: 1 },
      ],
    });
    expect(result.decision).toMatchObject({ decision: 'block', reasons: reasonsOf(['scope_escalation']) });
    expect(result.decision.detail).toContain('tools.trigger_payment');
    expect(result.run).toBeUndefined();
    expect(run.halted).toBe(false);
    expect(run.subAgents).toBe(0);
  });

  it("halts the delegation beyond the manifest's sub-agent limit", async () => {
    const { orbit } = await orchestrator();
    const run = orbit.startRun();
    await run.delegate({ profile: 'researcher' });
    await run.delegate({ profile: 'data-entry' });
    await expect(run.delegate({ profile: 'researcher', agentId: 'researcher-2' })).rejects.toMatchObject({
      decision: { decision: 'halt', reasons: reasonsOf(['sub_agent_limit_exceeded']) },
    });
  });

  it('halts a delegation deeper than max_depth', async () => {
    const manifest = orchestratorManifest();
    manifest.delegation = { ...manifest.delegation!, max_depth: 1, max_sub_agents_per_run: 5 };
    manifest.delegation.profiles[0] = { ...manifest.delegation.profiles[0]!, may_delegate: true };
    const { orbit } = await orbitOf(manifest);
    // may_delegate at the maximum depth is itself a wider ask
    const refused = await orbit.startRun().delegate({ profile: 'researcher' });
    expect(refused.decision.reasons).toEqual(['scope_escalation']);
    expect(refused.decision.detail).toContain('delegate.allowed');
    manifest.delegation.max_depth = 2;
    const deeper = await orbitOf(manifest);
    const { run: child } = await deeper.orbit.startRun().delegate({ profile: 'researcher' });
    expect(child!.scope.delegate).toEqual({ allowed: true, max_depth: 2, max_sub_agents: 4 });
    const { run: grandchild } = await (await orbitOf(manifest)).orbit
      .startRun()
      .delegate({ profile: 'researcher', may_delegate: false });
    expect(grandchild!.scope.delegate.allowed).toBe(false);
  });

  it('stops a chain at max_depth with delegation_depth_exceeded', async () => {
    const manifest = orchestratorManifest();
    manifest.delegation = {
      max_depth: 2,
      max_sub_agents_per_run: 10,
      profiles: [
        {
          name: 'lead',
          tools: [{ name: 'web_search', max_calls_per_run: 5 }],
          may_delegate: true,
          max_sub_agents_per_run: 3,
        },
        { name: 'leaf', tools: [{ name: 'web_search', max_calls_per_run: 2 }], may_delegate: false },
      ],
    };
    const { orbit } = await orbitOf(manifest);
    const root = orbit.startRun();
    const { run: lead } = await root.delegate({ profile: 'lead', may_delegate: true, max_sub_agents: 3 });
    // depth 2 = max: lead may still spawn leaves at depth 2
    const { run: leaf } = await lead!.delegate({ profile: 'leaf' });
    expect(leaf!.depth).toBe(2);
    // a lead at depth 2 asking to delegate further is a wider ask; a leaf cannot delegate at all
    const refused = await lead!.delegate({ profile: 'lead', may_delegate: true, max_sub_agents: 1 });
    expect(refused.decision.reasons).toEqual(['scope_escalation']);
    await expect(leaf!.delegate({ profile: 'leaf' })).rejects.toMatchObject({
      decision: { reasons: ['spawn_not_permitted'] },
    });
    // and the depth check itself: a holder at the maximum depth whose scope still says it may delegate
    const atMax = { ...lead!.scope, delegate: { allowed: true, max_depth: 2, max_sub_agents: 5 } };
    const usage = { callsOf: () => 0, tokens: 0, records: 0, elapsedMs: 0, subAgents: 0 };
    const profile = orbit.manifest.manifest.delegation!.profiles[1];
    expect(attenuateScope(atMax, 2, usage, profile, { profile: 'leaf' })).toMatchObject({
      refusal: { reason: reasonsOf(['delegation_depth_exceeded'])[0] },
    });
    expect('scope' in attenuateScope(atMax, 1, usage, profile, { profile: 'leaf' })).toBe(true);
  });

  it('lets an agent whose manifest blocks spawn_sub_agent delegate nothing', async () => {
    const { orbit } = await orbitOf(manifestOf());
    await expect(orbit.startRun().delegate({ profile: 'anything' })).rejects.toMatchObject({
      decision: { decision: 'halt', reasons: ['tool_explicitly_blocked', 'spawn_not_permitted'] },
    });
  });
});

describe('budgets roll up the tree', () => {
  it("counts a sub-agent's calls, tokens and records against its own scope and every ancestor", async () => {
    const manifest = orchestratorManifest();
    manifest.allowed_tools[0] = { name: 'web_search', max_calls_per_run: 6, reversibility: 'read_only' };
    manifest.delegation!.max_sub_agents_per_run = 2;
    const { orbit } = await orbitOf(manifest);
    const run = orbit.startRun();
    const { run: a } = await run.delegate({ profile: 'researcher', agentId: 'a' });
    for (let i = 0; i < 4; i++) a!.guard({ tool: 'web_search' });
    expect(run.ledger.callsOf('web_search')).toBe(4);
    // the second researcher asks for 5 calls, but only 2 are left in the parent: refused at mint
    const wide = await run.delegate({ profile: 'researcher', agentId: 'b' });
    expect(wide.decision.detail).toContain('tools.web_search.max_calls');
    const { run: b } = await run.delegate({
      profile: 'researcher',
      agentId: 'b',
      tools: [{ name: 'web_search', max_calls_per_run: 2 }],
    });
    expect(b!.guard({ tool: 'web_search' }).decision).toBe('proceed');
    a!.guard({ tool: 'web_search' });
    // the parent's limit of 6 is reached through its children
    expect(b!.guard({ tool: 'web_search' })).toMatchObject({
      decision: 'block',
      reasons: ['max_calls_exceeded'],
    });
    expect(run.guard({ tool: 'web_search' }).decision).toBe('block');

    a!.recordUsage({ tokens: 1_500 });
    expect(run.ledger.tokens).toBe(1_500);
    a!.recordUsage({ tokens: 600 });
    expect(a!.guard({ tool: 'read_document' })).toMatchObject({
      decision: 'pause',
      reasons: ['token_budget_exceeded'],
    });
  });

  it('stops every sub-agent when an ancestor halts or is stopped', async () => {
    const { orbit } = await orchestrator();
    const run = orbit.startRun();
    const { run: researcher } = await run.delegate({ profile: 'researcher' });
    run.stop();
    expect(researcher!.guard({ tool: 'web_search' })).toMatchObject({
      decision: 'halt',
      reasons: ['run_halted'],
    });
  });
});

describe('revocation', () => {
  it("revokes a sub-agent's token at its next guarded call, and every token minted under it", async () => {
    const manifest = orchestratorManifest();
    manifest.delegation = {
      max_depth: 2,
      max_sub_agents_per_run: 5,
      profiles: [
        {
          name: 'lead',
          tools: [{ name: 'web_search', max_calls_per_run: 5 }],
          may_delegate: true,
          max_sub_agents_per_run: 2,
        },
      ],
    };
    const { orbit, sink } = await orbitOf(manifest);
    const run = orbit.startRun();
    const { run: lead } = await run.delegate({ profile: 'lead' });
    const { run: leaf } = await lead!.delegate({ profile: 'lead', may_delegate: false });
    expect(leaf!.guard({ tool: 'web_search' }).decision).toBe('proceed');
    await lead!.revoke();
    expect(lead!.guard({ tool: 'web_search' }).reasons).toEqual(reasonsOf(['token_revoked']));
    expect(leaf!.guard({ tool: 'web_search' }).reasons).toEqual(['token_revoked']);
    expect(run.guard({ tool: 'web_search' }).decision).toBe('proceed');
    const tokenEvents = sink.events.filter((event) => event.event === 'token').map((event) => event.token);
    expect(tokenEvents).toEqual([
      'minted',
      'minted',
      'revoked',
      'verification_failed',
      'verification_failed',
    ]);
  });

  it('refuses to mint under a revoked parent', async () => {
    const manifest = orchestratorManifest();
    manifest.delegation = {
      max_depth: 2,
      max_sub_agents_per_run: 5,
      profiles: [
        {
          name: 'lead',
          tools: [{ name: 'web_search', max_calls_per_run: 5 }],
          may_delegate: true,
          max_sub_agents_per_run: 2,
        },
      ],
    };
    const { orbit } = await orbitOf(manifest);
    const { run: lead } = await orbit.startRun().delegate({ profile: 'lead' });
    await lead!.revoke();
    await expect(lead!.delegate({ profile: 'lead', may_delegate: false })).rejects.toMatchObject({
      decision: { reasons: ['token_revoked'] },
    });
  });

  it("kills the whole run tree with the root's revoke (the kill switch)", async () => {
    const { orbit } = await orchestrator();
    const run = orbit.startRun();
    const { run: a } = await run.delegate({ profile: 'researcher' });
    const { run: b } = await run.delegate({ profile: 'data-entry' });
    await run.revoke();
    expect(a!.guard({ tool: 'web_search' }).reasons).toEqual(['token_revoked']);
    expect(
      b!.guard({ tool: 'update_crm_record', confidence: 0.9, resource: 'crm:contact:1' }).reasons,
    ).toEqual(['token_revoked']);
  });
});

describe('the token cache', () => {
  it("keeps a sub-agent working after its token was evicted from a busy authority's cache", async () => {
    const trust = await TrustAuthority.ephemeral({ cacheSize: 1 });
    const { orbit } = await orbitOf(orchestratorManifest(), { trust });
    const run = orbit.startRun();
    const { run: researcher } = await run.delegate({ profile: 'researcher' });
    await run.delegate({ profile: 'data-entry' }); // evicts the researcher's token from the cache
    expect(researcher!.guard({ tool: 'web_search' }).decision).toBe('proceed');
  });
});

describe('expiry', () => {
  it('halts a sub-agent whose token expired', async () => {
    let now = Date.UTC(2026, 10, 25);
    const { orbit } = await orbitOf(orchestratorManifest(), { now: () => now });
    const { run: researcher } = await orbit.startRun().delegate({ profile: 'researcher', ttl_seconds: 60 });
    expect(researcher!.guard({ tool: 'web_search' }).decision).toBe('proceed');
    now += 66_000;
    expect(researcher!.guard({ tool: 'web_search' })).toMatchObject({
      decision: 'halt',
      reasons: reasonsOf(['token_expired']),
    });
  });
});

describe('audit', () => {
  it('records mints and refusals with token ids, parent ids and scope, never the token string', async () => {
    const { orbit, sink } = await orchestrator();
    const run = orbit.startRun();
    const { token, run: child } = await run.delegate({ profile: 'researcher' });
    await run.delegate({ profile: 'data-entry', tools: [{ name: 'trigger_payment', max_calls_per_run: 1 }] });
    const tokens = sink.events.filter((event: AuditEvent) => event.event === 'token');
    expect(tokens.map((event) => [event.token, event.token_id ?? null])).toEqual([
      ['minted', child!.tokenId],
      ['refused', null],
    ]);
    expect(tokens[0]).toMatchObject({
      parent_token_id: null,
      depth: 1,
      sub_agent: 'researcher',
      profile: 'researcher',
    });
    expect(tokens[0]!.scope).toBeDefined();
    expect(tokens[1]).toMatchObject({ reasons: ['scope_escalation'], field: 'tools.trigger_payment' });
    const all = JSON.stringify(sink.events);
    expect(all).not.toContain(token!);
    expect(all).not.toContain(token!.split('.')[2]!);
  });
});

describe('coverage of the trust reason codes', () => {
  // Verification failures that cannot happen to a token bound in-process are covered in trust-authority.test.ts.
  const coveredByAuthorityTests: ReasonCode[] = ['token_invalid', 'token_wrong_audience', 'token_wrong_run'];
  it('has a test for every trust reason code', () => {
    expect(
      TRUST_REASON_CODES.filter((code) => !covered.has(code) && !coveredByAuthorityTests.includes(code)),
    ).toEqual([]);
  });
});

it('RunHaltedError is what a halted delegation throws', async () => {
  const { orbit } = await orbitOf(manifestOf());
  await expect(orbit.startRun().delegate({ profile: 'x' })).rejects.toBeInstanceOf(RunHaltedError);
});
