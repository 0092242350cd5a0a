import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '@orbit-agents/core';
import { describe, expect, it } from 'vitest';
import { runInvoiceReconciliation } from './run-core.js';
import { runInvoiceReconciliationOnLangGraph, scriptedInvoiceModel } from './run-langgraph.js';
import { runInvoiceReconciliationOnOpenAIAgents, scriptedInvoiceAgentsModel } from './run-openai-agents.js';
import { runInvoiceReconciliationOnVercelAi, scriptedInvoiceAiModel } from './run-vercel-ai.js';
import { INVOICE_STEPS } from './scenario.js';

// The demo runs on LangGraph (or the Vercel AI SDK, or the OpenAI Agents SDK); the core-only reference
// must tell the same story.
const runners = [
  ['core-only', runInvoiceReconciliation],
  [
    'LangGraph',
    (options: Parameters<typeof runInvoiceReconciliation>[0]) =>
      runInvoiceReconciliationOnLangGraph({ ...options, model: scriptedInvoiceModel() }),
  ],
  [
    'Vercel AI SDK',
    (options: Parameters<typeof runInvoiceReconciliation>[0]) =>
      runInvoiceReconciliationOnVercelAi({ ...options, model: scriptedInvoiceAiModel() }),
  ],
  [
    'OpenAI Agents SDK',
    (options: Parameters<typeof runInvoiceReconciliation>[0]) =>
      runInvoiceReconciliationOnOpenAIAgents({ ...options, model: scriptedInvoiceAgentsModel() }),
  ],
] as const;

describe.each(runners)(
  "the invoice-reconciliation demo (%s): the article's incident, prevented",
  async (_, run) => {
    const auditPath = join(mkdtempSync(join(tmpdir(), 'orbit-demo-')), 'audit.jsonl');
    const report = await run({ auditPath });
    const events: AuditEvent[] = readFileSync(auditPath, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    const decisions = events.filter((event) => event.event === 'decision');
    const expected = INVOICE_STEPS.slice(0, 8);

    it('writes exactly the eight decisions of the scenario to the audit log, in order', () => {
      expect(decisions).toHaveLength(8);
      expect(decisions.map((event) => [event.tool, event.confidence, event.decision, event.reasons])).toEqual(
        expected.map((step) => [step.tool, step.confidence, step.expected.decision, step.expected.reasons]),
      );
    });

    it('executes exactly the steps that should run, and nothing after the halt', () => {
      const executed = events
        .filter((event) => event.event === 'outcome' && event.status === 'executed')
        .map((event) => event.call_id);
      const shouldRun = decisions
        .filter((_, i) => expected[i]!.expected.executed)
        .map((event) => event.call_id);
      expect(executed).toEqual(shouldRun);
      const haltAt = events.findIndex((event) => event.event === 'decision' && event.decision === 'halt');
      expect(events.slice(haltAt + 1).filter((event) => event.event === 'decision')).toEqual([]);
      expect(report.billing.merged).toBe(false);
      expect(Object.fromEntries(report.billing.invoices)).toEqual({
        'INV-1001': 'matched',
        'INV-1002': 'matched',
        'INV-1003': 'open',
      });
    });

    it("refuses a second status change of INV-1001 and the account's name as account_id, naming the rule; the run goes on", () => {
      const refused = decisions.filter((event) => event.decision === 'block');
      expect(
        refused.map((event) => [
          event.call_id,
          event.resource,
          (event.input as { account_id?: string }).account_id,
          event.reasons,
        ]),
      ).toEqual([
        ['call-3', 'invoice:INV-1001', 'ACC-17', ['resource_call_limit_reached']],
        ['call-4', 'invoice:INV-1002', 'Acme Corp', ['condition_require:account_id_format']],
      ]);
      const outcomes = events.filter((event) => event.event === 'outcome');
      expect(
        outcomes
          .filter((event) => event.call_id === 'call-3' || event.call_id === 'call-4')
          .map((event) => [event.call_id, event.decision, event.status]),
      ).toEqual([
        ['call-3', 'block', 'not_executed'],
        ['call-4', 'block', 'not_executed'],
      ]);
      // The corrected INV-1002 call is the next one decided: the blocked one did not count against its limit.
      expect(decisions[4]).toMatchObject({
        call_id: 'call-5',
        resource: 'invoice:INV-1002',
        decision: 'pause',
      });
    });

    it("records the scripted reviewer's approval and denial with who gave them", () => {
      const answers = events.filter((event) => event.event === 'approval' && event.approval !== 'requested');
      expect(answers.map((event) => [event.approval, event.approver])).toEqual([
        ['approve', 'maria@finance (scripted)'],
        ['deny', 'maria@finance (scripted)'],
      ]);
    });

    it('loads a signed manifest and stamps its digest on every event', () => {
      expect(report.kid).toBe('deploy-key-1');
      expect(new Set(events.map((event) => event.manifest_digest))).toEqual(new Set([report.digest]));
    });

    it('prints a rollback report: partial updates for manual recovery, nothing undone automatically', () => {
      expect(report.rollback?.undone).toEqual([]);
      expect(report.rollback?.manual_recovery.map((entry) => entry.resource ?? entry.tool)).toEqual([
        'invoice:INV-1002',
        'invoice:INV-1001',
      ]);
      expect(events.filter((event) => event.event === 'rollback')).toHaveLength(2);
    });

    it('reports the escalation in its own tier, with nothing to recover: flag_for_human_review is no manual-recovery item', () => {
      const flag = events.filter((event) => event.tool === 'flag_for_human_review');
      expect(flag.length).toBeGreaterThan(0);
      expect(new Set(flag.map((event) => event.reversibility))).toEqual(new Set(['escalation']));
      const listed = Object.values(report.rollback ?? {}).flatMap((entries) =>
        Array.isArray(entries) ? entries.map((entry) => entry.tool) : [],
      );
      expect(listed).not.toContain('flag_for_human_review');
    });
  },
);
