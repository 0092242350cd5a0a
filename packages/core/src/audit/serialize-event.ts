import type { AuditEvent } from './audit-event.js';

/**
 * One audit event as a JSON line. An event is never lost for a value JSON cannot hold (a tool's output
 * with a BigInt or a cycle, a getter that throws): each field that cannot be written is replaced by a
 * marker string, `"[unserializable: <why>]"`, and the line names those fields in `unserializable`.
 */
export function serializeEvent(event: AuditEvent): string {
  try {
    return JSON.stringify(event);
  } catch {
    return withMarkers(event);
  }
}

/** The event's line, field by field: each field's value is read and written once, or marked. */
function withMarkers(event: AuditEvent): string {
  const parts: string[] = [];
  const marked: string[] = [];
  for (const key of Object.keys(event)) {
    let text: string | undefined;
    try {
      text = JSON.stringify(event[key]);
    } catch (error) {
      text = JSON.stringify(`[unserializable: ${reasonOf(error)}]`);
      marked.push(key);
    }
    // As JSON.stringify does: an undefined field (or a function) is left out.
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  parts.push(`"unserializable":${JSON.stringify(marked)}`);
  return `{${parts.join(',')}}`;
}

function reasonOf(error: unknown): string {
  if (error instanceof RangeError) return 'nested too deeply';
  const message = error instanceof Error ? error.message : String(error);
  if (/circular/i.test(message)) return 'a cycle';
  if (/BigInt/i.test(message)) return 'a BigInt';
  return `it threw: ${message.slice(0, 200)}`;
}
