import type { AlertRules, Notifier, RunAlert } from '../alerts/alert.js';
import type { ApprovalHandler } from '../approvals/approval.js';
import type { AuditSink, Redactor } from '../audit/audit-event.js';
import type { ConfidenceSource } from '../confidence/confidence-source.js';
import type { Policy } from '../gate/policy.js';
import type { Manifest } from '../manifest/manifest-schema.js';
import type { RunStore } from '../stores/run-store.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { RevocationCache } from '../trust/revocation-cache.js';
import type { TokenScope } from '../trust/token-scope.js';
import type { TokenExpectations, TrustAuthority, VerifiedToken } from '../trust/trust-authority.js';
import type { StartRefusal } from './run-core.js';

/** Settings a run takes from its Orbit (internal: made by `createOrbit`). */
export interface RunSettings {
  readonly policy: Policy;
  readonly manifest: Manifest;
  readonly sink: AuditSink | undefined;
  readonly telemetry: Telemetry;
  readonly alertRules: AlertRules;
  /** The shared store, if runs keep their state outside this process. */
  readonly store: RunStore | undefined;
  /**
   * Records the manifest's version in the shared store once (signed manifests only): `manifest_downgrade`
   * when the store has seen a newer one. Rejects when the store cannot be reached (tried again later).
   */
  readonly checkManifest: () => Promise<StartRefusal | undefined>;
  /** What read-only tools do when the store cannot be reached. */
  readonly storeDownReads: 'allow' | 'block';
  /** Told when the store cannot be reached. */
  readonly onStoreError: (error: unknown) => void;
  /** Told of every run started in this deployment (sub-agent runs too), and of its end. */
  readonly onRunStarted: ((runId: string, raise: RaiseAlert) => void) | undefined;
  readonly onRunEnded: ((runId: string) => void) | undefined;
  readonly notifiers: readonly Notifier[];
  readonly redact: Redactor | undefined;
  readonly confidence: ConfidenceSource;
  readonly approvalHandler: ApprovalHandler | undefined;
  /** Warns, once per Orbit, that a pause met no approval handler (`ORBIT_NO_APPROVAL_HANDLER`). */
  readonly warnNoApprovalHandler: () => void;
  readonly approvalTimeoutMs: number;
  readonly onApprovalTimeout: 'deny' | 'halt';
  readonly now: () => number;
  /** The trust authority that mints and checks sub-agent tokens (created on first use). */
  readonly trust: () => Promise<TrustAuthority>;
  /** With a store: this process's view of its revocations (the authority reads the same one). */
  readonly revocations: RevocationCache | undefined;
  /** True when the run tree was revoked (here, or in the store as of the last read): its root halts. */
  readonly treeRevoked: (treeId: string) => boolean;
  /** How many calls a run remembers for resume-safe idempotency (pending approvals are always kept). */
  readonly maxTrackedCalls: number;
  /** The ISO time of now, cached per millisecond. */
  readonly timestamp: () => string;
  /** What the agent's own runs hold: its manifest as a scope. */
  readonly rootScope: TokenScope;
}

/** Raises an alert on a run (what detectors' findings become). */
export type RaiseAlert = (alert: RunAlert) => void;

/** A sub-agent's token, bound to its run. */
export interface BoundToken {
  readonly verified: VerifiedToken;
  readonly authority: TrustAuthority;
  readonly expected: TokenExpectations;
}
