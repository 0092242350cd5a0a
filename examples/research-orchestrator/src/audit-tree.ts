import type { AuditEvent, AuditSink, DelegationRequest, TokenScope } from '@orbit-agents/core';
import type { RefusalReport, TreeNode } from './run-core.js';

interface CallTrace {
  decided: AuditEvent;
  outcome?: AuditEvent;
}

interface RunTrace {
  started: AuditEvent;
  /** The calls of the run and what its sub-agents told it, in order. */
  entries: (CallTrace | { told: string })[];
}

/**
 * An audit sink that passes every event on and keeps what the demo prints: each run of the
 * delegation tree, its calls with the decision they ended with, and its sub-agents' halts. On
 * LangGraph the agents run inside graphs, so the tree is read back from ORBIT's own record of it.
 */
export class TreeRecorder implements AuditSink {
  private readonly runs = new Map<string, RunTrace>();
  private readonly calls = new Map<string, CallTrace>();
  /** The scope each minted token carries, by token id. */
  private readonly scopes = new Map<string, TokenScope>();

  constructor(private readonly next?: AuditSink) {}

  write(event: AuditEvent): void {
    this.next?.write(event);
    if (event.event === 'token' && event.token === 'minted' && typeof event.token_id === 'string') {
      this.scopes.set(event.token_id, event.scope as TokenScope);
      return;
    }
    if (event.event === 'run' && event.run === 'started') {
      if (!this.runs.has(event.run_id)) this.runs.set(event.run_id, { started: event, entries: [] });
      return;
    }
    if (event.call_id === undefined) return;
    const key = `${event.run_id}\u0000${event.call_id}`;
    if (event.event === 'decision') {
      if (this.calls.has(key)) return; // decided once, whatever a framework replays
      const call: CallTrace = { decided: event };
      this.calls.set(key, call);
      const run = this.runs.get(event.run_id);
      run?.entries.push(call);
      // A sub-agent's halt ends its run, and the agent that delegated is told (a tool result).
      const parent = event.parent_run_id ? this.runs.get(event.parent_run_id) : undefined;
      if (event.decision === 'halt' && parent) {
        parent.entries.push({
          told: `told: ${event.agent_id}'s run halted (${(event.reasons ?? []).join(', ')})`,
        });
      }
    } else if (event.event === 'outcome') {
      const call = this.calls.get(key);
      if (call) call.outcome = event;
    }
  }

  flush(): void | Promise<void> {
    return this.next?.flush?.();
  }

  /**
   * The tree under `rootRunId`, and every refusal in the tree in the order the calls were decided.
   * A sub-agent's scope is its token's (from the `token` event); the root's is given.
   */
  build(rootRunId: string, rootScope: TokenScope): { tree: TreeNode; refusals: RefusalReport[] } {
    const scopeOf = (runId: string, tokenId: string | undefined) =>
      runId === rootRunId || tokenId === undefined ? rootScope : this.scopes.get(tokenId)!;
    const nodeOf = (runId: string): TreeNode => {
      const { started, entries } = this.runs.get(runId)!;
      const node: TreeNode = {
        agentId: started.agent_id,
        runId,
        tokenId: started.token_id,
        depth: started.depth ?? 0,
        scope: scopeOf(runId, started.token_id),
        events: entries.map((entry) => {
          if ('told' in entry) return entry.told;
          const final = finalOf(entry);
          const reasons = final.reasons?.length ? ` (${final.reasons.join(', ')})` : '';
          return `${describeCall(entry.decided)} → ${final.decision}${reasons}`;
        }),
        children: [],
      };
      for (const [childId, child] of this.runs) {
        if (child.started.parent_run_id === runId) node.children.push(nodeOf(childId));
      }
      return node;
    };
    const refusals: RefusalReport[] = [];
    for (const call of this.calls.values()) {
      const final = finalOf(call);
      if (final.decision === 'proceed' || final.decision === 'proceed_with_log') continue;
      refusals.push({
        agentId: final.agent_id,
        tool: final.tool!,
        decision: final.decision!,
        reasons: final.reasons ?? [],
        ...(typeof call.decided.detail === 'string' ? { detail: call.decided.detail } : {}),
      });
    }
    return { tree: nodeOf(rootRunId), refusals };
  }
}

/** The decision a call ended with: its outcome's (after any human answer), or the decision itself. */
function finalOf(call: CallTrace): AuditEvent {
  return call.outcome ?? call.decided;
}

/** A call as people read it: `delegate to researcher`, `web_search "rival pricing"`, `update_crm_record C-1`. */
function describeCall(event: AuditEvent): string {
  if (event.tool === 'spawn_sub_agent') {
    const request = event.input as DelegationRequest;
    const tools = request.tools ? ` with ${request.tools.map((tool) => tool.name).join(', ')}` : '';
    return `delegate to ${request.agentId ?? request.profile}${tools}`;
  }
  const first = Object.values((event.input ?? {}) as Record<string, unknown>).find(
    (value): value is string => typeof value === 'string',
  );
  return first === undefined
    ? event.tool!
    : `${event.tool} ${first.includes(' ') ? JSON.stringify(first) : first}`;
}
