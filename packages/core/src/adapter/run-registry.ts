import { AsyncLocalStorage } from 'node:async_hooks';
import { RunUnknownError } from '../errors.js';
import type { Orbit } from '../run/create-orbit.js';
import type { Refusal } from '../run/decision.js';
import type { Run } from '../run/run.js';

/** How many entries each of a run's replay caches keeps, unless the adapter says otherwise. */
export const DEFAULT_REPLAY_CACHE = 1000;

/** What an adapter keeps per run, besides the core's own records, to answer a framework presenting calls again. */
export interface AdapterState<Result> {
  /** Results of executed calls (and finished delegations) by call id: a replay gets them, nothing runs again. */
  readonly results: Map<string, Result>;
  /** Delegations by delegating call (or task): a replay, even a concurrent one, reuses the run and its token. */
  readonly delegations: Map<string, Promise<Run | Refusal>>;
  /** The sub-agent runs this run delegated to. */
  readonly children: Run[];
  /** Model messages whose usage was counted. */
  readonly usage: Set<string>;
  /** How many answers each paused call took from the framework (a re-run takes the same positions). */
  readonly asks: Map<string, number>;
  /** Calls running now, by call id: a replay presented meanwhile waits for the result. */
  readonly running: Map<string, Promise<Result>>;
}

/**
 * The runs of one adapter binding: one ORBIT run per thread (conversation) id, taken up from the
 * store when this process has not seen it; sub-agent runs by id, also across nested invocations
 * that replace the framework's context (`within`); each run's replay state, bounded; ended runs
 * forgotten with their sub-agents.
 *
 * @example
 * const registry = new RunRegistry(orbit);
 * const run = registry.thread(config.configurable.thread_id, 'configurable.thread_id');
 */
export class RunRegistry<Result> {
  readonly orbit: Orbit;
  /** How many entries each replay cache keeps (results, counted usage, tasks). */
  readonly cap: number;
  private readonly runs = new Map<string, Run>();
  private readonly states = new WeakMap<Run, AdapterState<Result>>();
  private readonly delegated = new AsyncLocalStorage<string>();
  /** The call ids whose tools run in the current asynchronous context (a tool's nested calls see them). */
  private readonly inTool = new AsyncLocalStorage<readonly string[]>();

  constructor(orbit: Orbit, options: { replayCache?: number } = {}) {
    this.orbit = orbit;
    this.cap = options.replayCache ?? DEFAULT_REPLAY_CACHE;
  }

  /**
   * The run of a thread: the one this process has, or the run taken up from the store.
   *
   * @param source How the application names the thread, for the error (`configurable.thread_id`).
   * @throws RunUnknownError when `threadId` is not a non-empty string.
   */
  thread(threadId: unknown, source: string): Run {
    if (typeof threadId !== 'string' || threadId.length === 0) {
      throw new RunUnknownError(
        `ORBIT needs ${source} (a non-empty string) to tie tool calls to a run; got ${JSON.stringify(threadId)}.`,
      );
    }
    let run = this.runs.get(threadId);
    if (run?.hasEnded) {
      // Ended with run.end() rather than end(): the thread's next call takes its run up anew.
      this.forget(run);
      run = undefined;
    }
    if (!run) {
      // A thread this process has not seen may be new: the store cannot tell it from a lost one.
      run = this.orbit.resumeRun(threadId, { startIfMissing: true });
      this.runs.set(threadId, run);
    }
    return run;
  }

  /**
   * A sub-agent run this binding delegated to, by its id (never by a token).
   *
   * @param source Where the id came from, for the error (`context.orbit_run`).
   * @throws RunUnknownError when this process did not delegate to it, or it ended.
   */
  subAgent(runId: unknown, source: string): Run {
    const run = typeof runId === 'string' ? this.runs.get(runId) : undefined;
    if (!run || run.hasEnded) {
      throw new RunUnknownError(
        `${source} names run ${JSON.stringify(runId)}, which this process did not delegate to; sub-agents run under a token minted by their delegation.`,
      );
    }
    return run;
  }

  /** The sub-agent run the current asynchronous context acts under, if any (see `within`). */
  current(): string | undefined {
    return this.delegated.getStore();
  }

  /** Runs `invoke` as the sub-agent `child`: nested invocations find it with `current()`. */
  within<T>(child: Run, invoke: () => Promise<T>): Promise<T> {
    return this.delegated.run(child.id, invoke);
  }

  /** Runs a call's tool, noting that the current asynchronous context is inside it. */
  executing<T>(callId: string, invoke: () => Promise<T>): Promise<T> {
    return this.inTool.run([...(this.inTool.getStore() ?? []), callId], invoke);
  }

  /** True inside the tool of `callId` (a call presented again from its own tool must not wait on itself). */
  isExecuting(callId: string): boolean {
    return this.inTool.getStore()?.includes(callId) === true;
  }

  /** Keeps a sub-agent run delegated from `parent`, so that `subAgent(id)` finds it. */
  adopt(parent: Run, child: Run): void {
    this.stateOf(parent).children.push(child);
    this.runs.set(child.id, child);
  }

  /** The replay state of a run. */
  stateOf(run: Run): AdapterState<Result> {
    let state = this.states.get(run);
    if (!state) {
      state = {
        results: new Map(),
        delegations: new Map(),
        children: [],
        usage: new Set(),
        asks: new Map(),
        running: new Map(),
      };
      this.states.set(run, state);
    }
    return state;
  }

  /** Keeps the result of an executed call for replays, within the cap (the oldest goes first). */
  remember(run: Run, callId: string, result: Result): void {
    const { results } = this.stateOf(run);
    results.set(callId, result);
    dropOldest(results, this.cap);
  }

  /** Counts a model response's usage into the run's token budget once per message, however often it is replayed. */
  countUsage(run: Run, messageId: string | undefined, tokens: number | undefined): void {
    if (messageId !== undefined) {
      const { usage } = this.stateOf(run);
      if (usage.has(messageId)) return;
      usage.add(messageId);
      dropOldest(usage, this.cap);
    }
    if (tokens !== undefined && Number.isFinite(tokens) && tokens > 0) run.recordUsage({ tokens });
  }

  /** Ends a run (and its sub-agents' runs) and forgets them. */
  async end(run: Run, options?: { outcome?: 'success' | 'failure' | 'abandoned' }): Promise<void> {
    await run.end(options);
    this.forget(run);
  }

  /** Forgets a run and its sub-agent runs (it stays in the store, if any). */
  forget(run: Run): void {
    this.runs.delete(run.id);
    for (const child of this.states.get(run)?.children ?? []) this.forget(child);
  }

  /** How many runs the binding holds, and the sizes of a run's replay caches (to check their bounds). */
  stats(run?: Run): { runs: number; results: number; usage: number; asks: number } {
    const state = run ? this.states.get(run) : undefined;
    return {
      runs: this.runs.size,
      results: state?.results.size ?? 0,
      usage: state?.usage.size ?? 0,
      asks: state?.asks.size ?? 0,
    };
  }
}

/** Keeps an insertion-ordered cache within `cap` entries: the oldest goes first. */
export function dropOldest(cache: Map<unknown, unknown> | Set<unknown>, cap: number): void {
  if (cache.size > cap) cache.delete(cache.keys().next().value);
}
