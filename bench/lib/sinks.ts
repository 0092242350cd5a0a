// The adapter benches' audit sinks: none, in memory, or a hash-chained JSONL file in the temp directory; the
// files kept small between rounds and removed at the end; the check that a sink holds one decision per call.
// The core's sink classes are passed in: bench/lib imports no package.
import { readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Which audit sink an ORBIT variant writes to. */
export type SinkKind = 'none' | 'memory' | 'jsonl';

/** The JSONL sinks' files (one per binding, in the temp directory): truncated between rounds, removed at the end. */
export const sinkPaths: string[] = [];

/** The core's `MemorySink` and `JsonlFileSink` classes. */
export interface SinkClasses<Sink> {
  MemorySink: new () => Sink;
  JsonlFileSink: new (path: string) => Sink;
}

/**
 * A fresh sink of `kind`: none, a `MemorySink` (emptied by the caller), or a `JsonlFileSink` on a new file
 * named after `prefix` (recorded in {@link sinkPaths}).
 *
 * @example
 * const sink = benchSink('jsonl', 'orbit-oa-bench', { MemorySink, JsonlFileSink });
 */
export function benchSink<Sink>(
  kind: SinkKind,
  prefix: string,
  { MemorySink, JsonlFileSink }: SinkClasses<Sink>,
): Sink | undefined {
  if (kind === 'memory') return new MemorySink();
  if (kind !== 'jsonl') return undefined;
  const path = join(tmpdir(), `${prefix}-${process.pid}-${sinkPaths.length}.jsonl`);
  sinkPaths.push(path);
  return new JsonlFileSink(path);
}

/** Empties every JSONL file (untimed, between rounds): the append-mode descriptor goes on writing at the new end. */
export function truncateSinkFiles(): void {
  for (const path of sinkPaths) truncateSync(path, 0);
}

/** Closes the sinks that can be closed (the JSONL ones), then removes every JSONL file. */
export function closeSinks(sinks: readonly ({ close?(): unknown } | undefined)[]): void {
  for (const sink of sinks) sink?.close?.();
  for (const path of sinkPaths) rmSync(path, { force: true });
}

type DecisionEvent = { event: string; decision?: string };

/**
 * After a variant's first invoke on a fresh sink: the sink holds one `proceed` decision per call. A
 * `MemorySink` is read from its events, a `JsonlFileSink` flushed and read from its file.
 *
 * @throws Error naming the variant and the decisions it holds instead.
 */
export function checkProceedDecisions(label: string, sink: object, calls: number): void {
  let events: DecisionEvent[] = [];
  if ('events' in sink) events = sink.events as DecisionEvent[];
  if ('path' in sink && 'flush' in sink) {
    const file = sink as { path: string; flush(): void };
    file.flush();
    events = readFileSync(file.path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }
  const decisions = events.filter((event) => event.event === 'decision');
  if (decisions.length !== calls || decisions.some((event) => event.decision !== 'proceed'))
    throw new Error(
      `bench setup: ${label}: expected ${calls} proceed decisions, got ${JSON.stringify(decisions)}`,
    );
}
