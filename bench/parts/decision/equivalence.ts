// The three deciders must agree before they are timed: for every request of the table, ORBIT (`decide`, and
// `run.guard` on a fresh run), the floor and Cedar (pre-parsed and parsed per call) say run or do not run alike.
import { createOrbit, type LoadedManifest } from '@orbit-agents/core';
import { decide } from '@orbit-agents/core/gate';
import { table } from '../../lib/format.js';
import { allows, statefulCall, textCall } from './cedar.js';
import { gateOf, gateRequest } from './orbit.js';
import { type BenchRequest, EQUIVALENCE, FLOOR_HALT, FLOOR_RUN, floorDecide } from './policy.js';

const FLOOR_NAMES = { [FLOOR_RUN]: 'run', [FLOOR_HALT]: 'halt' } as Record<number, string>;

/** ORBIT's decisions that let the tool run. */
const runs = (decision: string) => decision === 'proceed' || decision === 'proceed_with_log';

/**
 * Decides every request of {@link EQUIVALENCE} with each decider and returns the table (Markdown).
 *
 * @throws Error listing the requests on which the deciders disagree.
 */
export function checkEquivalence(loaded: LoadedManifest): string {
  const { policy, state } = gateOf(loaded);
  const orbit = createOrbit({ manifest: loaded });
  const rows: string[][] = [];
  const disagreements: string[] = [];
  for (const request of EQUIVALENCE) {
    const verdict = decide(policy, gateRequest(request), state);
    const run = orbit.startRun();
    const guarded = run.guard({
      tool: request.tool,
      args: {},
      confidence: request.confidence,
      records: 1,
      resource: request.resource,
    });
    void run.end();
    const floor = floorDecide(request);
    const cedar = allows(statefulCall(request)());
    const cedarText = allows(textCall(request)());
    const answers = [runs(verdict.decision), runs(guarded.decision), floor === FLOOR_RUN, cedar, cedarText];
    if (answers.some((answer) => answer !== answers[0])) disagreements.push(describe(request));
    rows.push([
      describe(request),
      `${verdict.decision} (${verdict.reasons.join(', ') || 'no reason'})`,
      guarded.decision,
      FLOOR_NAMES[floor] ?? 'pause',
      cedar ? 'allow' : 'deny',
      cedarText ? 'allow' : 'deny',
      answers[0] ? 'runs' : 'does not run',
    ]);
  }
  if (disagreements.length > 0)
    throw new Error(`bench setup: ORBIT, the floor and Cedar disagree on: ${disagreements.join('; ')}`);
  return table(
    ['request', 'ORBIT decide', 'run.guard', 'floor', 'Cedar (pre-parsed)', 'Cedar (text)', 'all agree'],
    rows,
  );
}

function describe({ tool, confidence, resource }: BenchRequest): string {
  return `\`${tool}\`, confidence ${confidence ?? 'missing'}, ${resource === undefined ? 'no resource' : `\`${resource}\``}`;
}
