import { OptionsInvalidError } from '@orbit-agents/core/errors';

// What the public functions are given, checked with errors that name the field: what would otherwise
// fail later with a bare TypeError from deep inside (or be taken and misread, like an unbounded cap).

/** How a wrong value is shown in an error: its kind, never its content when it is an object. */
export function shown(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'bigint') return `${value}n`;
  return JSON.stringify(value) ?? typeof value;
}

/** True for an object that is neither null nor an array. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** @throws OptionsInvalidError unless `value` is an object (not null, not an array). */
export function checkRecord(
  value: unknown,
  field: string,
  expected: string,
): asserts value is Record<string, unknown> {
  if (!isRecord(value))
    throw new OptionsInvalidError(`Expected ${field} to be ${expected}, got ${shown(value)}.`);
}

/** @throws OptionsInvalidError unless `value` is undefined or a positive integer. */
export function checkCount(value: unknown, field: string): void {
  if (value === undefined || (Number.isSafeInteger(value) && (value as number) > 0)) return;
  throw new OptionsInvalidError(`Expected ${field} to be a positive integer, got ${shown(value)}.`);
}

/** @throws OptionsInvalidError unless `value` is undefined or a non-empty string. */
export function checkName(value: unknown, field: string): void {
  if (value === undefined || (typeof value === 'string' && value.length > 0)) return;
  throw new OptionsInvalidError(`Expected ${field} to be a non-empty string, got ${shown(value)}.`);
}

/** @throws OptionsInvalidError unless `orbit` is what `createOrbit()` returns. */
export function checkOrbit(orbit: unknown, where: string): void {
  const given = orbit as { resumeRun?: unknown; manifest?: { manifest?: unknown } } | null | undefined;
  if (isRecord(given) && typeof given.resumeRun === 'function' && isRecord(given.manifest?.manifest)) return;
  throw new OptionsInvalidError(
    `Expected ${where} to be given an orbit (createOrbit({ manifest, ... })), got ${shown(orbit)}.`,
  );
}

/** @throws OptionsInvalidError unless `agent` is an SDK agent (`new Agent({ ... })`). */
export function checkAgent(agent: unknown, field: string): void {
  const given = agent as { clone?: unknown; tools?: unknown; handoffs?: unknown; mcpServers?: unknown };
  if (
    isRecord(given) &&
    typeof given.clone === 'function' &&
    Array.isArray(given.tools) &&
    Array.isArray(given.handoffs) &&
    Array.isArray(given.mcpServers ?? [])
  )
    return;
  throw new OptionsInvalidError(
    `Expected ${field} to be an agent of the SDK (new Agent({ ... })), got ${shown(agent)}.`,
  );
}

/** @throws OptionsInvalidError unless `state` is the SDK's `RunState` (`result.state`, `RunState.fromString`). */
export function checkRunState(state: unknown, field: string): void {
  const given = state as { getInterruptions?: unknown; approve?: unknown; _context?: unknown };
  if (
    isRecord(given) &&
    typeof given.getInterruptions === 'function' &&
    typeof given.approve === 'function' &&
    isRecord(given._context)
  )
    return;
  throw new OptionsInvalidError(
    `Expected ${field} to be the SDK's RunState (result.state, or RunState.fromString(agent, saved)), got ${shown(state)}.`,
  );
}

const OUTCOMES = ['success', 'failure', 'abandoned'] as const;

/** @throws OptionsInvalidError for an orbit or an option of `orbitOpenAIAgents` of the wrong kind. */
export function checkBindingOptions(orbit: unknown, options: unknown): void {
  checkOrbit(orbit, 'orbitOpenAIAgents(orbit, options)');
  checkRecord(options, 'orbitOpenAIAgents(orbit, options) options', 'an object');
  const { tools, approver, replayCache, traceProcessor } = options;
  if (tools !== undefined) {
    checkRecord(tools, 'options.tools', 'hints by tool name ({ refund: { resource, records } })');
    for (const [name, hints] of Object.entries(tools))
      checkRecord(hints, `options.tools.${name}`, 'an object of hints');
  }
  checkName(approver, 'options.approver');
  checkCount(replayCache, 'options.replayCache');
  if (
    traceProcessor !== undefined &&
    typeof (traceProcessor as { contextOf?: unknown })?.contextOf !== 'function'
  )
    throw new OptionsInvalidError(
      `Expected options.traceProcessor to be the OpenTelemetryTraceProcessor registered with setTraceProcessors, got ${shown(traceProcessor)}.`,
    );
}

/** @throws OptionsInvalidError unless `endRun`'s options are undefined or name an outcome it knows. */
export function checkEndOptions(options: unknown): void {
  const outcome = isRecord(options) ? options.outcome : undefined;
  if (
    options === undefined ||
    (isRecord(options) && (outcome === undefined || OUTCOMES.includes(outcome as never)))
  )
    return;
  throw new OptionsInvalidError(
    `Expected orbitAgents.endRun(threadId, options).outcome to be one of ${OUTCOMES.map((o) => `"${o}"`).join(', ')}, got ${shown(isRecord(options) ? outcome : options)}.`,
  );
}
