import { getCurrentSpan } from '@openai/agents';
import { context, type Span, trace } from '@opentelemetry/api';
import type { OpenTelemetryTraceProcessor } from './otel-trace-processor.js';

/**
 * Runs a guarded tool's own code in the OpenTelemetry context of the SDK's function span of the call
 * (bridged by `bridge`), so that the tool's own spans nest under it as they would without ORBIT; and
 * links ORBIT's call span (active while ORBIT runs the tool) and that span both ways: ORBIT decided
 * before the SDK opened its span, so neither can be the other's child.
 *
 * @param outer The span active before ORBIT ran the call: an active span that is still it is not ORBIT's.
 */
export function withinSdkFunctionSpan<T>(
  bridge: OpenTelemetryTraceProcessor,
  outer: Span | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  const sdk = bridge.contextOf(getCurrentSpan());
  if (!sdk) return fn();
  const orbit = trace.getActiveSpan();
  if (orbit !== outer) linkSpans(orbit, trace.getSpan(sdk));
  return context.with(sdk, fn);
}

function linkSpans(orbit: Span | undefined, sdk: Span | undefined): void {
  if (!orbit || !sdk || orbit === sdk || !orbit.isRecording()) return;
  orbit.addLink({ context: sdk.spanContext() });
  if (sdk.isRecording()) sdk.addLink({ context: orbit.spanContext() });
}
