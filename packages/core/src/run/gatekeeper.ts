import { decide, type GateRequest } from '../gate/decide.js';
import { applyLimits, findLimits } from '../gate/limits.js';
import { resourceTypeOf } from '../gate/policy.js';
import type { Verdict } from '../gate/verdict.js';
import type { Decision } from './decision.js';
import { runs } from './guard-request.js';
import type { RunCore } from './run-core.js';

/**
 * The in-memory gate: the run's token first, then its own policy (`decide`), then the limits of every
 * ancestor, read with the same limit rules as the run's own and as a store's.
 */
export function evaluate(run: RunCore, gate: GateRequest): Verdict {
  const refused = run.checkToken(gate.confidence);
  if (refused) return refused;
  const verdict = decide(run.policy, gate, run.ledger);
  if (verdict.decision === 'halt' || run.lineage.length === 1) return verdict;
  let found = 0;
  for (let i = 1; i < run.lineage.length; i++) {
    const ancestor = run.lineage[i]!;
    const ancestorTool = ancestor.policy.tools.get(gate.tool);
    found |= findLimits(
      ancestor.policy,
      ancestorTool,
      ancestor.ledger,
      gate.tool,
      gate.records,
      gate.resource,
    );
  }
  const escalation = run.policy.tools.get(gate.tool)?.escalation === true;
  if (applyLimits(verdict, found, run.policy.budgetMode === 'hard', escalation, gate.records)) return verdict;
  if (gate.approved && verdict.decision === 'pause') verdict.decision = 'proceed_with_log';
  return verdict;
}

/** Counts an admitted call in the same step as its decision, in the run and every ancestor; a halt stops the run. */
export function admit(run: RunCore, decision: Decision, records: number, resource: string | undefined): void {
  if (runs(decision)) {
    const type = resource === undefined ? undefined : resourceTypeOf(resource);
    for (const each of run.lineage) {
      // Per resource only where this run limits the tool so: other tools keep no per-resource entries.
      const limited = each.policy.tools.get(decision.tool)?.maxCallsPerResource !== undefined;
      each.ledger.count(decision.tool, records, type, limited ? resource : undefined);
    }
  } else if (decision.decision === 'halt') {
    // Taken up under another manifest, the run stops in this process only: workers on its own go on.
    if (decision.reasons.includes('run_manifest_changed')) run.ledger.halted = true;
    else run.markHalted();
  }
}
