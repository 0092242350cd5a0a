import { isGraphBubbleUp } from '@langchain/langgraph';
import { haltOf } from '@orbit-agents/core/adapter';
import { createMiddleware } from 'langchain';
import { contentOf, errorMessage, guardsItself } from './messages.js';
import type { OrbitLangGraph } from './orbit-langgraph.js';

/**
 * The `createAgent` middleware: every tool call of the agent passes ORBIT (`wrapToolCall`), and every
 * model response's `usage_metadata` counts against the run's token budget (`wrapModelCall`).
 *
 * @example
 * const agent = createAgent({ model, tools, middleware: [orbitMiddleware(orbitLg)], checkpointer: new MemorySaver() });
 */
export function orbitMiddleware(binding: OrbitLangGraph) {
  return createMiddleware({
    name: 'OrbitMiddleware',
    wrapToolCall: async (request, handler) => {
      const { toolCall, runtime } = request;
      if (guardsItself(request.tool)) {
        // Guarded tools and sub-agents decide themselves; only their errors are turned into messages.
        try {
          return await handler(request);
        } catch (error) {
          if (isGraphBubbleUp(error) || haltOf(error)) throw error;
          return errorMessage(toolCall.name, toolCall.id ?? '', error);
        }
      }
      return binding.guardCall(
        toolCall,
        configOf(runtime),
        binding.describeTool(toolCall.name, request.tool),
        async (args) => {
          const message = await handler({ ...request, toolCall: { ...toolCall, args } });
          return { result: message, output: contentOf(message) };
        },
      );
    },
    wrapModelCall: async (request, handler) => {
      // The model sees each tool's schema with the confidence argument ORBIT reads (its tools run unchanged).
      const tools = binding.modelFacingTools(request.tools);
      const message = await handler({ ...request, tools });
      const { runtime } = request;
      binding.recordUsage(message as never, configOf(runtime));
      return message;
    },
  });
}

/** The config ORBIT finds a run by: the invocation's `configurable` (thread) and `context` (sub-agent). */
function configOf(runtime: { configurable?: Record<string, unknown>; context?: unknown }) {
  return { configurable: runtime.configurable, context: runtime.context };
}
