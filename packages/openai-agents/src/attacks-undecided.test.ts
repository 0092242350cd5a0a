// Attacks on "no tool runs without an ORBIT decision": the SDK's other ways to give an agent tools
// (MCP servers listed on the agent) and to hand work to another agent (a plain agent.asTool()).

import { Agent, type FunctionTool, type MCPServer } from '@openai/agents';
import { OptionsInvalidError } from '@orbit-agents/core/errors';
import { describe, expect, it } from 'vitest';
import { ScriptedAgentsModel } from '../test/scripted-model.js';
import { call, deploy, sdkToolOptions } from '../test/support.js';
import { orbitOpenAIAgents } from './index.js';

/** An MCP server in the process: it lists one tool (named like the manifest's blocked `merge`) and logs its calls. */
function fakeMcpServer(calls: string[]): MCPServer {
  return {
    name: 'local',
    cacheToolsList: false,
    async connect() {},
    async close() {},
    async invalidateToolsCache() {},
    async listTools() {
      return [
        {
          name: 'merge',
          description: 'merge records',
          inputSchema: {
            type: 'object',
            properties: { id: { type: 'string' } },
            required: ['id'],
            additionalProperties: false,
          },
        },
      ];
    },
    async callTool(name: string, args: unknown) {
      calls.push(`${name}:${JSON.stringify(args)}`);
      return [{ type: 'text', text: 'merged' }];
    },
  } as MCPServer;
}

describe('tools ORBIT cannot see', () => {
  it('refuses an agent with MCP servers: their tools would run with no decision (here: a blocked tool)', async () => {
    const { orbit } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const calls: string[] = [];
    const agent = new Agent({
      name: 'ops',
      model: new ScriptedAgentsModel([[{ id: 'c1', name: 'merge', args: { id: 'x' } }]]),
      mcpServers: [fakeMcpServer(calls)],
    });
    expect(() => orbitAgents.agent(agent)).toThrow(OptionsInvalidError);
    expect(() => orbitAgents.agent(agent)).toThrow(/mcpServers/);
    expect(calls).toEqual([]);
  });

  it('refuses a plain agent.asTool(): the nested agent would act under its caller’s run, with no token of its own', async () => {
    const { orbit } = await deploy();
    const orbitAgents = orbitOpenAIAgents(orbit);
    const tools = sdkToolOptions();
    // The researcher profile does not allow update; under the caller's run it would.
    const researcher = new Agent({
      name: 'researcher',
      model: new ScriptedAgentsModel([[call('k-up', 'update', { id: 'u' })]], 'found'),
      tools: [orbitAgents.tool(tools.update)],
    });
    const plain = researcher.asTool({ toolName: 'read', toolDescription: 'research' });
    expect(() =>
      orbitAgents.agent(
        new Agent({
          name: 'lead',
          model: new ScriptedAgentsModel([[call('p-r', 'read', { input: 'x' })]]),
          tools: [plain],
        }),
      ),
    ).toThrow(/orbitAgents\.subAgent/);
    expect(() => orbitAgents.tool(plain as unknown as FunctionTool)).toThrow(OptionsInvalidError);
    expect(tools.ran).toEqual([]);
  });
});
