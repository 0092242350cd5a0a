// The one policy the decision part measures, written three ways: an ORBIT manifest, the floor (a bare `Map` of
// the tools and the comparisons a decision makes) and a Cedar policy set. A read tool runs at any confidence; a
// write tool runs only at or above its threshold and on its resource type; blocked and unknown tools never run.

/** The ORBIT manifest (the request of packages/core/bench/run.ts: every limit set so high it never fires). */
export const MANIFEST = `
agent_id: "bench-agent"
owner_team: "#bench"
deployed_at: "2026-05-01T09:00:00Z"
task_scope: "Benchmark the ORBIT policy core"
maturity_level: 3
allowed_tools:
  - name: "search_crm_accounts"
    max_calls_per_run: 1000000000
    reversibility: "read_only"
  - name: "update_invoice_status"
    max_calls_per_run: 1000000000
    reversibility: "partial"
    confidence_threshold: 0.88
    resources: ["invoice:*"]
explicitly_blocked_tools:
  - "merge_crm_accounts"
  - "delete_invoice"
interruption_policy:
  confidence_floor: 0.72
  max_tokens_per_run: 1000000000000
  max_records_touched_per_run: 1000000000000
  time_limit_minutes: 1000000
known_resource_types: ["invoice"]
`;

/** The write tool's threshold and the run's floor, as in {@link MANIFEST}. */
export const THRESHOLD = 0.88;
export const FLOOR = 0.72;

/**
 * The same policy in Cedar. Cedar has no floating point: a confidence is a `decimal` (four decimal places).
 * Nothing permits an unknown tool, so Cedar denies it by default.
 */
export const CEDAR_POLICIES = `
permit (principal == Agent::"bench-agent", action == Action::"search_crm_accounts", resource);
permit (principal == Agent::"bench-agent", action == Action::"update_invoice_status", resource is Invoice)
  when { context has confidence && context.confidence.greaterThanOrEqual(decimal("${THRESHOLD.toFixed(4)}")) };
forbid (principal, action in [Action::"delete_invoice", Action::"merge_crm_accounts"], resource);
`;

/** One tool call, as each of the three deciders receives it. */
export interface BenchRequest {
  readonly tool: string;
  readonly confidence: number | undefined;
  /** `invoice:INV-1001`; the type is the part before `:`. */
  readonly resource: string | undefined;
}

/** The call every timed decision makes: the write tool, above its threshold, on an invoice (it runs). */
export const PROCEED: BenchRequest = {
  tool: 'update_invoice_status',
  confidence: 0.95,
  resource: 'invoice:INV-1001',
};
/** A blocked tool (it never runs). */
export const BLOCKED: BenchRequest = {
  tool: 'delete_invoice',
  confidence: 0.95,
  resource: 'invoice:INV-1001',
};

/** The floor's answers: numbers, so that a decision allocates nothing. */
export const FLOOR_RUN = 0;
export const FLOOR_PAUSE = 1;
export const FLOOR_HALT = 2;

/** What the floor keeps per tool. */
interface FloorTool {
  readonly write: boolean;
  readonly threshold: number;
  /** The prefix of the resources the tool acts on (`invoice:`), or undefined for any. */
  readonly resourcePrefix: string | undefined;
}

/** The floor's policy: the tools in a `Map`, the blocked ones in a `Set`. */
export const floorTools: ReadonlyMap<string, FloorTool> = new Map([
  ['search_crm_accounts', { write: false, threshold: 0, resourcePrefix: undefined }],
  ['update_invoice_status', { write: true, threshold: THRESHOLD, resourcePrefix: 'invoice:' }],
]);
export const floorBlocked: ReadonlySet<string> = new Set(['merge_crm_accounts', 'delete_invoice']);

/**
 * The floor: the least a decision can do. A `Map` lookup of the tool's policy, the blocked set, the resource
 * type and the floor and threshold comparisons; no reasons, no ledger, no allocation.
 */
export function floorDecide(request: BenchRequest): number {
  if (floorBlocked.has(request.tool)) return FLOOR_HALT;
  const tool = floorTools.get(request.tool);
  if (tool === undefined) return FLOOR_HALT;
  if (tool.resourcePrefix !== undefined && !request.resource?.startsWith(tool.resourcePrefix))
    return FLOOR_HALT;
  if (!tool.write) return FLOOR_RUN;
  const confidence = request.confidence;
  if (confidence === undefined || !(confidence >= FLOOR) || confidence > 1) return FLOOR_PAUSE;
  return confidence >= tool.threshold ? FLOOR_RUN : FLOOR_PAUSE;
}

/** An entity uid of the Cedar request. */
interface CedarUid {
  type: string;
  id: string;
}

/** A Cedar request (principal, action, resource, context, entities), without the policies. */
export interface CedarRequest {
  principal: CedarUid;
  action: CedarUid;
  resource: CedarUid;
  context: Record<string, { __extn: { fn: string; arg: string } }>;
  entities: [];
}

/**
 * The Cedar request for `request`: the agent as principal, the tool as action, the resource as an entity of
 * its capitalised type (`invoice:INV-1` → `Invoice::"INV-1"`), the confidence as a `decimal` in the context
 * (left out when missing or out of 0..1, as ORBIT counts it missing).
 */
export function cedarRequest(request: BenchRequest): CedarRequest {
  const { confidence, resource } = request;
  const colon = resource?.indexOf(':') ?? -1;
  const type = resource === undefined || colon === -1 ? 'Resource' : resource.slice(0, colon);
  const valid = confidence !== undefined && confidence >= 0 && confidence <= 1;
  return {
    principal: { type: 'Agent', id: 'bench-agent' },
    action: { type: 'Action', id: request.tool },
    resource: {
      type: type.charAt(0).toUpperCase() + type.slice(1),
      id: resource === undefined ? 'none' : resource.slice(colon + 1),
    },
    context: valid ? { confidence: { __extn: { fn: 'decimal', arg: confidence.toFixed(4) } } } : {},
    entities: [],
  };
}

/** The requests whose decisions must agree between ORBIT, the floor and Cedar (printed as a table). */
export const EQUIVALENCE: readonly BenchRequest[] = [
  { tool: 'search_crm_accounts', confidence: 0.1, resource: undefined },
  { tool: 'search_crm_accounts', confidence: undefined, resource: undefined },
  PROCEED,
  { tool: 'update_invoice_status', confidence: THRESHOLD, resource: 'invoice:INV-1001' },
  { tool: 'update_invoice_status', confidence: 0.8799, resource: 'invoice:INV-1001' },
  { tool: 'update_invoice_status', confidence: 0.75, resource: 'invoice:INV-1001' },
  { tool: 'update_invoice_status', confidence: 0.5, resource: 'invoice:INV-1001' },
  { tool: 'update_invoice_status', confidence: undefined, resource: 'invoice:INV-1001' },
  { tool: 'update_invoice_status', confidence: 1.5, resource: 'invoice:INV-1001' },
  { tool: 'update_invoice_status', confidence: 0.95, resource: 'customer:C-7' },
  BLOCKED,
  { tool: 'merge_crm_accounts', confidence: 0.99, resource: undefined },
  { tool: 'send_email', confidence: 0.99, resource: undefined },
];
