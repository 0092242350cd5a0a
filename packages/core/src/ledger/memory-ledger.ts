import type { GateState } from '../gate/decide.js';
import type { Reversibility } from '../manifest/manifest-schema.js';

/** An executed action, kept for rollback. */
export interface ExecutedAction {
  readonly callId: string;
  readonly tool: string;
  readonly reversibility: Reversibility;
  readonly resource: string | undefined;
  /** Runs the tool's registered undo, if any. */
  readonly undo: (() => unknown) | undefined;
}

/**
 * Per-run counters and history, in memory: calls per tool, tokens, records touched, elapsed time,
 * resource types seen, and the executed actions with their undo handles. Every check-and-count happens
 * in one synchronous step, so N concurrent calls against a limit L execute exactly min(N, L) times.
 */
export class MemoryLedger implements GateState {
  halted = false;
  tokens = 0;
  records = 0;
  extraTokens = 0;
  extraRecords = 0;
  extraMs = 0;
  readonly actions: ExecutedAction[] = [];
  /**
   * Executed actions without an undo beyond `maxKeptWithoutUndo`, counted per tool instead of kept
   * (the audit log has every one): memory stays bounded in long runs.
   */
  readonly omittedActions = new Map<string, number>();
  private readonly calls = new Map<string, number>();
  /**
   * Calls per tool and resource, of the tools with a per-resource limit only (`count` is given the
   * resource only for them): a run touching many resources with other tools keeps nothing here.
   */
  private readonly resourceCalls = new Map<string, Map<string, number>>();
  private readonly resourceTypes = new Set<string>();
  private readonly startedAt: number;

  constructor(private readonly now: () => number) {
    this.startedAt = now();
  }

  get elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  callsOf(tool: string): number {
    return this.calls.get(tool) ?? 0;
  }

  callsOn(tool: string, resource: string): number {
    return this.resourceCalls.get(tool)?.get(resource) ?? 0;
  }

  hasSeenResourceType(type: string): boolean {
    return this.resourceTypes.has(type);
  }

  /**
   * Counts one admitted call. Called in the same synchronous step as the decision that admitted it.
   * `limitedResource`: the call's resource, given only when this run limits the tool per resource
   * (`max_calls_per_resource`); the call is then counted on it too.
   */
  count(
    tool: string,
    records: number,
    resourceType: string | undefined,
    limitedResource?: string | undefined,
  ): void {
    this.calls.set(tool, (this.calls.get(tool) ?? 0) + 1);
    this.records += records;
    if (resourceType !== undefined) this.resourceTypes.add(resourceType);
    if (limitedResource !== undefined) {
      let byResource = this.resourceCalls.get(tool);
      if (byResource === undefined) {
        byResource = new Map();
        this.resourceCalls.set(tool, byResource);
      }
      byResource.set(limitedResource, (byResource.get(limitedResource) ?? 0) + 1);
    }
  }

  /** How many (tool, resource) pairs this run counts: only tools with a per-resource limit have any. */
  get resourceCallEntries(): number {
    let entries = 0;
    for (const byResource of this.resourceCalls.values()) entries += byResource.size;
    return entries;
  }

  /**
   * Keeps an executed action for rollback. Actions with an undo are always kept; the others (a
   * manual-recovery or unrecoverable list) up to `maxKeptWithoutUndo`, then only counted.
   */
  keep(action: ExecutedAction, maxKeptWithoutUndo: number): void {
    if (action.undo === undefined && this.actions.length - this.undoable >= maxKeptWithoutUndo) {
      this.omittedActions.set(action.tool, (this.omittedActions.get(action.tool) ?? 0) + 1);
      return;
    }
    if (action.undo !== undefined) this.undoable++;
    this.actions.push(action);
  }
  private undoable = 0;

  /** Takes the kept actions (and the omitted counts) out, for a rollback. */
  takeActions(): { actions: ExecutedAction[]; omitted: Record<string, number> } {
    const taken = { actions: this.actions.splice(0), omitted: Object.fromEntries(this.omittedActions) };
    this.omittedActions.clear();
    this.undoable = 0;
    return taken;
  }

  /** A human extended the run's budgets in answer to a soft-budget pause. */
  extend(extension: { tokens?: number; records?: number; minutes?: number }): void {
    this.extraTokens += extension.tokens ?? 0;
    this.extraRecords += extension.records ?? 0;
    this.extraMs += (extension.minutes ?? 0) * 60_000;
  }

  /** A snapshot for reports and audit events. */
  snapshot(): {
    calls: Record<string, number>;
    tokens: number;
    records: number;
    elapsed_ms: number;
    resource_types: string[];
  } {
    return {
      calls: Object.fromEntries(this.calls),
      tokens: this.tokens,
      records: this.records,
      elapsed_ms: this.elapsedMs,
      resource_types: [...this.resourceTypes],
    };
  }
}
