import type { ToolMessage } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import type { RunnableConfig } from '@langchain/core/runnables';
import { StructuredTool, type StructuredToolInterface } from '@langchain/core/tools';
import type { Command, LangGraphRunnableConfig } from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import { describeTool, type GuardedTool } from '@orbit-agents/core/adapter';
import { ArgumentInvalidError } from '@orbit-agents/core/errors';
import { z } from 'zod';
import { GUARDED } from './messages.js';
import type { Executed, OrbitLangGraph } from './orbit-langgraph.js';

type LgResult = ToolMessage | Command;

/**
 * A LangChain tool that guards itself. The model sees its schema (with the confidence argument),
 * but `invoke` does not validate before ORBIT: every call, even one with bad arguments, is decided
 * (`input_invalid` is a block the model can read, not an exception that ends the graph).
 */
export class OrbitTool extends StructuredTool {
  readonly name: string;
  readonly description: string;
  readonly schema: z.ZodType;
  readonly [GUARDED] = true;

  constructor(
    private readonly binding: OrbitLangGraph,
    private readonly guarded: GuardedTool,
    schema: z.ZodType,
    private readonly runTool: (
      args: Record<string, unknown>,
      config: RunnableConfig,
      callId: string,
    ) => Promise<Executed>,
  ) {
    super();
    this.name = guarded.name;
    this.description = guarded.description ?? guarded.name;
    this.schema = schema;
  }

  // biome-ignore lint/suspicious/noExplicitAny: StructuredTool's invoke is generic over the call shape.
  override async invoke(input: any, config: RunnableConfig & { toolCall?: ToolCall } = {}): Promise<any> {
    const toolCall: ToolCall | undefined = input?.type === 'tool_call' ? input : config.toolCall;
    const args = (input?.type === 'tool_call' ? input.args : input) as Record<string, unknown>;
    const call: ToolCall = { name: this.name, args, id: toolCall?.id, type: 'tool_call' };
    const { toolCall: _omitted, ...rest } = config;
    return this.binding.guardCall(call, rest, this.guarded, (settled, id) => this.runTool(settled, rest, id));
  }

  protected override async _call(): Promise<never> {
    throw new ArgumentInvalidError(`Call "${this.name}" through invoke(): ORBIT guards it there.`);
  }
}

/**
 * The prebuilt `ToolNode` over guarded tools, with one change: a call to a tool it does not have is
 * decided by ORBIT (outside the manifest, it halts) instead of failing the graph undecided.
 */
export class OrbitToolNode extends ToolNode {
  constructor(
    private readonly binding: OrbitLangGraph,
    tools: StructuredToolInterface[],
    options: { name?: string; handleToolErrors: boolean },
  ) {
    super(tools, options);
  }

  protected override runTool(
    call: ToolCall,
    config: LangGraphRunnableConfig,
    state: unknown,
  ): Promise<LgResult> {
    if (this.tools.some((tool) => tool.name === call.name)) return super.runTool(call, config, state);
    // Decided as a call that cannot be made: outside the manifest it halts, inside it is blocked (never paused).
    const missing = z.custom<never>(() => false, { message: `"${call.name}" is not a tool of this node` });
    const guarded = { ...describeTool(call.name, undefined, undefined), shape: { input: missing } };
    return this.binding.guardCall(call, config, guarded, async () => {
      throw new Error(`Tool "${call.name}" is not in this tool node.`);
    });
  }
}
