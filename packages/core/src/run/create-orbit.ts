import { type Notifier, resolveAlertRules } from '../alerts/alert.js';
import type { ApprovalHandler } from '../approvals/approval.js';
import type { AuditSink, Redactor } from '../audit/audit-event.js';
import { argumentConfidence, type ConfidenceSource } from '../confidence/confidence-source.js';
import { createDetectors } from '../detectors/create-detectors.js';
import { detectorSink } from '../detectors/detector-sink.js';
import type { Detector } from '../detectors/finding.js';
import { ManifestDowngradeError, OptionsInvalidError } from '../errors.js';
import type { MaturityLevel } from '../gate/decision-table.js';
import { compilePolicy, freezePolicy, type Policy } from '../gate/policy.js';
import { isLoadedManifest, type LoadedManifest } from '../manifest/load-manifest.js';
import type { AlertPolicy } from '../manifest/manifest-schema.js';
import { newestManifestVersion } from '../manifest/newest-manifests.js';
import type { RunStore } from '../stores/run-store.js';
import { resolveTelemetry, type TelemetryOptions } from '../telemetry/telemetry.js';
import { checkStaleness, RevocationCache } from '../trust/revocation-cache.js';
import { rootScope } from '../trust/token-scope.js';
import { attachStore, revocationsOf, TrustAuthority } from '../trust/trust-authority.js';
import type { ToolDefinition } from './define-tool.js';
import { noApprovalHandlerWarning } from './no-approval-handler.js';
import { openRun, type Run } from './run.js';
import type { StartRefusal } from './run-core.js';
import type { RaiseAlert } from './run-settings.js';

export interface OrbitOptions {
  /** A manifest from `loadManifest` (verified) . */
  manifest: LoadedManifest;
  /** Where audit events go (e.g. `new JsonlFileSink(path)`). None: no events are built at all. */
  sink?: AuditSink;
  /** Redacts tool inputs and outputs before they reach the audit log. */
  redact?: Redactor;
  /** Where confidence comes from. Default: a `confidence` argument added to each tool's input schema. */
  confidence?: ConfidenceSource;
  /**
   * Answers paused calls in `run.execute`. Without one (and without a `store` someone answers in), a pause
   * is refused at once as `no_approval_handler` (a `block`, never a timeout), with a process warning
   * `ORBIT_NO_APPROVAL_HANDLER` the first time.
   */
  approvalHandler?: ApprovalHandler;
  /** How long a paused call waits for its answer. Default 15 minutes. */
  approvalTimeoutMs?: number;
  /** What an unanswered approval leads to: `deny` (default) or `halt`. */
  onApprovalTimeout?: 'deny' | 'halt';
  /** Overrides the manifest's maturity level (e.g. to trial a stricter level). */
  maturityLevel?: MaturityLevel;
  /**
   * OpenTelemetry: one `invoke_agent` span per run and one `execute_tool` span per guarded call, through
   * `@opentelemetry/api` (the application registers the SDK). Inputs and outputs go on spans only when
   * `recordInputs` / `recordOutputs` are set, through `redact`.
   */
  telemetry?: TelemetryOptions;
  /**
   * The "alert on immediately" rules (override the manifest's `alerts`) and who to tell: any
   * `(alert) => void` callback, or `webhookNotifier({ url })`.
   */
  alerts?: AlertPolicy & { notifiers?: Notifier[] };
  /**
   * Failure-mode detectors over the run's events (`createDetectors(...)`), or `true` for all five with
   * their defaults (`task_scope` from the manifest; the sub-agent limit from its delegation rules).
   * Each finding is raised as an alert (`detector:<failure mode>`): audit event, span event, notifiers.
   */
  detectors?: readonly Detector[] | true;
  /**
   * Where runs keep their counts, approvals, revocations and compensation logs when they must outlive
   * this process or be shared by several: `new SqliteStore({ path })` or `new RedisStore({ url })`.
   * Without one, everything lives in this process. With one, use `run.guardAsync` (and `execute`,
   * which uses it) and `run.answerAsync`.
   */
  store?: RunStore;
  /** What read-only tools do when the store cannot be reached: `block` (default, fail closed) or `allow`. */
  storeDownReads?: 'allow' | 'block';
  /** Told when the store cannot be reached (default: a warning on the console). */
  onStoreError?: (error: unknown) => void;
  /**
   * With a store: how stale this process's view of the store's revocations may be, in ms. A token or run
   * tree revoked in another process is refused by `verify`, by guarded calls (`guardAsync`, `execute`)
   * and by `delegate` at most this long after the revocation; the store is read at most once per this
   * window. 0: every check asks the store. Default 1000.
   */
  revocationStalenessMs?: number;
  /**
   * How many calls a run remembers, so that a framework re-running a node gets the recorded decision.
   * Older settled calls are forgotten (calls waiting for a human never are). It also bounds the
   * rollback list of executed actions without an undo (beyond it they are counted per tool in
   * `RollbackReport.omitted`); actions with an undo are always kept. Default 10,000.
   */
  maxTrackedCalls?: number;
  /** The clock, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * Mints and checks sub-agent trust tokens. Default: an authority with a fresh Ed25519 key known only
   * to this process (right when sub-agents run in-process). Share one built from your keys across processes.
   */
  trust?: TrustAuthority;
}

/** One agent deployment under ORBIT: a verified manifest compiled into a policy, ready to start runs. */
export interface Orbit {
  readonly policy: Policy;
  readonly manifest: LoadedManifest;
  /**
   * Starts a run of this agent. On a store, its record (with the manifest digest) is written at once,
   * before its first call.
   *
   * @throws what the audit sink's `write` throws: the run's `started` event is written at once
   * (`JsonlFileSink`: Node's file-system error when its buffer fills and the flush fails).
   */
  startRun(options?: { runId?: string; parentRunId?: string }): Run;
  /**
   * Takes up a run started before (in this process or another, before a crash) from the shared store:
   * its counts carry on, and `run.resumeApproved(tools)` runs the calls humans approved meanwhile.
   *
   * On a store the run must be there, under the same manifest: when its record is gone (a deleted key
   * or row, a store restarted empty) its calls halt with `run_state_lost`; when it was started under
   * another manifest digest they halt with `run_manifest_changed`. It never starts again with a fresh
   * budget or new limits. `startIfMissing: true` starts a run the store does not know as a new run
   * (the adapter kit's threads, which cannot tell a new thread from a lost one).
   *
   * @throws what `startRun` throws. An unknown `runId` is not an error here: the store's answer comes
   * with the run's first call.
   */
  resumeRun(runId: string, options?: { startIfMissing?: boolean }): Run;
  /** The trust authority of this deployment (created on first use when none was given). */
  trust(): Promise<TrustAuthority>;
  /** Where calls' confidence comes from (adapters read it from the model's arguments with it). */
  readonly confidence: ConfidenceSource;
  /**
   * The input schema the model sees for a tool (with the confidence argument added).
   *
   * @throws TypeError (a plain one, not an ORBIT error) with the default `argumentConfidence` source,
   * when the tool's input schema is not a `z.object`.
   */
  modelInputSchema(tool: ToolDefinition): ReturnType<ConfidenceSource['modelInputSchema']>;
}

/**
 * Creates the decision point for one agent deployment.
 *
 * @throws ManifestDowngradeError when the manifest is signed and a newer `manifest_version` of its agent
 * was verified in this process since it was loaded.
 * @throws OptionsInvalidError when `options.manifest` is missing (or carries no `manifest`), when
 * `approvalTimeoutMs` is not from 1 to 2147483647, `revocationStalenessMs` is not a finite number >= 0,
 * `trust` already reads revocations from another store than `store`, or, with `detectors: true`, when the
 * manifest's `task_scope` is blank (the context-window-poisoning detector refuses it).
 *
 * @example
 * const orbit = createOrbit({ manifest: await loadManifest({ manifest, signature, trustedKeys }), sink: new JsonlFileSink('audit.jsonl') });
 * const run = orbit.startRun();
 * const result = await run.execute(updateInvoice, { invoice_id: 'INV-1', status: 'paid', confidence: 0.93 });
 */
export function createOrbit(options: OrbitOptions): Orbit {
  if (!isLoadedManifest(options?.manifest)) {
    // A hand-made object marked signed is not a verified manifest: only loadManifest's output is.
    throw new OptionsInvalidError(
      'createOrbit() needs options.manifest: the result of loadManifest() (a validated, verified manifest), not an object built by hand.',
    );
  }
  checkOptions(options);
  const { manifest: doc, digest, signed } = options.manifest;
  const version = doc.manifest_version ?? 0;
  // A manifest loaded before a newer one of its agent was verified in this process is not deployed.
  if (signed && version < newestManifestVersion(doc.agent_id)) {
    throw new ManifestDowngradeError(
      doc.agent_id,
      version,
      newestManifestVersion(doc.agent_id),
      'older',
      'process',
    );
  }
  const timeout = options.approvalTimeoutMs ?? 15 * 60_000;
  if (!(timeout > 0) || timeout > 2_147_483_647)
    throw new OptionsInvalidError(
      `approvalTimeoutMs must be a number of ms from 1 to 2147483647 (about 24.8 days, the longest timer), got ${timeout}.`,
    );
  const policy = compilePolicy(options.manifest, options.maturityLevel);
  const confidence = options.confidence ?? argumentConfidence();
  const now = options.now ?? Date.now;
  const revocations = storeRevocations(options, now);
  // The authority once it exists (a given one at once, the ephemeral one when first used).
  let resolved: TrustAuthority | undefined = options.trust;
  let authority: Promise<TrustAuthority> | undefined = options.trust
    ? Promise.resolve(options.trust)
    : undefined;
  const trust = () => {
    authority ??= TrustAuthority.ephemeral({ now: options.now }).then((created) => {
      if (revocations) attachStore(created, revocations);
      resolved = created;
      return created;
    });
    return authority;
  };
  // Before the authority exists nothing was revoked in this process: only the store's revocations count.
  const treeRevoked = (treeId: string) =>
    resolved ? resolved.isRunRevoked(treeId) : revocations?.isTreeRevoked(treeId) === true;
  let lastMs = Number.NaN;
  let lastIso = '';
  const timestamp = () => {
    const ms = now();
    if (ms !== lastMs) {
      lastMs = ms;
      lastIso = new Date(ms).toISOString();
    }
    return lastIso;
  };
  const manifestDoc = options.manifest.manifest;
  const detectors =
    options.detectors === true
      ? createDetectors({
          taskScope: manifestDoc.task_scope,
          subAgentCascade: { maxSubAgents: manifestDoc.delegation?.max_sub_agents_per_run ?? 0 },
        })
      : options.detectors;
  // Live runs by id, so that a finding is raised on its run (its span, its audit trail).
  const live = new Map<string, RaiseAlert>();
  const sink = detectors?.length
    ? detectorSink(
        detectors,
        (finding) => {
          live.get(finding.run_id)?.({
            alert: `detector:${finding.detector}`,
            severity: finding.severity,
            message: finding.message,
            ...(finding.call_id ? { call_id: finding.call_id } : {}),
            evidence: { signal: finding.signal, ...finding.evidence },
          });
        },
        options.sink,
      )
    : options.sink;
  const maxTrackedCalls = options.maxTrackedCalls ?? 10_000;
  const onRunStarted = detectors?.length
    ? (runId: string, raise: RaiseAlert) => {
        live.set(runId, raise);
        if (live.size > maxTrackedCalls) live.delete(live.keys().next().value!);
      }
    : undefined;
  const onRunEnded = detectors?.length ? (runId: string) => void live.delete(runId) : undefined;
  let manifestChecked: Promise<StartRefusal | undefined> | undefined;
  const store = options.store;
  const checkManifest = (): Promise<StartRefusal | undefined> => {
    // Only a signed manifest's version is trusted; the store keeps the newest per agent.
    if (!store || !signed) return NO_REFUSAL;
    if (!manifestChecked) {
      const checked = store.recordManifest(doc.agent_id, version, digest).then((order) =>
        order.ok
          ? undefined
          : {
              reason: 'manifest_downgrade' as const,
              error: new ManifestDowngradeError(
                doc.agent_id,
                version,
                order.newestVersion,
                order.reason,
                'store',
              ),
            },
      );
      manifestChecked = checked;
      checked.catch(() => {
        if (manifestChecked === checked) manifestChecked = undefined; // try again at the next run start
      });
    }
    return manifestChecked;
  };
  const settings = {
    checkManifest,
    onRunEnded,
    store: options.store,
    storeDownReads: options.storeDownReads ?? 'block',
    onStoreError:
      options.onStoreError ?? ((error: unknown) => console.warn('[orbit] store unavailable:', error)),
    onRunStarted,
    alertRules: resolveAlertRules(options.manifest.manifest.alerts, options.alerts),
    notifiers: options.alerts?.notifiers ?? [],
    telemetry: resolveTelemetry(options.telemetry, options.redact),
    maxTrackedCalls,
    timestamp,
    trust,
    revocations,
    treeRevoked,
    rootScope: rootScope(options.manifest.manifest, policy),
    policy,
    manifest: options.manifest.manifest,
    sink,
    redact: options.redact,
    confidence,
    approvalHandler: options.approvalHandler,
    warnNoApprovalHandler: noApprovalHandlerWarning(),
    approvalTimeoutMs: timeout,
    onApprovalTimeout: options.onApprovalTimeout ?? 'deny',
    now,
  } as const;
  return {
    // A read-only copy: the runs decide with `policy`, which only they hold.
    policy: freezePolicy(policy),
    manifest: options.manifest,
    startRun: (runOptions) => openRun(settings, runOptions),
    resumeRun: (runId, resumeOptions) =>
      openRun(settings, { runId, resumed: true, startIfMissing: resumeOptions?.startIfMissing === true }),
    trust,
    confidence,
    modelInputSchema: (tool) => confidence.modelInputSchema(tool.input),
  };
}

const NO_REFUSAL: Promise<undefined> = Promise.resolve(undefined);

/**
 * The view of the store's revocations the runs and the authority share: the given authority's when it
 * has one on this store, else a new one (given to the authority).
 *
 * @throws OptionsInvalidError when `trust` reads revocations from another store than `store`.
 */
function storeRevocations(options: OrbitOptions, now: () => number): RevocationCache | undefined {
  const stalenessMs = checkStaleness(options.revocationStalenessMs, 'options.revocationStalenessMs');
  const own = options.trust && revocationsOf(options.trust);
  if (own) {
    if (options.store && own.store !== options.store)
      throw new OptionsInvalidError(
        'options.trust reads revocations from another store than options.store: give both the same store.',
      );
    return own;
  }
  if (!options.store) return undefined;
  const cache = new RevocationCache(options.store, { stalenessMs, now });
  if (options.trust) attachStore(options.trust, cache);
  return cache;
}

/**
 * The options besides the manifest, checked at the edge: a bad value is refused naming the option, so
 * nothing fails later in the middle of a call.
 *
 * @throws OptionsInvalidError naming the option and what it expects.
 */
function checkOptions(options: OrbitOptions): void {
  const bad = (name: string, expected: string, got: unknown) => {
    throw new OptionsInvalidError(`options.${name} must be ${expected}, got ${describe(got)}.`);
  };
  const { maturityLevel, maxTrackedCalls, onApprovalTimeout, storeDownReads } = options;
  if (
    maturityLevel !== undefined &&
    !(Number.isInteger(maturityLevel) && maturityLevel >= 1 && maturityLevel <= 4)
  )
    bad('maturityLevel', '1, 2, 3 or 4', maturityLevel);
  if (maxTrackedCalls !== undefined && !(Number.isInteger(maxTrackedCalls) && maxTrackedCalls >= 1))
    bad('maxTrackedCalls', 'a whole number >= 1', maxTrackedCalls);
  if (onApprovalTimeout !== undefined && onApprovalTimeout !== 'deny' && onApprovalTimeout !== 'halt')
    bad('onApprovalTimeout', "'deny' or 'halt'", onApprovalTimeout);
  if (storeDownReads !== undefined && storeDownReads !== 'allow' && storeDownReads !== 'block')
    bad('storeDownReads', "'allow' or 'block'", storeDownReads);
  for (const name of ['sink', 'store', 'approvalHandler', 'now', 'redact', 'onStoreError'] as const) {
    const value = options[name];
    const expected = name === 'sink' || name === 'store' ? 'object' : 'function';
    if (value !== undefined && typeof value !== expected)
      bad(name, expected === 'object' ? 'an object' : 'a function', value);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return typeof value === 'object' && value !== null ? 'an object' : String(value);
}
