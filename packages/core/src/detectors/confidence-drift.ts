import type { AuditEvent } from '../audit/audit-event.js';
import { SPAWN_TOOL } from '../trust/spawn-tool.js';
import {
  countOption,
  DEFAULT_ESCALATION_TOOLS,
  DEFAULT_MAX_RUNS,
  type DetectorLimits,
  invalid,
  unitOption,
} from './detector-options.js';
import { type Detector, FAILURE_MODE_SEVERITY, type Finding, type FindingSignal } from './finding.js';
import { isRunEnd, NO_FINDINGS, RunStates } from './run-states.js';

export interface ConfidenceDriftOptions extends DetectorLimits {
  /** A write step with a confidence below this is low. Default 0.75 (the article's canonical signal). */
  threshold?: number;
  /** This many low write steps in a row fire (`low_confidence_streak`). Default 3; `false` turns the rule off. */
  consecutive?: number | false;
  /**
   * At least `min` low steps among the last `size` write steps fire (`low_confidence_window`).
   * Default `{ size: 5, min: 3 }`; `false` turns the rule off.
   */
  window?: { size: number; min: number } | false;
  /** Tools whose call is an escalation to a human (it resets the count). Default `['flag_for_human_review']`. */
  escalationTools?: readonly string[];
  /** A write step without a confidence counts as low, as the gate counts it (fail closed). Default true. */
  missingIsLow?: boolean;
}

interface Step {
  readonly call_id: string | undefined;
  readonly tool: string | undefined;
  readonly confidence: number | null;
  readonly low: boolean;
}

interface DriftState {
  /** The last write steps, oldest first, at most max(consecutive, window size). */
  steps: Step[];
  fired: boolean;
}

/**
 * Confidence drift: the agent keeps acting on low-confidence inferences without flagging them. The
 * article's signal: per-step confidence below 0.75 with no human escalation.
 *
 * A **write step** is a `decision` event that let a write run: a tool that is not `read_only` (a
 * missing tier counts as partial), not an escalation tool and not `spawn_sub_agent`, decided
 * `proceed` or `proceed_with_log`. Blocked and halted steps are skipped (they did not run). Any
 * **escalation** resets the count: a `pause` decision or an approval request (the gate asked a human),
 * or a decision on an escalation tool (tier `escalation`, or a tool in `escalationTools`: the agent asked one). The detector fires when, since the last
 * escalation, `consecutive` write steps in a row were low (default 3), or at least `window.min` of
 * the last `window.size` write steps were (default 3 of 5). It fires once per run.
 *
 * What it cannot see: confidence is the agent's own report (a model that is confidently wrong never
 * drifts here); an escalation outside ORBIT (a chat message, a ticket) does not reset the count; at
 * maturity level 1 every write pauses, so drift cannot build up there, which is correct.
 *
 * @throws OptionsInvalidError when `threshold` is not a number from 0 to 1, `consecutive`,
 * `window.size`, `window.min` or `maxRuns` is not a whole number >= 1, or `window.min` exceeds
 * `window.size` (the message names the option).
 *
 * @example
 * const drift = confidenceDrift({ threshold: 0.8, window: { size: 10, min: 4 } });
 */
export function confidenceDrift(options: ConfidenceDriftOptions = {}): Detector {
  const name = 'confidence_drift';
  const threshold = unitOption(name, 'threshold', options.threshold, 0.75);
  const consecutive =
    options.consecutive === false ? Infinity : countOption(name, 'consecutive', options.consecutive, 3);
  const window =
    options.window === false
      ? undefined
      : {
          size: countOption(name, 'window.size', options.window?.size, 5),
          min: countOption(name, 'window.min', options.window?.min, 3),
        };
  if (window && window.min > window.size)
    throw invalid(name, 'window.min', `at most window.size (${window.size})`, window.min);
  const keep = Math.max(Number.isFinite(consecutive) ? consecutive : 0, window?.size ?? 0);
  const escalation = new Set(options.escalationTools ?? DEFAULT_ESCALATION_TOOLS);
  const missingIsLow = options.missingIsLow ?? true;
  const runs = new RunStates<DriftState>(
    () => ({ steps: [], fired: false }),
    countOption(name, 'maxRuns', options.maxRuns, DEFAULT_MAX_RUNS),
  );

  const fire = (event: AuditEvent, signal: FindingSignal, steps: readonly Step[]): Finding[] => {
    const low = steps.filter((step) => step.low);
    const seen = low.map((step) => step.confidence ?? 'none').join(', ');
    const what =
      signal === 'low_confidence_streak'
        ? `${low.length} write steps in a row`
        : `${low.length} of its last ${steps.length} write steps`;
    return [
      {
        detector: name,
        signal,
        severity: FAILURE_MODE_SEVERITY[name],
        run_id: event.run_id,
        agent_id: event.agent_id,
        ...(event.call_id === undefined ? {} : { call_id: event.call_id }),
        message: `Agent "${event.agent_id}" ran ${what} with confidence below ${threshold} (${seen}) without escalating to a human in run "${event.run_id}".`,
        evidence: {
          threshold,
          steps: steps.map((step) => ({ ...step })),
          low_steps: low.length,
          ...(signal === 'low_confidence_streak' ? { consecutive } : { window }),
        },
      },
    ];
  };

  return {
    name,
    trackedRuns: () => runs.size,
    observe(event) {
      if (isRunEnd(event)) {
        runs.drop(event.run_id);
        return NO_FINDINGS;
      }
      const isPause =
        (event.event === 'decision' && event.decision === 'pause') ||
        (event.event === 'approval' && event.approval === 'requested');
      const isEscalation =
        event.event === 'decision' &&
        (event.reversibility === 'escalation' || (event.tool !== undefined && escalation.has(event.tool)));
      if (isPause || isEscalation) {
        const state = runs.peek(event.run_id);
        if (state) state.steps.length = 0;
        return NO_FINDINGS;
      }
      if (
        event.event !== 'decision' ||
        (event.decision !== 'proceed' && event.decision !== 'proceed_with_log')
      )
        return NO_FINDINGS;
      if (event.reversibility === 'read_only' || event.tool === SPAWN_TOOL) return NO_FINDINGS;

      const state = runs.of(event.run_id);
      if (state.fired) return NO_FINDINGS;
      const confidence = typeof event.confidence === 'number' ? event.confidence : null;
      const low = confidence === null ? missingIsLow : confidence < threshold;
      state.steps.push({ call_id: event.call_id, tool: event.tool, confidence, low });
      if (state.steps.length > keep) state.steps.shift();

      const { steps } = state;
      let streak = 0;
      for (let i = steps.length - 1; i >= 0 && steps[i]!.low; i--) streak++;
      if (streak >= consecutive) {
        state.fired = true;
        return fire(event, 'low_confidence_streak', steps.slice(steps.length - streak));
      }
      if (window) {
        const recent = steps.slice(-window.size);
        if (recent.filter((step) => step.low).length >= window.min) {
          state.fired = true;
          return fire(event, 'low_confidence_window', recent);
        }
      }
      return NO_FINDINGS;
    },
  };
}
