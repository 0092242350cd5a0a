/**
 * What the AI SDK and the OpenAI Agents sub-agent approval tests (`*-sub-agent-approval.test.ts`) share: the
 * data-entry agent's script with its first update made hesitant, a run of the scenario that records what
 * the reviewer was asked, and the expectations of an approved resume, the same on both frameworks. Test
 * support only (it asserts with vitest); not exported by the example.
 */
import { type AuditEvent, MemorySink } from '@orbit-agents/core';
import { expect } from 'vitest';
import type { OrchestratorReport } from './run-core.js';
import { ORCHESTRATOR_SCRIPT } from './scenario.js';

/**
 * The confidence of the data-entry agent's first update: under update_crm_record's threshold (0.8) and
 * over the floor (0.7), so ORBIT pauses it inside the sub-agent.
 */
export const HESITANT = 0.75;

/** The data-entry agent's scripted turns. */
type Turns = typeof ORCHESTRATOR_SCRIPT.dataEntry.turns;

/**
 * `models` (a framework's scripted models), the data-entry one replaced by `make`'s over the data-entry
 * script with its first update made at {@link HESITANT} confidence.
 *
 * @example
 * const models = withHesitantDataEntry(scriptedAiModels(), (...script) => new ScriptedAiModel(...script));
 */
export function withHesitantDataEntry<Model, Models extends { dataEntry: Model }>(
  models: Models,
  make: (turns: Turns, final: string, name: string) => Model,
): Models {
  const [first, ...rest] = ORCHESTRATOR_SCRIPT.dataEntry.turns;
  const hesitant = first!.map((call) => ({ ...call, args: { ...call.args, confidence: HESITANT } }));
  models.dataEntry = make([hesitant, ...rest], ORCHESTRATOR_SCRIPT.dataEntry.final, 'dataEntry');
  return models;
}

/**
 * Runs the scenario on a framework (`runResearchOrchestratorOn…`) with `models`, on a fresh memory sink,
 * every approval request answered with `answer`.
 *
 * @returns the models and the report, the requests the reviewer was asked, and `of(kind, agent)`: the audit
 * events of one kind written for one agent, in order.
 */
export async function reviewedRun<Models, Pending, Answer, Report>(
  run: (options: {
    sink: MemorySink;
    models: Models;
    review: (pending: Pending) => Answer;
  }) => Promise<Report>,
  models: Models,
  answer: Answer,
) {
  const sink = new MemorySink();
  const asked: Pending[] = [];
  const report = await run({
    sink,
    models,
    review: (pending) => {
      asked.push(pending);
      return answer;
    },
  });
  const of = (kind: AuditEvent['event'], agent: string) =>
    sink.events.filter((event) => event.event === kind && event.agent_id === agent);
  return { models, report, asked, of };
}

type Of = Awaited<ReturnType<typeof reviewedRun>>['of'];

/**
 * After the paused update was approved: it ran, the data-entry agent went on as scripted (the fourth call
 * over its budget, the helper spawn refused), the orchestrator is still stopped at its third sub-agent, and
 * no model turn was asked twice.
 */
export function expectApprovedResume({
  models,
  report,
  of,
}: {
  models: Record<'orchestrator' | 'dataEntry', { calls: number }>;
  report: OrchestratorReport;
  of: Of;
}): void {
  expect(
    of('approval', 'data-entry').map((event) => [event.call_id, event.approval, event.approver]),
  ).toEqual([
    ['call-1', 'requested', undefined],
    ['call-1', 'approve', 'dana@sales'],
  ]);
  expect(of('outcome', 'data-entry').map((event) => [event.call_id, event.status])).toEqual([
    ['call-1', 'executed'],
    ['call-2', 'executed'],
    ['call-3', 'executed'],
    ['call-4', 'not_executed'],
  ]);
  expect(of('decision', 'data-entry').map((event) => [event.call_id, event.decision, event.reasons])).toEqual(
    [
      ['call-1', 'pause', ['below_tool_threshold']],
      ['call-2', 'proceed', []],
      ['call-3', 'proceed', []],
      ['call-4', 'block', ['max_calls_exceeded']],
      ['spawn-1', 'halt', ['spawn_not_permitted']],
    ],
  );
  expect([...report.world.crm.keys()]).toEqual(['C-1', 'C-2', 'C-3']);
  expect(report.refusals.at(-1)).toMatchObject({ decision: 'halt', reasons: ['sub_agent_limit_exceeded'] });
  expect([models.orchestrator.calls, models.dataEntry.calls]).toEqual([
    ORCHESTRATOR_SCRIPT.orchestrator.turns.length,
    ORCHESTRATOR_SCRIPT.dataEntry.turns.length,
  ]);
}

/**
 * After the paused update was denied (with the comment `Not C-1.`): the denial is recorded, the update was
 * not made, and the data-entry agent's next two updates ran.
 */
export function expectDeniedUpdate({ report, of }: { report: OrchestratorReport; of: Of }): void {
  expect(of('approval', 'data-entry').map((event) => [event.call_id, event.approval, event.comment])).toEqual(
    [
      ['call-1', 'requested', undefined],
      ['call-1', 'deny', 'Not C-1.'],
    ],
  );
  const outcomes = of('outcome', 'data-entry').map((event) => [event.call_id, event.status]);
  expect(outcomes.slice(0, 3)).toEqual([
    ['call-1', 'not_executed'],
    ['call-2', 'executed'],
    ['call-3', 'executed'],
  ]);
  expect(report.world.crm.has('C-1')).toBe(false);
}
