import { ArgumentInvalidError, formatPath } from '../errors.js';
import type { ReasonCode } from '../gate/reason-codes.js';
import type { Verdict } from '../gate/verdict.js';
import { StoreUnavailableError } from '../stores/store-unavailable-error.js';
import { SPAWN_TOOL } from '../trust/spawn-tool.js';
import { TokenError } from '../trust/token-error.js';
import {
  attenuateScope,
  type DelegationRequest,
  DelegationRequestSchema,
  isWithin,
  type TokenScope,
} from '../trust/token-scope.js';
import type { TrustAuthority } from '../trust/trust-authority.js';
import type { Decision } from './decision.js';
import { admit } from './gatekeeper.js';
import { raiseAlert } from './run-alerts.js';
import { RunCore } from './run-core.js';
import { RunHaltedError } from './run-halted-error.js';

/** A delegation decided: on success, the minted token, the sub-agent's run and its scope. */
export interface Delegated {
  readonly decision: Decision;
  readonly token?: string;
  readonly child?: RunCore;
  readonly scope?: TokenScope;
}

/**
 * Delegates to a sub-agent (see `Run.delegate`): decides the spawn as `spawn_sub_agent`, attenuates
 * the scope, mints the token and opens the sub-agent's run under it.
 *
 * @throws ArgumentInvalidError when the request is malformed (naming the field).
 * @throws RunHaltedError when delegating is not permitted, too deep or beyond the sub-agent limit.
 */
export async function delegate(run: RunCore, input: DelegationRequest): Promise<Delegated> {
  const parsed = DelegationRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ArgumentInvalidError(
      `Invalid delegation request at ${formatPath(issue.path)}: ${issue.message}`,
    );
  }
  const request = parsed.data as DelegationRequest;
  const callId = `spawn-${++run.sequence}`;
  const profile = run.settings.manifest.delegation?.profiles.find(
    (candidate) => candidate.name === request.profile,
  );
  const agentId = request.agentId ?? request.profile;
  const stale = await readRevocations(run);
  if (stale) return refuseDelegation(run, callId, request, stale, undefined, undefined);
  let verdict = spawnVerdict(run);
  let detail: string | undefined;
  let field: string | undefined;
  let scope: TokenScope | undefined;
  if (verdict.decision === 'proceed') {
    const attenuated = attenuateScope(run.scope, run.depth, run.usage(), profile, request);
    if ('refusal' in attenuated) {
      const { reason, message } = attenuated.refusal;
      field = attenuated.refusal.field;
      detail = field ? `${field}: ${message}` : message;
      verdict = {
        decision: reason === 'scope_escalation' ? 'block' : 'halt',
        reasons: [reason],
        confidence: null,
      };
    } else if (!isWithin(attenuated.scope, run.scope)) {
      // A backstop: attenuation never gives more than the parent holds; if it ever did, nothing is minted.
      verdict = { decision: 'block', reasons: ['scope_escalation'], confidence: null };
      detail = "the scope would be wider than the parent's";
    } else {
      scope = attenuated.scope;
    }
  }
  if (!scope) return refuseDelegation(run, callId, request, verdict, detail, field);

  // Reserve the sub-agent slot before the await, so concurrent delegations cannot overshoot.
  for (const each of run.lineage) each.subAgents++;
  const authority = await run.settings.trust();
  // Clamped, never refused: at most the profile's lifetime (the authority's default when it sets none);
  // the authority clamps it again to the parent's remaining lifetime.
  const profileTtl = profile?.ttl_seconds ?? authority.defaultTtlSeconds;
  let minted: Awaited<ReturnType<TrustAuthority['mint']>>;
  try {
    minted = await authority.mint({
      agentId,
      runId: run.root.id,
      parent: run.token?.verified ?? null,
      manifestDigest: run.policy.digest,
      scope,
      ttlSeconds: Math.min(request.ttl_seconds ?? profileTtl, profileTtl),
    });
  } catch (error) {
    for (const each of run.lineage) each.subAgents--;
    if (error instanceof StoreUnavailableError) {
      run.settings.onStoreError(error);
      const refused: Verdict = { decision: 'block', reasons: ['store_unavailable'], confidence: null };
      return refuseDelegation(run, callId, request, refused, error.message, undefined);
    }
    if (!(error instanceof TokenError)) throw error;
    const refused: Verdict = { decision: 'block', reasons: [error.reason], confidence: null };
    return refuseDelegation(run, callId, request, refused, error.message, error.field);
  }
  const decision = run.stamp(callId, SPAWN_TOOL, verdict);
  run.recorder.decisionEvent(decision, { tool: SPAWN_TOOL, args: request });
  run.recorder.token('minted', minted.verified, [], { profile: request.profile });
  const expected = { audience: agentId, runId: run.root.id, manifestDigest: run.policy.digest };
  const span = run.recorder.spawnSpan(decision, minted.verified.jti);
  const child = new RunCore(run.settings, {
    parent: run,
    agentId,
    token: { verified: minted.verified, authority, expected },
    parentSpan: span,
  });
  span.end();
  run.children.push(child);
  return { decision, token: minted.token, child, scope };
}

/**
 * Revokes the run's token and with it every token minted under it; for an agent's own run, every
 * token of the run tree and the run itself (the kill switch: its own next call or delegation halts
 * with `token_revoked`). Takes effect at each run's next guarded call or delegation.
 */
export async function revoke(run: RunCore): Promise<void> {
  const authority = await run.settings.trust();
  const { token } = run;
  if (token) authority.revokeToken(token.verified.jti);
  else authority.revokeRun(run.root.id);
  // On a shared store the revocation reaches every worker within its revocationStalenessMs.
  await run.settings.store?.revoke(token ? { tokenId: token.verified.jti } : { treeId: run.root.id });
  run.recorder.token('revoked', token?.verified, [], token ? {} : { revoked_run: run.root.id });
}

/**
 * On a store, reads the revocations made in other processes when this process's view is stale, so that
 * a revoked tree or token delegates nothing. A store that cannot be read refuses the delegation (`block`,
 * `store_unavailable`): it fails closed.
 */
async function readRevocations(run: RunCore): Promise<Verdict | undefined> {
  const stale = run.settings.revocations?.refresh();
  if (!stale) return undefined;
  try {
    await stale;
    return undefined;
  } catch (error) {
    run.settings.onStoreError(error);
    return { decision: 'block', reasons: ['store_unavailable'], confidence: null };
  }
}

/** Whether this run may spawn at all: not blocked, its token valid, delegation allowed, the tree running with room. */
function spawnVerdict(run: RunCore): Verdict {
  if (run.policy.blocked.has(SPAWN_TOOL))
    return {
      decision: 'halt',
      reasons: ['tool_explicitly_blocked', 'spawn_not_permitted'],
      confidence: null,
    };
  const refused = run.checkToken(undefined);
  if (refused) return refused;
  if (!run.scope.delegate.allowed)
    return { decision: 'halt', reasons: ['spawn_not_permitted'], confidence: null };
  for (const each of run.lineage) {
    if (each.halted) return { decision: 'halt', reasons: ['run_halted'], confidence: null };
    if (each !== run && each.scope.delegate.max_sub_agents - each.subAgents < 1)
      return { decision: 'halt', reasons: ['sub_agent_limit_exceeded'], confidence: null };
  }
  return { decision: 'proceed', reasons: [], confidence: null };
}

function refuseDelegation(
  run: RunCore,
  callId: string,
  request: DelegationRequest,
  verdict: Verdict,
  detail: string | undefined,
  field: string | undefined,
): Delegated {
  const decision = run.stamp(callId, SPAWN_TOOL, verdict, detail);
  admit(run, decision, 0, undefined);
  const span = run.recorder.spawnSpan(decision, undefined);
  const subAgent = request.agentId ?? request.profile;
  if (
    run.settings.alertRules.subAgentOutsideManifest &&
    decision.reasons.some((r) => OUTSIDE_MANIFEST.has(r))
  ) {
    raiseAlert(
      run,
      {
        alert: 'sub_agent_spawned_outside_manifest',
        severity: 'critical',
        message: `"${run.agentId}" tried to spawn sub-agent "${subAgent}" outside its manifest (${decision.reasons.join(', ')}).`,
        call_id: decision.call_id,
        tool: SPAWN_TOOL,
        reasons: decision.reasons,
        evidence: { profile: request.profile, ...(detail ? { detail } : {}) },
      },
      span,
    );
  }
  span.end();
  run.recorder.decisionEvent(decision, { tool: SPAWN_TOOL, args: request });
  run.recorder.token('refused', undefined, decision.reasons, {
    profile: request.profile,
    sub_agent: subAgent,
    ...(field ? { field } : {}),
  });
  if (decision.decision === 'halt') throw new RunHaltedError(decision);
  return { decision };
}

/** Delegation refusals that mean a sub-agent was asked for outside the manifest's rules. */
const OUTSIDE_MANIFEST = new Set<ReasonCode>([
  'spawn_not_permitted',
  'sub_agent_limit_exceeded',
  'delegation_depth_exceeded',
  'scope_escalation',
  'tool_explicitly_blocked',
]);
