import type { AuditEvent } from '../audit/audit-event.js';
import { type ConfidenceDriftOptions, confidenceDrift } from './confidence-drift.js';
import { type ContextWindowPoisoningOptions, contextWindowPoisoning } from './context-window-poisoning.js';
import type { Detector } from './finding.js';
import { type IrreversibleActionCreepOptions, irreversibleActionCreep } from './irreversible-action-creep.js';
import { type ScopeExpansionOptions, scopeExpansion } from './scope-expansion.js';
import { type SubAgentCascadeOptions, subAgentCascade } from './sub-agent-cascade.js';

export interface CreateDetectorsOptions {
  /** The task the agent was given (the manifest's `task_scope`), for the context-poisoning detector. */
  taskScope: string | ((event: AuditEvent) => string | undefined);
  /** The escalation tools, for confidence drift and irreversible action creep. Default `['flag_for_human_review']`. */
  escalationTools?: readonly string[];
  /** The most runs each detector holds state for. Default 10 000. */
  maxRuns?: number;
  confidenceDrift?: ConfidenceDriftOptions;
  irreversibleActionCreep?: IrreversibleActionCreepOptions;
  scopeExpansion?: ScopeExpansionOptions;
  subAgentCascade?: SubAgentCascadeOptions;
  contextWindowPoisoning?: Omit<ContextWindowPoisoningOptions, 'taskScope'>;
}

/**
 * The five failure-mode detectors of the article's taxonomy, with their defaults; the shared options
 * (`escalationTools`, `maxRuns`) apply to each unless its own options say otherwise.
 *
 * @throws OptionsInvalidError from the first detector whose options are invalid (the message names the
 * detector and the option), a blank `taskScope` included.
 *
 * @example
 * const detectors = createDetectors({ taskScope: loaded.manifest.task_scope });
 * const orbit = createOrbit({ manifest: loaded, sink: detectorSink(detectors, alert, new JsonlFileSink('audit.jsonl')) });
 */
export function createDetectors(options: CreateDetectorsOptions): Detector[] {
  const shared = {
    ...(options.maxRuns === undefined ? {} : { maxRuns: options.maxRuns }),
  };
  const escalation = {
    ...shared,
    ...(options.escalationTools === undefined ? {} : { escalationTools: options.escalationTools }),
  };
  return [
    confidenceDrift({ ...escalation, ...options.confidenceDrift }),
    irreversibleActionCreep({ ...escalation, ...options.irreversibleActionCreep }),
    scopeExpansion({ ...shared, ...options.scopeExpansion }),
    subAgentCascade({ ...shared, ...options.subAgentCascade }),
    contextWindowPoisoning({ ...shared, ...options.contextWindowPoisoning, taskScope: options.taskScope }),
  ];
}
