import { describe, expect, it } from 'vitest';
import { feed, runEvents } from '../../test/detector-events.js';
import { SPAWN_LIMIT_REASONS, subAgentCascade } from './sub-agent-cascade.js';

/** An orchestrator run and two generations of sub-agent runs under it. */
const tree = () => ({
  root: runEvents('root', { agentId: 'orchestrator' }),
  child: runEvents('child', { agentId: 'researcher', parentRunId: 'root' }),
  grandchild: runEvents('grandchild', { agentId: 'reader', parentRunId: 'child' }),
});

describe('subAgentCascade', () => {
  it.each(SPAWN_LIMIT_REASONS)(
    'fires once on a delegation refused with %s (decision and token event)',
    (reason) => {
      const { root } = tree();
      const findings = feed(
        subAgentCascade(),
        root.started(),
        root.decision('spawn_sub_agent', {
          decision: 'halt',
          reasons: [reason],
          confidence: null,
          input: { profile: 'x' },
        }),
        root.token('refused', { reasons: [reason], sub_agent: 'x' }),
      );
      expect(findings).toEqual([
        expect.objectContaining({
          detector: 'sub_agent_cascade',
          signal: 'spawn_over_limit',
          severity: 'critical',
          run_id: 'root',
          agent_id: 'orchestrator',
          call_id: 'call-1',
          evidence: { root_run_id: 'root', reasons: [reason], decision: 'halt', input: { profile: 'x' } },
        }),
      ]);
    },
  );

  it('fires on a refused token event alone (a stream without the spawn decision)', () => {
    const { root } = tree();
    const [finding] = feed(
      subAgentCascade(),
      root.token('refused', { reasons: ['delegation_depth_exceeded'] }),
    );
    expect(finding).toMatchObject({
      signal: 'spawn_over_limit',
      evidence: { reasons: ['delegation_depth_exceeded'] },
    });
    expect(finding!.call_id).toBeUndefined();
  });

  it('fires when a sub-agent reaches outside its scope, but not for the same reason in a root run', () => {
    const { root, child } = tree();
    const detector = subAgentCascade();
    expect(
      feed(
        detector,
        root.started(),
        root.decision('crm_export', { decision: 'halt', reasons: ['token_scope_violation'] }),
      ),
    ).toEqual([]);
    const findings = feed(
      detector,
      child.started(),
      child.decision('update_crm_record', {
        decision: 'halt',
        reasons: ['token_scope_violation'],
        resource: 'crm:account:7',
        token_id: 'tok-1',
      }),
      child.decision('update_crm_record', { decision: 'halt', reasons: ['run_halted'] }),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        signal: 'sub_agent_out_of_scope',
        run_id: 'child',
        agent_id: 'researcher',
        evidence: expect.objectContaining({
          root_run_id: 'root',
          parent_run_id: 'root',
          tool: 'update_crm_record',
          resource: 'crm:account:7',
          reasons: ['token_scope_violation'],
          token_id: 'tok-1',
        }),
      }),
    ]);
  });

  it('fires once a run tree has minted more sub-agents than allowed, counting every generation', () => {
    const { root, child, grandchild } = tree();
    const detector = subAgentCascade({ maxSubAgents: 2 });
    const findings = feed(
      detector,
      root.started(),
      root.token('minted', { sub_agent: 'researcher', token_id: 't1', depth: 1 }),
      child.started(),
      child.token('minted', { sub_agent: 'reader', token_id: 't2', depth: 2 }),
      grandchild.started(),
      grandchild.token('minted', { sub_agent: 'summariser', token_id: 't3', depth: 3 }),
      root.token('minted', { sub_agent: 'researcher', token_id: 't4', depth: 1 }),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        signal: 'sub_agent_count',
        run_id: 'grandchild',
        evidence: {
          root_run_id: 'root',
          minted: 3,
          max_sub_agents: 2,
          sub_agent: 'summariser',
          token_id: 't3',
          depth: 3,
        },
      }),
    ]);
  });

  it('counts each run tree on its own', () => {
    const detector = subAgentCascade({ maxSubAgents: 1 });
    const a = runEvents('a');
    const b = runEvents('b');
    expect(feed(detector, a.token('minted'), b.token('minted'))).toEqual([]);
    expect(feed(detector, b.token('minted')).map((finding) => finding.run_id)).toEqual(['b']);
  });

  it('stays quiet on a clean delegation within limits and scope', () => {
    const { root, child } = tree();
    const findings = feed(
      subAgentCascade(),
      root.started(),
      root.decision('spawn_sub_agent', { confidence: null, input: { profile: 'researcher' } }),
      root.token('minted', { sub_agent: 'researcher', depth: 1 }),
      child.started(),
      child.call('web_search', { reversibility: 'read_only' }),
      child.token('verification_failed', { reasons: ['token_expired'] }),
      child.decision('web_search', { decision: 'block', reasons: ['max_calls_exceeded'] }),
      root.decision('spawn_sub_agent', {
        decision: 'block',
        reasons: ['scope_escalation'],
        confidence: null,
      }),
      child.ended(),
      root.ended(),
    );
    expect(findings).toEqual([]);
  });

  it('honours its limit and reason lists', () => {
    const { root, child } = tree();
    const detector = subAgentCascade({
      maxSubAgents: 0,
      spawnLimitReasons: ['scope_escalation'],
      outOfScopeReasons: ['max_calls_exceeded'],
    });
    const findings = feed(
      detector,
      root.decision('spawn_sub_agent', { decision: 'block', reasons: ['scope_escalation'] }),
      root.token('minted'),
      child.decision('web_search', { decision: 'block', reasons: ['max_calls_exceeded'] }),
    );
    expect(findings.map((finding) => finding.signal)).toEqual([
      'spawn_over_limit',
      'sub_agent_count',
      'sub_agent_out_of_scope',
    ]);
    expect(() => subAgentCascade({ maxSubAgents: -1 })).toThrow(/maxSubAgents must be a whole number >= 0/);
  });

  it('drops a run’s state when it ends, and the tree’s count when its root does', () => {
    const { root, child } = tree();
    const detector = subAgentCascade({ maxSubAgents: 1 });
    feed(detector, root.started(), root.token('minted'), child.started());
    expect(detector.trackedRuns()).toBe(3); // two runs and one tree
    feed(detector, child.ended());
    expect(detector.trackedRuns()).toBe(2);
    feed(detector, root.halted());
    expect(detector.trackedRuns()).toBe(0);
    // A new tree under the same id starts counting again.
    expect(feed(detector, root.started(), root.token('minted'))).toEqual([]);
  });
});
