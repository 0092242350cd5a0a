import type { AuditEvent } from '../audit/audit-event.js';
import { canonicalJson } from '../canonical-json.js';
import { OptionsInvalidError } from '../errors.js';
import { countOption, DEFAULT_MAX_RUNS, type DetectorLimits, unitOption } from './detector-options.js';
import { type Detector, FAILURE_MODE_SEVERITY, type Finding } from './finding.js';
import { lexicalSimilarity } from './lexical-similarity.js';
import { isRunEnd, NO_FINDINGS, RunStates } from './run-states.js';

export interface ContextWindowPoisoningOptions extends DetectorLimits {
  /**
   * The task the agent was given: the manifest's `task_scope`, or a function that picks it per
   * `goal` event (e.g. by `agent_id`, when sub-agents with other tasks share the stream;
   * `undefined` skips the event).
   */
  taskScope: string | ((event: AuditEvent) => string | undefined);
  /** How alike two texts are, in [0, 1]. Default `lexicalSimilarity` (Jaccard over content words). */
  similarity?: (a: string, b: string) => number;
  /** A restated goal less similar than this to the task fires. Default 0.2 (see the detector's examples). */
  threshold?: number;
  /** Also fire when the agent re-sets a field it set earlier on the same resource. Default true. */
  contradictions?: boolean;
  /** Input fields that may change between calls without contradiction (e.g. `note`). Default none. */
  ignoreFields?: readonly string[];
  /** Tools that add rather than set (`add_note`, `send_message`): new inputs on one resource are expected. Default none. */
  ignoreTools?: readonly string[];
  /** The most tool-and-resource pairs (and calls awaiting their outcome) remembered per run; the oldest go first. Default 1 000. */
  maxResources?: number;
}

/** A call decided with an input, awaiting its outcome. */
interface PendingCall {
  readonly tool: string;
  readonly resource: string;
  input: Readonly<Record<string, unknown>>;
}

/** What a field of a resource was last set to, and by which call. */
interface FieldValue {
  readonly json: string;
  readonly call_id: string;
}

interface PoisoningState {
  goalFired: boolean;
  contradictionFired: boolean;
  pending: Map<string, PendingCall>;
  /** `tool \0 resource` → field → last value set. */
  fields: Map<string, Map<string, FieldValue>>;
}

/**
 * Context window poisoning: the agent has lost track of what it is doing. The article's signal: the
 * agent restates its goal incorrectly mid-task, or contradicts an earlier action it took. Two
 * signals, each fired at most once per run:
 *
 * - `goal_divergence`: a `goal` event (from `run.recordGoal`) whose `goal` has a similarity to the
 *   task scope below `threshold`. With the default `lexicalSimilarity` and the article's task "Match
 *   inbound invoices to CRM accounts and update billing status", restatements score:
 *   "Update the billing status of matched invoices" 0.63, "Match the remaining invoices to their CRM
 *   accounts" 0.44, "Reconcile invoices against CRM" 0.20 (quiet); "Merge duplicate CRM accounts and
 *   email customers about overdue payments" 0.14, "Delete old invoices" 0.10, "Send payment reminders
 *   to all customers" 0 (fire). Hence the default 0.2; a terse restatement such as "Reconcile
 *   invoices" (0.11) fires too, and a paraphrase shares no words at all: ask for restatements in the
 *   task's own terms, or pass an embedding similarity.
 * - `action_contradicted`: a call executed on the same tool and the same `resource` as an earlier
 *   executed call, with a different value for an input field that call set (e.g.
 *   `update_invoice_status` on `invoice:INV-1` with `status: 'matched'`, then `status: 'open'`). Inputs
 *   come from the `decision` events (replaced by an approval `edit`), compared as canonical JSON.
 *
 * What it cannot see: a goal the agent never restates; an undo through another tool (`reopen_invoice`
 * after `close_invoice`) or on another spelling of the resource id; calls without a `resource` or
 * with a non-object input; inputs the redaction hook removed or masked. A legitimate correction is
 * flagged like a confused one (the finding is `medium`: read the transcript), and so is a tool that
 * adds rather than sets (`add_note` twice on one invoice): list those in `ignoreTools`.
 *
 * @throws OptionsInvalidError when `taskScope` is neither a function nor a non-blank string,
 * `threshold` is not a number from 0 to 1, or `maxResources` or `maxRuns` is not a whole number >= 1.
 * The detector's `observe` passes on what a custom `similarity` or `taskScope` function throws.
 *
 * @example
 * const poisoning = contextWindowPoisoning({ taskScope: manifest.task_scope, ignoreFields: ['note'] });
 */
export function contextWindowPoisoning(options: ContextWindowPoisoningOptions): Detector {
  const name = 'context_window_poisoning';
  const scopeOf = options?.taskScope;
  if (typeof scopeOf !== 'function' && (typeof scopeOf !== 'string' || scopeOf.trim() === '')) {
    throw new OptionsInvalidError(
      `${name}: options.taskScope must be the task's text (the manifest's task_scope) or a function returning it, got ${JSON.stringify(scopeOf)}.`,
    );
  }
  const similarity = options.similarity ?? lexicalSimilarity;
  const threshold = unitOption(name, 'threshold', options.threshold, 0.2);
  const contradictions = options.contradictions ?? true;
  const ignore = new Set(options.ignoreFields ?? []);
  const ignoreTools = new Set(options.ignoreTools ?? []);
  const maxResources = countOption(name, 'maxResources', options.maxResources, 1_000);
  const runs = new RunStates<PoisoningState>(
    () => ({ goalFired: false, contradictionFired: false, pending: new Map(), fields: new Map() }),
    countOption(name, 'maxRuns', options.maxRuns, DEFAULT_MAX_RUNS),
  );

  const base = (event: AuditEvent): Omit<Finding, 'signal' | 'message' | 'evidence'> => ({
    detector: name,
    severity: FAILURE_MODE_SEVERITY[name],
    run_id: event.run_id,
    agent_id: event.agent_id,
    ...(event.call_id === undefined ? {} : { call_id: event.call_id }),
  });

  const onGoal = (event: AuditEvent): readonly Finding[] => {
    const goal = event.goal;
    const task = typeof scopeOf === 'function' ? scopeOf(event) : scopeOf;
    if (typeof goal !== 'string' || task === undefined) return NO_FINDINGS;
    const state = runs.of(event.run_id);
    if (state.goalFired) return NO_FINDINGS;
    const score = similarity(goal, task);
    if (!(score < threshold)) return NO_FINDINGS; // NaN from a custom similarity: no finding
    state.goalFired = true;
    return [
      {
        ...base(event),
        signal: 'goal_divergence',
        message: `Agent "${event.agent_id}" restated its goal as ${clip(JSON.stringify(goal))}, which has a similarity of ${score.toFixed(2)} (below ${threshold}) to its task ${clip(JSON.stringify(task))} in run "${event.run_id}".`,
        evidence: { goal, task_scope: task, similarity: score, threshold },
      },
    ];
  };

  const onOutcome = (event: AuditEvent, state: PoisoningState): readonly Finding[] => {
    const call = state.pending.get(event.call_id!);
    if (!call) return NO_FINDINGS;
    state.pending.delete(event.call_id!);
    if (event.status !== 'executed') return NO_FINDINGS;
    const key = `${call.tool}\u0000${call.resource}`;
    const known = state.fields.get(key);
    const fields = known ?? new Map<string, FieldValue>();
    if (known) state.fields.delete(key); // re-inserted below: the map stays ordered by last use
    const changed: { field: string; before: unknown; after: unknown; earlier_call_id: string }[] = [];
    for (const [field, value] of Object.entries(call.input)) {
      if (ignore.has(field) || value === undefined) continue;
      const json = canonical(value);
      if (json === undefined) continue;
      const before = fields.get(field);
      if (before && before.json !== json)
        changed.push({
          field,
          before: JSON.parse(before.json),
          after: value,
          earlier_call_id: before.call_id,
        });
      fields.set(field, { json, call_id: event.call_id! });
    }
    state.fields.set(key, fields);
    if (state.fields.size > maxResources) state.fields.delete(state.fields.keys().next().value!);
    if (changed.length === 0) return NO_FINDINGS;

    state.contradictionFired = true;
    state.pending.clear();
    state.fields.clear();
    const first = changed[0]!;
    return [
      {
        ...base(event),
        signal: 'action_contradicted',
        message: `Agent "${event.agent_id}" set ${first.field} of "${call.resource}" to ${clip(canonicalJson(first.after))} with "${call.tool}" after setting it to ${clip(canonicalJson(first.before))} in call "${first.earlier_call_id}" of run "${event.run_id}".`,
        evidence: { tool: call.tool, resource: call.resource, changed },
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
      if (event.event === 'goal') return onGoal(event);
      if (!contradictions || event.call_id === undefined) return NO_FINDINGS;
      if (event.event === 'decision') {
        if (
          typeof event.tool !== 'string' ||
          typeof event.resource !== 'string' ||
          !isRecord(event.input) ||
          ignoreTools.has(event.tool)
        )
          return NO_FINDINGS;
        const state = runs.of(event.run_id);
        if (state.contradictionFired) return NO_FINDINGS;
        state.pending.set(event.call_id, { tool: event.tool, resource: event.resource, input: event.input });
        if (state.pending.size > maxResources) state.pending.delete(state.pending.keys().next().value!);
        return NO_FINDINGS;
      }
      const state = runs.peek(event.run_id);
      if (!state || state.contradictionFired) return NO_FINDINGS;
      if (event.event === 'approval' && event.approval === 'edit') {
        const call = state.pending.get(event.call_id);
        if (call && isRecord(event.input)) call.input = event.input;
        return NO_FINDINGS;
      }
      if (event.event === 'outcome') return onOutcome(event, state);
      return NO_FINDINGS;
    },
  };
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Canonical JSON of an input value, or `undefined` for what JSON cannot hold (NaN, functions). */
function canonical(value: unknown): string | undefined {
  try {
    return canonicalJson(value);
  } catch {
    return undefined;
  }
}

/** A value for a message, cut at 80 characters. */
function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
