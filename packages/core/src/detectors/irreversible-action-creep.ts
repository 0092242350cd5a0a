import {
  countOption,
  DEFAULT_ESCALATION_TOOLS,
  DEFAULT_MAX_RUNS,
  type DetectorLimits,
  ratioOption,
} from './detector-options.js';
import { type Detector, FAILURE_MODE_SEVERITY } from './finding.js';
import { isRunEnd, NO_FINDINGS, RunStates } from './run-states.js';

export interface IrreversibleActionCreepOptions extends DetectorLimits {
  /** Fires when `irreversible / (reversible + partial)` is above this. Default 0.5. */
  threshold?: number;
  /** ... and at least this many writes have executed in the run. Default 4. */
  minWrites?: number;
  /** Tools that are escalations, not writes (not counted). Default `['flag_for_human_review']`. */
  escalationTools?: readonly string[];
}

interface CreepState {
  irreversible: number;
  reversible: number;
  partial: number;
  /** Irreversible calls that ran after a human approved (or edited) them. */
  approvedIrreversible: number;
  /** Calls a human approved or edited, until their outcome. */
  approved: Set<string>;
  fired: boolean;
}

/**
 * Irreversible action creep: a run whose writes are increasingly ones that cannot be undone. The
 * article's signal: a high ratio of irreversible tool calls vs reversible ones.
 *
 * It counts `outcome` events with `status: 'executed'` by their tier, leaving out `read_only` calls
 * and escalations (tier `escalation`, or a tool in `escalationTools`; a tool without a tier counts as
 * `partial`, the article's rule). With
 * `writes = irreversible + reversible + partial`, it fires once per run, on the first executed call
 * after which
 *
 *     writes >= minWrites  and  irreversible / (reversible + partial) > threshold
 *
 * (the ratio is infinite, reported as `null`, when every write was irreversible). With the defaults
 * (4 and 0.5): 2 irreversible of 4 writes fires (2 / 2 = 1); 1 of 4 does not (1 / 3); 2 of 6 does not
 * (2 / 4 = 0.5, not above).
 *
 * What it cannot see: calls that failed (`status: 'error'`, which may have had an effect) and calls
 * outside ORBIT are not counted; the tier is the manifest's claim about a tool, not a measurement.
 * Irreversible calls a human approved still count (the signal is the mix of actions, not who allowed
 * them); the evidence says how many were approved.
 *
 * @throws OptionsInvalidError when `threshold` is not a finite number >= 0, or `minWrites` or `maxRuns`
 * is not a whole number >= 1.
 *
 * @example
 * const creep = irreversibleActionCreep({ threshold: 0.25, minWrites: 8 });
 */
export function irreversibleActionCreep(options: IrreversibleActionCreepOptions = {}): Detector {
  const name = 'irreversible_action_creep';
  const threshold = ratioOption(name, 'threshold', options.threshold, 0.5);
  const minWrites = countOption(name, 'minWrites', options.minWrites, 4);
  const escalation = new Set(options.escalationTools ?? DEFAULT_ESCALATION_TOOLS);
  const runs = new RunStates<CreepState>(
    () => ({
      irreversible: 0,
      reversible: 0,
      partial: 0,
      approvedIrreversible: 0,
      approved: new Set(),
      fired: false,
    }),
    countOption(name, 'maxRuns', options.maxRuns, DEFAULT_MAX_RUNS),
  );

  return {
    name,
    trackedRuns: () => runs.size,
    observe(event) {
      if (isRunEnd(event)) {
        runs.drop(event.run_id);
        return NO_FINDINGS;
      }
      if (event.event === 'approval') {
        if ((event.approval === 'approve' || event.approval === 'edit') && event.call_id !== undefined) {
          const state = runs.of(event.run_id);
          if (!state.fired) state.approved.add(event.call_id);
        }
        return NO_FINDINGS;
      }
      if (event.event !== 'outcome') return NO_FINDINGS;
      const known = runs.peek(event.run_id);
      const approved =
        known !== undefined && event.call_id !== undefined && known.approved.delete(event.call_id);
      // Reads and escalations (by tier, or named in `escalationTools`) are not writes.
      if (event.status !== 'executed' || event.reversibility === 'read_only') return NO_FINDINGS;
      if (event.reversibility === 'escalation') return NO_FINDINGS;
      if (event.tool !== undefined && escalation.has(event.tool)) return NO_FINDINGS;
      const state = known ?? runs.of(event.run_id);
      if (state.fired) return NO_FINDINGS;

      if (event.reversibility === 'irreversible') {
        state.irreversible++;
        if (approved) state.approvedIrreversible++;
      } else if (event.reversibility === 'reversible') state.reversible++;
      else state.partial++;
      const undoable = state.reversible + state.partial;
      const writes = state.irreversible + undoable;
      const ratio = undoable === 0 ? Infinity : state.irreversible / undoable;
      if (writes < minWrites || !(ratio > threshold)) return NO_FINDINGS;

      state.fired = true;
      state.approved.clear();
      const shown = Number.isFinite(ratio) ? ratio.toFixed(2) : 'infinite (no undoable writes)';
      return [
        {
          detector: name,
          signal: 'irreversible_ratio',
          severity: FAILURE_MODE_SEVERITY[name],
          run_id: event.run_id,
          agent_id: event.agent_id,
          ...(event.call_id === undefined ? {} : { call_id: event.call_id }),
          message: `Agent "${event.agent_id}" ran ${state.irreversible} irreversible of ${writes} writes in run "${event.run_id}": irreversible / (reversible + partial) = ${shown}, above ${threshold}.`,
          evidence: {
            irreversible: state.irreversible,
            reversible: state.reversible,
            partial: state.partial,
            writes,
            ratio: Number.isFinite(ratio) ? ratio : null,
            threshold,
            min_writes: minWrites,
            approved_irreversible: state.approvedIrreversible,
            tool: event.tool,
          },
        },
      ];
    },
  };
}
