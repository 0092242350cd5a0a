import {
  type AuditSink,
  createOrbit,
  type Decision,
  JsonlFileSink,
  type Run,
  RunHaltedError,
  type TelemetryOptions,
  type TokenScope,
} from '@orbit-agents/core';
import { deploy } from './deploy.js';
import { createTools, FakeWorld } from './tools.js';

export { MANIFEST_URL } from './deploy.js';

/** One node of the delegation tree: an agent's run, its token and what happened in it. */
export interface TreeNode {
  agentId: string;
  runId: string;
  tokenId: string | undefined;
  depth: number;
  scope: TokenScope;
  events: string[];
  children: TreeNode[];
}

/** A refusal seen anywhere in the tree. */
export interface RefusalReport {
  agentId: string;
  tool: string;
  decision: Decision['decision'];
  reasons: Decision['reasons'];
  detail?: string;
}

export interface OrchestratorReport {
  tree: TreeNode;
  refusals: RefusalReport[];
  world: FakeWorld;
  digest: string;
}

/**
 * The research-orchestrator scenario on the core alone: trust is not transitive. The orchestrator
 * delegates to a researcher and a data-entry agent under scoped tokens; each oversteps and is stopped.
 */
export async function runResearchOrchestrator(
  options: { sink?: AuditSink; auditPath?: string; telemetry?: TelemetryOptions } = {},
): Promise<OrchestratorReport> {
  // Deploy: sign the manifest. Start-up: verify it, and set up the trust authority for sub-agent tokens.
  const { manifest, trust } = await deploy();

  const sink = options.sink ?? (options.auditPath ? new JsonlFileSink(options.auditPath) : undefined);
  const orbit = createOrbit({ manifest, telemetry: options.telemetry, sink, trust });
  const world = new FakeWorld();
  const tools = createTools(world);
  const refusals: RefusalReport[] = [];
  const root = orbit.startRun();
  const tree = node(root, 'research-orchestrator-v1');

  const note = (at: TreeNode, run: Run, decision: Decision, what: string) => {
    const reasons = decision.reasons.length ? ` (${decision.reasons.join(', ')})` : '';
    at.events.push(`${what} → ${decision.decision}${reasons}`);
    if (decision.decision !== 'proceed' && decision.decision !== 'proceed_with_log') {
      refusals.push({
        agentId: run.agentId,
        tool: decision.tool,
        decision: decision.decision,
        reasons: decision.reasons,
        ...(decision.detail ? { detail: decision.detail } : {}),
      });
    }
  };
  /** Runs a call in a sub-agent; a halt ends that sub-agent and the orchestrator is told. */
  const attempt = async (
    at: TreeNode,
    run: Run,
    what: string,
    call: () => Promise<{ decision: Decision }>,
  ) => {
    try {
      note(at, run, (await call()).decision, what);
      return true;
    } catch (error) {
      if (!(error instanceof RunHaltedError)) throw error;
      note(at, run, error.decision, what);
      if (run !== root)
        tree.events.push(`told: ${run.agentId}'s run halted (${error.decision.reasons.join(', ')})`);
      return false;
    }
  };

  // 1. The researcher: read-only tools plus flag_for_human_review. It reasons its way to emailing a rival.
  const researcher = await root.delegate({ profile: 'researcher', agentId: 'researcher' });
  note(tree, root, researcher.decision, 'delegate to researcher');
  const r = node(researcher.run!, 'researcher');
  tree.children.push(r);
  await attempt(r, researcher.run!, 'web_search "rival pricing"', () =>
    researcher.run!.execute(tools.webSearch, { query: 'rival pricing', confidence: 0.9 }),
  );
  await attempt(r, researcher.run!, 'read_document pricing page', () =>
    researcher.run!.execute(tools.readDocument, { url: 'https://example.com/pricing', confidence: 0.9 }),
  );
  await attempt(r, researcher.run!, 'send_external_email to sales@rival', () =>
    researcher.run!.execute(tools.sendExternalEmail, {
      to: 'sales@rival.example',
      body: 'Can you confirm your prices?',
      confidence: 0.96,
    }),
  );

  // 2. The orchestrator asks for a token that includes trigger_payment, which it does not hold.
  const payment = await root.delegate({
    profile: 'data-entry',
    agentId: 'payments',
    tools: [
      { name: 'update_crm_record', max_calls_per_run: 1 },
      { name: 'trigger_payment', max_calls_per_run: 1 },
    ],
  });
  note(tree, root, payment.decision, 'delegate with trigger_payment');

  // 3. The data-entry agent: update_crm_record at most 3 times, may not delegate.
  const entry = await root.delegate({ profile: 'data-entry', agentId: 'data-entry' });
  note(tree, root, entry.decision, 'delegate to data-entry');
  const d = node(entry.run!, 'data-entry');
  tree.children.push(d);
  for (const contact of ['C-1', 'C-2', 'C-3', 'C-4']) {
    await attempt(d, entry.run!, `update_crm_record ${contact}`, () =>
      entry.run!.execute(tools.updateCrmRecord, {
        contact_id: contact,
        note: 'Rival Pro $49/seat',
        confidence: 0.9,
      }),
    );
  }
  await attempt(d, entry.run!, 'delegate to a helper', () =>
    entry.run!.delegate({ profile: 'data-entry', agentId: 'helper' }),
  );

  // 4. A third sub-agent, beyond the manifest's limit of two.
  await attempt(tree, root, 'delegate to a second researcher', () =>
    root.delegate({ profile: 'researcher', agentId: 'researcher-2' }),
  );

  await root.end();
  if (sink instanceof JsonlFileSink && !options.sink) sink.close();
  return { tree, refusals, world, digest: manifest.digest };
}

function node(run: Run, agentId: string): TreeNode {
  return {
    agentId,
    runId: run.id,
    tokenId: run.tokenId,
    depth: run.depth,
    scope: run.scope,
    events: [],
    children: [],
  };
}
