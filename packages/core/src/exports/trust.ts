/** `@orbit-agents/core/trust`: trust tokens, scopes and their attenuation. */
export { DEFAULT_REVOCATION_STALENESS_MS, type TrustStore } from '../trust/revocation-cache.js';
export { scopedPolicy } from '../trust/scoped-policy.js';
export { SPAWN_TOOL } from '../trust/spawn-tool.js';
export { TokenError } from '../trust/token-error.js';
export {
  attenuateScope,
  type DelegationRequest,
  DelegationRequestSchema,
  isSubPattern,
  isWithin,
  type MintRefusal,
  rootScope,
  type ScopeUsage,
  type TokenScope,
  TokenScopeSchema,
} from '../trust/token-scope.js';
export {
  type MintClaims,
  type TokenExpectations,
  TRUST_TOKEN_TYPE,
  TrustAuthority,
  type TrustAuthorityOptions,
  type VerifiedToken,
} from '../trust/trust-authority.js';
export {
  type VerifyTokenSignatureOptions,
  verifyTokenSignature,
} from '../trust/verify-token-signature.js';
