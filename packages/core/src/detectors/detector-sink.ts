import type { AuditEvent, AuditSink } from '../audit/audit-event.js';
import type { Detector, Finding } from './finding.js';

export interface DetectorSinkOptions {
  /**
   * Called when a detector or `onFinding` throws. The event still reaches `next`, the other
   * detectors still see it, and the run carries on. Default: `console.warn`.
   */
  onError?: (error: unknown, event: AuditEvent) => void;
}

/**
 * An audit sink that runs the detectors: each event goes to `next` first (the record comes before
 * the alert), then to every detector in order, and each finding to `onFinding`. Synchronous, like
 * every sink: `write` is called on the guarded call's path, so keep `onFinding` quick (queue, don't
 * await). A failing detector or `onFinding` does not throw out of it: the error goes to
 * `options.onError`. `flush` and `close` are passed on to `next`.
 *
 * @throws from its `write`, what `next.write` throws (it runs first, outside the guard) and what
 * `options.onError` throws; from `flush` and `close`, what `next`'s do.
 *
 * @example
 * const sink = detectorSink(createDetectors({ taskScope: manifest.task_scope }), (finding) => pager.notify(finding), new JsonlFileSink('audit.jsonl'));
 */
export function detectorSink(
  detectors: readonly Detector[],
  onFinding: (finding: Finding, event: AuditEvent) => void,
  next?: AuditSink,
  options: DetectorSinkOptions = {},
): AuditSink {
  const onError =
    options.onError ??
    ((error: unknown, event: AuditEvent) =>
      console.warn(`ORBIT detector failed on a "${event.event}" event of run "${event.run_id}":`, error));
  return {
    write(event) {
      next?.write(event);
      for (const detector of detectors) {
        let findings: readonly Finding[];
        try {
          findings = detector.observe(event);
        } catch (error) {
          onError(error, event);
          continue;
        }
        for (const finding of findings) {
          try {
            onFinding(finding, event);
          } catch (error) {
            onError(error, event);
          }
        }
      }
    },
    flush: () => next?.flush?.(),
    close: () => next?.close?.(),
  };
}
