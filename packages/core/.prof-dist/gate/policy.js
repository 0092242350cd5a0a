import { DEFAULT_CONFIDENCE_THRESHOLD } from '../manifest/manifest-schema.js';
/** Compiles a loaded manifest into a `Policy`; `maturityLevel` overrides the manifest's level. */
export function compilePolicy(loaded, maturityLevel) {
    const { manifest } = loaded;
    const policy = manifest.interruption_policy;
    const defaultThreshold = policy.default_confidence_threshold ?? DEFAULT_CONFIDENCE_THRESHOLD;
    const tools = new Map();
    for (const tool of manifest.allowed_tools) {
        tools.set(tool.name, {
            name: tool.name,
            reversibility: tool.reversibility ?? 'partial',
            threshold: tool.confidence_threshold ?? defaultThreshold,
            maxCalls: tool.max_calls_per_run,
            escalation: tool.escalation === true,
            resources: tool.resources?.map(compileResourcePattern),
            maxRecordsPerCall: tool.max_records_per_call ?? policy.max_records_per_call,
        });
    }
    return {
        agentId: manifest.agent_id,
        digest: loaded.digest,
        level: maturityLevel ?? manifest.maturity_level ?? 1,
        tools,
        blocked: new Set(manifest.explicitly_blocked_tools),
        floor: policy.confidence_floor,
        maxTokens: policy.max_tokens_per_run,
        maxRecordsPerRun: policy.max_records_touched_per_run,
        timeLimitMs: policy.time_limit_minutes === undefined ? undefined : policy.time_limit_minutes * 60_000,
        budgetMode: policy.budget_mode ?? 'soft',
        knownResourceTypes: manifest.known_resource_types ? new Set(manifest.known_resource_types) : undefined,
    };
}
/** `invoice:*` → /^invoice:.*$/ ; every other character is literal. */
export function compileResourcePattern(pattern) {
    const source = pattern
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*');
    return new RegExp(`^${source}$`);
}
/** The resource type of a resource id: the part before the first `:` (`invoice:INV-1` → `invoice`). */
export function resourceTypeOf(resource) {
    const colon = resource.indexOf(':');
    return colon === -1 ? resource : resource.slice(0, colon);
}
