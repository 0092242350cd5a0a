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
  type Delegation,
  type InterruptionPolicy,
  type Manifest,
  type ManifestInput,
  ManifestSchema,
  type Reversibility,
  ReversibilitySchema,
  type SubAgentProfile,
} from '../manifest/manifest-schema.js';
export { type SignManifestOptions, signManifest } from '../manifest/sign-manifest.js';
