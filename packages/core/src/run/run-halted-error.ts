import { OrbitError } from '../errors.js';
import type { Decision } from './decision.js';

/**
 * The run has halted: an out-of-manifest or blocked tool, a resource outside the manifest, a hard
 * budget, or a stop from a human. Nothing else in the run executes afterwards. Catch it by `code`.
 */
export class RunHaltedError extends OrbitError<'ERR_RUN_HALTED'> {
  static override readonly codes = ['ERR_RUN_HALTED'] as const;
  readonly decision: Decision;
  constructor(decision: Decision) {
    super(
      'ERR_RUN_HALTED',
      `ORBIT halted run "${decision.run_id}" of "${decision.agent_id}" at "${decision.tool}" (${decision.reasons.join(', ')}). Nothing else in this run will execute.`,
    );
    this.decision = decision;
  }
}
