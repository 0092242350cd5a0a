import { ToolMessage } from '@langchain/core/messages';
import type { Command } from '@langchain/langgraph';
import type { Refusal } from '@orbit-agents/core';

/** What a LangGraph tool call resolves to. */
type LgResult = ToolMessage | Command;

export const GUARDED = Symbol.for('orbit-agents.langgraph.guarded');

/** True for a tool that guards itself (made by `guardTools`, `tool` or `subAgent`): the middleware passes it through. */
export function guardsItself(tool: unknown): boolean {
  return typeof tool === 'object' && tool !== null && GUARDED in tool;
}

/**
 * The message the model gets for a call ORBIT did not run: ORBIT's refusal as JSON. A call a person
 * rejected with a message gets that message as the content, as LangChain's `humanInTheLoopMiddleware`
 * gives it (an error `ToolMessage` whose content is the reject's `message`).
 */
export function refusalMessage(refusal: Refusal, callId: string, name: string): ToolMessage {
  const content = refusal.comment ?? JSON.stringify(refusal);
  return new ToolMessage({ content, tool_call_id: callId, name, status: 'error' });
}

export function errorMessage(name: string, callId: string, error: unknown): ToolMessage {
  const message = error instanceof Error ? error.message : String(error);
  return new ToolMessage({
    content: `Error: ${message}\n Please fix your mistakes.`,
    tool_call_id: callId,
    name,
    status: 'error',
  });
}

export function asMessage(output: unknown, callId: string, name: string): LgResult {
  if (output instanceof ToolMessage) return output;
  if (typeof output === 'object' && output !== null && 'lg_name' in output && output.lg_name === 'Command') {
    return output as Command;
  }
  const content = typeof output === 'string' ? output : JSON.stringify(output ?? null);
  return new ToolMessage({ content, tool_call_id: callId, name, status: 'success' });
}

/** What a LangChain tool returned, as ORBIT records it: a message's content, or the value itself. */
export function contentOf(output: unknown): unknown {
  return output instanceof ToolMessage ? output.content : output;
}
