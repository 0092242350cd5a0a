/** The two runs a parity test compares: the core-only reference and a framework's run, each with its sink. */
export interface ParityRuns<Sink, Core, Framework> {
  core: Core;
  coreSink: Sink;
  framework: Framework;
  frameworkSink: Sink;
}

/**
 * How an example's parity tests run its scenario twice, each run writing its audit events to a fresh
 * sink of its own: first the core-only reference, then on the framework a test gives. The tests
 * compare the two.
 *
 * @returns a function that runs both; it throws whatever either run throws (the framework's run is
 *   not started when the reference's fails).
 * @example
 * const parityRuns = parityOf(() => new MemorySink(), (sink) => runCore({ sink }));
 * const runs = await parityRuns((sink) => runOnLangGraph({ sink }));
 */
export function parityOf<Sink, Core>(newSink: () => Sink, runCore: (sink: Sink) => Promise<Core>) {
  return async <Framework>(
    runOnFramework: (sink: Sink) => Promise<Framework>,
  ): Promise<ParityRuns<Sink, Core, Framework>> => {
    const coreSink = newSink();
    const frameworkSink = newSink();
    const core = await runCore(coreSink);
    const framework = await runOnFramework(frameworkSink);
    return { core, coreSink, framework, frameworkSink };
  };
}
