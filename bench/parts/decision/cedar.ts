// Cedar as a user would call it per tool call: `@cedar-policy/cedar-wasm` (its Node.js build), the policy set
// parsed once (`preparsePolicySet`) and each call decided with `statefulIsAuthorized`, the fastest correct entry
// point of the package. `isAuthorized` with the policies as text (parsed on every call) is timed beside it.
import {
  type AuthorizationAnswer,
  getCedarVersion,
  isAuthorized,
  preparsePolicySet,
  statefulIsAuthorized,
} from '@cedar-policy/cedar-wasm/nodejs';
import { type BenchRequest, CEDAR_POLICIES, cedarRequest } from './policy.js';

/** The id the equivalent policy set is pre-parsed under. */
const POLICY_SET = 'orbit-bench';
/** An empty policy set: what a call costs Cedar's bindings before any policy is evaluated. */
const EMPTY_SET = 'orbit-bench-empty';

/** The Cedar version (for the notes). */
export const cedarVersion = getCedarVersion();

/**
 * Pre-parses the policy sets once (what a deployment does at start).
 *
 * @throws Error with Cedar's messages when a set does not parse.
 */
export function preparseCedar(): void {
  preparse(POLICY_SET, CEDAR_POLICIES);
  preparse(EMPTY_SET, '');
}

/**
 * Pre-parses one policy set under `id`.
 *
 * @throws Error with Cedar's messages when the set does not parse.
 */
export function preparse(id: string, policies: string): void {
  const answer = preparsePolicySet(id, { staticPolicies: policies });
  if (answer.type !== 'success')
    throw new Error(`Cedar: ${id} does not parse: ${answer.errors.map((e) => e.message).join('; ')}`);
}

/**
 * True when Cedar allows.
 *
 * @throws Error when Cedar failed to evaluate the request (a failure is not a deny).
 */
export function allows(answer: AuthorizationAnswer): boolean {
  if (answer.type !== 'success')
    throw new Error(`Cedar: the request failed: ${answer.errors.map((e) => e.message).join('; ')}`);
  if (answer.response.diagnostics.errors.length > 0)
    throw new Error(`Cedar: a policy errored: ${JSON.stringify(answer.response.diagnostics.errors)}`);
  return answer.response.decision === 'allow';
}

/** A pre-parsed Cedar call for `request`, built once: timing it times Cedar alone. */
export function statefulCall(request: BenchRequest, empty = false) {
  const call = { ...cedarRequest(request), preparsedPolicySetId: empty ? EMPTY_SET : POLICY_SET };
  return () => statefulIsAuthorized(call);
}

/** A Cedar call for `request` with the policy set as text, parsed on every call. */
export function textCall(request: BenchRequest) {
  const call = { ...cedarRequest(request), policies: { staticPolicies: CEDAR_POLICIES } };
  return () => isAuthorized(call);
}
