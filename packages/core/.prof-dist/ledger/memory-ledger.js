/**
 * Per-run counters and history, in memory: calls per tool, tokens, records touched, elapsed time,
 * resource types seen, and the executed actions with their undo handles. Every check-and-count happens
 * in one synchronous step, so N concurrent calls against a limit L execute exactly min(N, L) times.
 */
export class MemoryLedger {
    now;
    halted = false;
    tokens = 0;
    records = 0;
    extraTokens = 0;
    extraRecords = 0;
    extraMs = 0;
    actions = [];
    calls = new Map();
    resourceTypes = new Set();
    startedAt;
    constructor(now) {
        this.now = now;
        this.startedAt = now();
    }
    get elapsedMs() {
        return this.now() - this.startedAt;
    }
    callsOf(tool) {
        return this.calls.get(tool) ?? 0;
    }
    hasSeenResourceType(type) {
        return this.resourceTypes.has(type);
    }
    /** Counts one admitted call. Called in the same synchronous step as the decision that admitted it. */
    count(tool, records, resourceType) {
        this.calls.set(tool, (this.calls.get(tool) ?? 0) + 1);
        this.records += records;
        if (resourceType !== undefined)
            this.resourceTypes.add(resourceType);
    }
    /** A human extended the run's budgets in answer to a soft-budget pause. */
    extend(extension) {
        this.extraTokens += extension.tokens ?? 0;
        this.extraRecords += extension.records ?? 0;
        this.extraMs += (extension.minutes ?? 0) * 60_000;
    }
    /** A snapshot for reports and audit events. */
    snapshot() {
        return {
            calls: Object.fromEntries(this.calls),
            tokens: this.tokens,
            records: this.records,
            elapsed_ms: this.elapsedMs,
            resource_types: [...this.resourceTypes],
        };
    }
}
