import { OptionsInvalidError } from '@orbit-agents/core/errors';

// The shapes `settings()` and `pendingApprovals()` are given, checked with errors that name the field:
// what the SDK would otherwise fail on with a bare TypeError, or take and misread.

const shown = (value: unknown) => {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : (JSON.stringify(value) ?? typeof value);
};

/** @throws OptionsInvalidError unless `tools` is an object of tools by name. */
export function checkTools(tools: unknown, where: string): asserts tools is Record<string, object> {
  if (tools === null || typeof tools !== 'object' || Array.isArray(tools)) {
    throw new OptionsInvalidError(
      `Expected ${where}.tools to be an object of tools by name ({ search: tool({...}) }), got ${shown(tools)}.`,
    );
  }
  for (const [name, tool] of Object.entries(tools)) {
    if (tool === null || typeof tool !== 'object') {
      throw new OptionsInvalidError(
        `Expected ${where}.tools.${name} to be a tool (tool({ inputSchema, execute }), orbitAi.tool or orbitAi.subAgent), got ${shown(tool)}.`,
      );
    }
  }
}

/** @throws OptionsInvalidError unless `messages` is an array of model messages. */
export function checkMessages(messages: unknown, where: string): void {
  if (!Array.isArray(messages)) {
    throw new OptionsInvalidError(
      `Expected ${where}.messages to be the conversation (an array of model messages), got ${shown(messages)}.`,
    );
  }
  for (const [i, message] of messages.entries()) {
    if (
      message === null ||
      typeof message !== 'object' ||
      typeof (message as { role?: unknown }).role !== 'string'
    ) {
      throw new OptionsInvalidError(
        `Expected ${where}.messages[${i}] to be a model message ({ role, content }), got ${shown(message)}.`,
      );
    }
  }
}

/** @throws OptionsInvalidError unless `model` is a model id or a language model. */
export function checkModel(model: unknown, where: string): void {
  if (typeof model === 'string' && model.length > 0) return;
  if (model !== null && typeof model === 'object') return;
  throw new OptionsInvalidError(
    `Expected ${where}.model to be a language model (openai('gpt-4o'), …) or a model id, got ${shown(model)}.`,
  );
}
