/** `@orbit-agents/core/manifest`: the manifest's schemas, loading and signing. */
export {
  type LoadedManifest,
  type LoadManifestOptions,
  loadManifest,
  parseManifest,
  verifyManifest,
} from '../manifest/load-manifest.js';
export {
  type AlertPolicy,
  AlertPolicySchema,
  type AllowedTool,
  DEFAULT_CONFIDENCE_THRESHOLD,
  DEFAULT_MAX_IRREVERSIBLE_ACTIONS_PER_RUN,
  type Delegation,
  type InterruptionPolicy,
  type Manifest,
  type ManifestInput,
  ManifestSchema,
  ResourcePatternSchema,
  type Reversibility,
  ReversibilitySchema,
  type SubAgentProfile,
} from '../manifest/manifest-schema.js';
export { type SignManifestOptions, signManifest } from '../manifest/sign-manifest.js';
