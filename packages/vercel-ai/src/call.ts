/** A tool call's result as the adapter keeps it for replays: the tool's output, or the error the SDK reports. */
export type AiResult = { ok: true; output: unknown } | { ok: false; error: unknown };

/** A call of the SDK as the kit's `FrameworkCall`. */
export function callOf(call: { toolName: string; toolCallId: string; input: unknown }) {
  return { tool: call.toolName, args: call.input, callId: call.toolCallId };
}
