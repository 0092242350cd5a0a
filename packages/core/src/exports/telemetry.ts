/** `@orbit-agents/core/telemetry`: span, event and attribute names (defined once) and the telemetry options. */
export { ATTR, SPAN, SPAN_EVENT } from '../telemetry/attributes.js';
export type { Telemetry, TelemetryOptions } from '../telemetry/telemetry.js';
