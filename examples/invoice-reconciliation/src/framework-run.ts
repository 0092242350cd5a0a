/**
 * What the framework runs of the scenario (LangGraph, the AI SDK, the OpenAI Agents SDK) share around their
 * framework's own loop: the deployment they start with, and the report's fields they end with.
 */
import {
  createOrbit,
  JsonlFileSink,
  type LoadedManifest,
  type Orbit,
  type RollbackReport,
} from '@orbit-agents/core';
import { StepRecorder } from './audit-steps.js';
import { loadSignedManifest } from './manifest.js';
import type { InvoiceRunReport, runInvoiceReconciliation } from './run-core.js';
import { createTools, FakeBilling } from './tools.js';

/** Where a framework run writes its audit events, and where ORBIT's spans go: as the core-only reference. */
export type FrameworkRunOptions = NonNullable<Parameters<typeof runInvoiceReconciliation>[0]>;

/** A framework run's deployment: the verified manifest, ORBIT over the step recorder, the fake billing and its tools. */
export interface FrameworkDeployment {
  loaded: LoadedManifest;
  orbit: Orbit;
  recorder: StepRecorder;
  billing: FakeBilling;
  definitions: ReturnType<typeof createTools>;
  /** The JSONL file opened for `auditPath` (none when a sink was given). */
  file: JsonlFileSink | undefined;
}

/**
 * Verifies the signed manifest and creates ORBIT writing to the step recorder, over `options.sink` or a
 * JSONL file at `options.auditPath`; a fresh fake billing and the scenario's tool definitions over it.
 */
export async function frameworkDeployment(options: FrameworkRunOptions): Promise<FrameworkDeployment> {
  const loaded = await loadSignedManifest();
  const file = !options.sink && options.auditPath ? new JsonlFileSink(options.auditPath) : undefined;
  const recorder = new StepRecorder(options.sink ?? file);
  const orbit = createOrbit({ manifest: loaded, telemetry: options.telemetry, sink: recorder });
  const billing = new FakeBilling();
  return { loaded, orbit, recorder, billing, definitions: createTools(billing), file };
}

/** Closes the audit file the deployment opened, and returns the report's fields every run has. */
export function frameworkReport(
  { loaded, recorder, billing, file }: FrameworkDeployment,
  runId: string,
  rollback: RollbackReport | undefined,
): InvoiceRunReport {
  file?.close();
  return { runId, digest: loaded.digest, kid: loaded.kid, steps: recorder.steps(), rollback, billing };
}
