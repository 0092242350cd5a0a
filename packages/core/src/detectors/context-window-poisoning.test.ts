import { describe, expect, it } from 'vitest';
import { feed, runEvents } from '../../test/detector-events.js';
import { contextWindowPoisoning } from './context-window-poisoning.js';
import { lexicalSimilarity } from './lexical-similarity.js';

const TASK = 'Match inbound invoices to CRM accounts and update billing status';
const setStatus = (r: ReturnType<typeof runEvents>, invoice: string, status: string, extra = {}) =>
  r.call('update_invoice_status', {
    resource: `invoice:${invoice}`,
    input: { invoice_id: invoice, status, ...extra },
  });

describe('lexicalSimilarity', () => {
  it.each([
    ['I am matching inbound invoices to CRM accounts and updating their billing status', 1],
    ['Update the billing status of matched invoices', 0.625],
    ['Match the remaining invoices to their CRM accounts', 0.444],
    ['Reconcile invoices against CRM', 0.2],
    ['Reconcile invoices', 0.111],
    ['Merge duplicate CRM accounts and email customers about overdue payments', 0.143],
    ['Delete old invoices', 0.1],
    ['Send payment reminders to all customers', 0],
    ['Reconcile bills with customer records', 0.091],
  ])('scores %j against the article’s task at %d', (goal, score) => {
    expect(lexicalSimilarity(TASK, goal)).toBeCloseTo(score, 3);
  });

  it('is symmetric, 1 for two texts without content words and 0 when only one has some', () => {
    expect(lexicalSimilarity('Delete old invoices', TASK)).toBe(
      lexicalSimilarity(TASK, 'Delete old invoices'),
    );
    expect(lexicalSimilarity('', 'the of and')).toBe(1);
    expect(lexicalSimilarity('', TASK)).toBe(0);
  });
});

describe('contextWindowPoisoning: goal divergence', () => {
  it('fires when the restated goal drifts from the task scope', () => {
    const r = runEvents();
    const findings = feed(
      contextWindowPoisoning({ taskScope: TASK }),
      r.started(),
      r.goal('Merge duplicate CRM accounts and email customers about overdue payments'),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        detector: 'context_window_poisoning',
        signal: 'goal_divergence',
        severity: 'medium',
        run_id: 'run-1',
        evidence: expect.objectContaining({ task_scope: TASK, threshold: 0.2 }),
      }),
    ]);
    expect(findings[0]!.evidence.similarity).toBeCloseTo(0.143, 3);
  });

  it('stays quiet on faithful restatements and consistent actions', () => {
    const r = runEvents();
    const findings = feed(
      contextWindowPoisoning({ taskScope: TASK }),
      r.started(),
      r.goal('Update the billing status of matched invoices'),
      setStatus(r, 'INV-1', 'matched'),
      setStatus(r, 'INV-2', 'open'),
      setStatus(r, 'INV-1', 'matched'),
      r.goal('Match the remaining invoices to their CRM accounts'),
      r.ended(),
    );
    expect(findings).toEqual([]);
  });

  it('honours its threshold, its similarity function and a task scope per event', () => {
    const drift = 'Reconcile invoices against CRM'; // 0.2 with the default similarity
    expect(feed(contextWindowPoisoning({ taskScope: TASK }), runEvents().goal(drift))).toEqual([]);
    expect(
      feed(contextWindowPoisoning({ taskScope: TASK, threshold: 0.3 }), runEvents().goal(drift)),
    ).toHaveLength(1);
    const seen: string[] = [];
    const similarity = (a: string, b: string) => {
      seen.push(a, b);
      return 0.5;
    };
    expect(
      feed(contextWindowPoisoning({ taskScope: TASK, similarity, threshold: 0.6 }), runEvents().goal('x')),
    ).toHaveLength(1);
    expect(seen).toEqual(['x', TASK]);
    const perAgent = contextWindowPoisoning({
      taskScope: (event) => ({ researcher: 'Research vendors for invoices' })[event.agent_id],
    });
    expect(feed(perAgent, runEvents('r1', { agentId: 'other' }).goal('Delete everything'))).toEqual([]);
    expect(feed(perAgent, runEvents('r2', { agentId: 'researcher' }).goal('Delete everything'))).toHaveLength(
      1,
    );
    expect(() => contextWindowPoisoning({ taskScope: ' ' })).toThrow(/taskScope must be/);
    expect(() => contextWindowPoisoning({ taskScope: TASK, threshold: 2 })).toThrow(
      /threshold must be a number from 0 to 1/,
    );
  });

  it('fires once per run', () => {
    const r = runEvents();
    expect(
      feed(
        contextWindowPoisoning({ taskScope: TASK }),
        r.goal('Delete old invoices'),
        r.goal('Send payment reminders'),
      ),
    ).toHaveLength(1);
  });
});

describe('contextWindowPoisoning: contradicted actions', () => {
  it('fires when the same tool re-sets a field of the same resource to another value', () => {
    const r = runEvents();
    const findings = feed(
      contextWindowPoisoning({ taskScope: TASK }),
      setStatus(r, 'INV-1', 'matched'),
      setStatus(r, 'INV-2', 'open'),
      setStatus(r, 'INV-1', 'open'),
    );
    expect(findings).toEqual([
      expect.objectContaining({
        signal: 'action_contradicted',
        call_id: 'call-3',
        evidence: {
          tool: 'update_invoice_status',
          resource: 'invoice:INV-1',
          changed: [{ field: 'status', before: 'matched', after: 'open', earlier_call_id: 'call-1' }],
        },
      }),
    ]);
    expect(findings[0]!.message).toBe(
      'Agent "agent" set status of "invoice:INV-1" to "open" with "update_invoice_status" after setting it to "matched" in call "call-1" of run "run-1".',
    );
  });

  it('compares the last value set, field by field, as canonical JSON', () => {
    const r = runEvents();
    const detector = contextWindowPoisoning({ taskScope: TASK });
    expect(
      feed(
        detector,
        setStatus(r, 'INV-1', 'matched', { amount: { value: 10, currency: 'EUR' } }),
        r.call('update_invoice_status', {
          resource: 'invoice:INV-1',
          input: { amount: { currency: 'EUR', value: 10 }, note: 'ok' },
        }),
      ),
    ).toEqual([]);
    expect(
      feed(detector, setStatus(r, 'INV-1', 'matched', { note: 'changed' }))[0]?.evidence.changed,
    ).toEqual([{ field: 'note', before: 'ok', after: 'changed', earlier_call_id: 'call-2' }]);
  });

  it('ignores calls that did not run, other tools, other resources, ignored fields and ignored tools', () => {
    const r = runEvents();
    const first = r.decision('update_invoice_status', {
      resource: 'invoice:INV-1',
      input: { status: 'matched' },
    });
    const findings = feed(
      contextWindowPoisoning({ taskScope: TASK, ignoreFields: ['note'], ignoreTools: ['add_note'] }),
      r.call('add_note', { resource: 'invoice:INV-1', input: { text: 'first' } }),
      r.call('add_note', { resource: 'invoice:INV-1', input: { text: 'second' } }),
      first,
      r.outcome(first, { status: 'not_executed' }),
      setStatus(r, 'INV-1', 'open', { note: 'a' }),
      r.call('flag_invoice', { resource: 'invoice:INV-1', input: { status: 'matched' } }),
      setStatus(r, 'INV-9', 'matched'),
      setStatus(r, 'INV-1', 'open', { note: 'b' }),
      r.call('update_invoice_status', { resource: 'invoice:INV-1', input: 'open' }),
      r.call('update_invoice_status', { input: { status: 'paid' } }),
    );
    expect(findings).toEqual([]);
  });

  it('uses the edited input when a human edited the call', () => {
    const r = runEvents();
    const paused = r.decision('update_invoice_status', {
      resource: 'invoice:INV-1',
      input: { status: 'open' },
      decision: 'pause',
    });
    const findings = feed(
      contextWindowPoisoning({ taskScope: TASK }),
      setStatus(r, 'INV-1', 'matched'),
      paused,
      r.approval(paused, 'edit', { input: { status: 'matched' } }),
      r.outcome(paused, { decision: 'proceed_with_log' }),
    );
    expect(findings).toEqual([]);
  });

  it('can be turned off, fires once per run, and drops a run’s state when it ends', () => {
    const r = runEvents();
    const flip = [
      setStatus(r, 'INV-1', 'matched'),
      setStatus(r, 'INV-1', 'open'),
      setStatus(r, 'INV-1', 'matched'),
    ];
    expect(feed(contextWindowPoisoning({ taskScope: TASK, contradictions: false }), ...flip)).toEqual([]);
    const detector = contextWindowPoisoning({ taskScope: TASK });
    expect(feed(detector, ...flip)).toHaveLength(1);
    expect(detector.trackedRuns()).toBe(1);
    feed(detector, r.ended());
    expect(detector.trackedRuns()).toBe(0);
    expect(feed(detector, setStatus(r, 'INV-1', 'open'))).toEqual([]);
  });

  it('remembers at most maxResources resources per run', () => {
    const r = runEvents();
    const findings = feed(
      contextWindowPoisoning({ taskScope: TASK, maxResources: 2 }),
      setStatus(r, 'INV-1', 'matched'),
      setStatus(r, 'INV-2', 'matched'),
      setStatus(r, 'INV-3', 'matched'),
      setStatus(r, 'INV-1', 'open'), // INV-1 was forgotten
      setStatus(r, 'INV-3', 'open'),
    );
    expect(findings.map((finding) => finding.evidence.resource)).toEqual(['invoice:INV-3']);
  });
});
