import { argumentConfidence } from '../confidence/confidence-source.js';
import { OrbitError } from '../errors.js';
import { compilePolicy } from '../gate/policy.js';
import { Run } from './run.js';
/**
 * Creates the decision point for one agent deployment.
 *
 * @example
 * const orbit = createOrbit({ manifest: await loadManifest({ manifest, signature, trustedKeys }), sink: new JsonlFileSink('audit.jsonl') });
 * const run = orbit.startRun();
 * const result = await run.execute(updateInvoice, { invoice_id: 'INV-1', status: 'paid', confidence: 0.93 });
 */
export function createOrbit(options) {
    if (!options?.manifest?.manifest) {
        throw new OrbitError('ERR_OPTIONS_INVALID', 'createOrbit() needs options.manifest: the result of loadManifest().');
    }
    const timeout = options.approvalTimeoutMs ?? 15 * 60_000;
    if (!(timeout > 0))
        throw new OrbitError('ERR_OPTIONS_INVALID', `approvalTimeoutMs must be a number of ms > 0, got ${timeout}.`);
    const policy = compilePolicy(options.manifest, options.maturityLevel);
    const confidence = options.confidence ?? argumentConfidence();
    const settings = {
        policy,
        manifest: options.manifest.manifest,
        sink: options.sink,
        redact: options.redact,
        confidence,
        approvalHandler: options.approvalHandler,
        approvalTimeoutMs: timeout,
        onApprovalTimeout: options.onApprovalTimeout ?? 'deny',
        now: options.now ?? Date.now,
    };
    return {
        policy,
        manifest: options.manifest,
        startRun: (runOptions) => new Run(settings, runOptions),
        modelInputSchema: (tool) => confidence.modelInputSchema(tool.input),
    };
}
