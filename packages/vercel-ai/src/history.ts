import type { ModelMessage } from 'ai';

/** A tool call of the conversation, as the assistant message recorded it. */
export interface HistoryCall {
  readonly toolCallId: string;
  readonly toolName: string;
  readonly input: unknown;
}

/** An approval request the SDK raised for a call, with the call. */
export interface HistoryRequest {
  readonly approvalId: string;
  readonly reason: string | undefined;
  readonly isAutomatic: boolean;
  readonly call: HistoryCall;
}

/** An answer the client delivers now, with the request and the call it answers. */
export interface DeliveredAnswer {
  readonly response: Record<string, unknown> & { approvalId: string; approved: boolean };
  readonly request: HistoryRequest;
}

type Part = Record<string, unknown> & { type?: unknown };

function partsOf(message: ModelMessage): Part[] {
  return Array.isArray(message.content) ? (message.content as Part[]) : [];
}

/** The approval requests of the assistant messages, by approval id. */
function requestsOf(messages: readonly ModelMessage[]): Map<string, HistoryRequest> {
  const calls = new Map<string, HistoryCall>();
  const requests = new Map<string, HistoryRequest>();
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    for (const part of partsOf(message)) {
      if (part.type === 'tool-call' && typeof part.toolCallId === 'string') {
        calls.set(part.toolCallId, {
          toolCallId: part.toolCallId,
          toolName: String(part.toolName),
          input: part.input,
        });
      } else if (part.type === 'tool-approval-request' && typeof part.approvalId === 'string') {
        const call = calls.get(String(part.toolCallId));
        if (!call) continue;
        requests.set(part.approvalId, {
          approvalId: part.approvalId,
          reason: typeof part.reason === 'string' ? part.reason : undefined,
          isAutomatic: part.isAutomatic === true,
          call,
        });
      }
    }
  }
  return requests;
}

/** The index of the last assistant message (-1 without one). */
function lastAssistant(messages: readonly ModelMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'assistant') return i;
  return -1;
}

/** The index after the last assistant message: the tool messages from there on are what the client sends now. */
function lastTurn(messages: readonly ModelMessage[]): number {
  const last = lastAssistant(messages);
  return last === -1 ? messages.length : last + 1;
}

/** The ids of the tool calls the conversation already holds (calls of earlier turns, never new ones). */
export function historyCallIds(messages: readonly ModelMessage[]): Set<string> {
  const ids = new Set<string>();
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    for (const part of partsOf(message)) if (part.type === 'tool-call') ids.add(String(part.toolCallId));
  }
  return ids;
}

/**
 * The approval answers the client delivers with this call: the `tool-approval-response` parts after
 * the last assistant message, each with its request and call. Answers to requests the history does
 * not hold are left to the SDK (it refuses them itself).
 */
export function deliveredAnswers(messages: readonly ModelMessage[]): DeliveredAnswer[] {
  const from = lastTurn(messages);
  if (from >= messages.length) return [];
  const requests = requestsOf(messages);
  const answers: DeliveredAnswer[] = [];
  for (const message of messages.slice(from)) {
    if (message.role !== 'tool') continue;
    for (const part of partsOf(message)) {
      if (part.type !== 'tool-approval-response' || typeof part.approvalId !== 'string') continue;
      const request = requests.get(part.approvalId);
      // Automatic requests too: an answer marked automatic is checked like any other (a client could mark a made-up request so).
      if (request) answers.push({ response: part as DeliveredAnswer['response'], request });
    }
  }
  return answers;
}

/** The approval requests nobody has answered yet (the last assistant turn's, not automatic). */
export function openRequests(messages: readonly ModelMessage[]): HistoryRequest[] {
  const answered = new Set<string>();
  const resulted = new Set<string>();
  for (const message of messages) {
    for (const part of partsOf(message)) {
      if (part.type === 'tool-approval-response') answered.add(String(part.approvalId));
      if (part.type === 'tool-result') resulted.add(String(part.toolCallId));
    }
  }
  return [...requestsOf(messages).values()].filter(
    (request) =>
      !request.isAutomatic && !answered.has(request.approvalId) && !resulted.has(request.call.toolCallId),
  );
}

/**
 * What is wrong with the answers a client sends (the tool messages after the last assistant message),
 * naming the field, or `undefined`. The SDK would fail on some with an untyped error, or take others.
 */
export function answerProblem(
  messages: readonly ModelMessage[],
): { problem: string; approvalId: string } | undefined {
  const from = lastAssistant(messages) + 1;
  for (let i = from; i < messages.length; i++) {
    const message = messages[i]!;
    if (message.role !== 'tool' || !Array.isArray(message.content)) continue;
    for (const [j, part] of (message.content as unknown[]).entries()) {
      const at = `messages[${i}].content[${j}]`;
      const value = part as Part | null;
      if (value === null || typeof value !== 'object')
        return {
          problem: `Expected ${at} to be a tool-approval-response or a tool-result, got ${JSON.stringify(part)}.`,
          approvalId: 'unknown',
        };
      if (value.type === 'tool-result') continue;
      if (value.type !== 'tool-approval-response') {
        return {
          problem: `Expected ${at}.type to be "tool-approval-response" (or "tool-result"), got ${JSON.stringify(value.type)}.`,
          approvalId: 'unknown',
        };
      }
      const approvalId = typeof value.approvalId === 'string' ? value.approvalId : 'unknown';
      if (typeof value.approvalId !== 'string')
        return {
          problem: `Expected ${at}.approvalId to be the request's approval id (a string), got ${JSON.stringify(value.approvalId)}.`,
          approvalId,
        };
      if (typeof value.approved !== 'boolean')
        return {
          problem: `Expected ${at}.approved to be true or false, got ${JSON.stringify(value.approved)}.`,
          approvalId,
        };
      const orbit = value.orbit;
      if (orbit !== undefined && (orbit === null || typeof orbit !== 'object' || Array.isArray(orbit))) {
        return {
          problem: `Expected ${at}.orbit to be an object ({ action_hash, args, approver, stop_run }), got ${JSON.stringify(orbit)}.`,
          approvalId,
        };
      }
    }
  }
  return undefined;
}
