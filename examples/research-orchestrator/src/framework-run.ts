/**
 * What the framework runs of the scenario (LangGraph, the AI SDK, the OpenAI Agents SDK) share around their
 * framework's own loop: the deployment they start with, and the report's fields they end with.
 */
import {
  createOrbit,
  JsonlFileSink,
  type LoadedManifest,
  type Orbit,
  type TokenScope,
} from '@orbit-agents/core';
import { TreeRecorder } from './audit-tree.js';
import { deploy } from './deploy.js';
import type { OrchestratorReport, runResearchOrchestrator } from './run-core.js';
import { createTools, FakeWorld } from './tools.js';

/** Where a framework run writes its audit events, and where ORBIT's spans go: as the core-only reference. */
export type FrameworkRunOptions = NonNullable<Parameters<typeof runResearchOrchestrator>[0]>;

/** A framework run's deployment: the verified manifest, ORBIT (with the trust authority) over the tree recorder, the fake world and its tools. */
export interface FrameworkDeployment {
  manifest: LoadedManifest;
  orbit: Orbit;
  recorder: TreeRecorder;
  world: FakeWorld;
  tools: ReturnType<typeof createTools>;
  /** The JSONL file opened for `auditPath` (none when a sink was given). */
  file: JsonlFileSink | undefined;
}

/**
 * Signs and verifies the manifest (`deploy`) and creates ORBIT with its trust authority, writing to the tree
 * recorder, over `options.sink` or a JSONL file at `options.auditPath`; a fresh fake world and the
 * scenario's tool definitions over it.
 */
export async function frameworkDeployment(options: FrameworkRunOptions): Promise<FrameworkDeployment> {
  const { manifest, trust } = await deploy();
  const file = !options.sink && options.auditPath ? new JsonlFileSink(options.auditPath) : undefined;
  const recorder = new TreeRecorder(options.sink ?? file);
  const orbit = createOrbit({ manifest, telemetry: options.telemetry, sink: recorder, trust });
  const world = new FakeWorld();
  return { manifest, orbit, recorder, world, tools: createTools(world), file };
}

/**
 * Closes the audit file the deployment opened, and returns the report's fields every run has: the
 * delegation tree from the orchestrator's run `root`, the refusals, the world and the manifest's digest.
 */
export function frameworkReport(
  { manifest, recorder, world, file }: FrameworkDeployment,
  root: { id: string; scope: TokenScope },
): OrchestratorReport {
  file?.close();
  const { tree, refusals } = recorder.build(root.id, root.scope);
  return { tree, refusals, world, digest: manifest.digest };
}
