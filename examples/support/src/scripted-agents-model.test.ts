import { Agent, type ModelRequest, RunState, run, setTracingDisabled, tool } from '@openai/agents';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScriptedAgentsModel } from './scripted-agents-model.js';

setTracingDisabled(true);

const request = (input: ModelRequest['input']) => ({ input }) as ModelRequest;
const call = (callId: string, name = 'search') => ({
  type: 'function_call' as const,
  callId,
  name,
  arguments: '{}',
  status: 'completed' as const,
});

describe('ScriptedAgentsModel', () => {
  const script = [
    [{ name: 'search', args: { query: 'Acme' }, id: 'call-1' }],
    [
      { name: 'update', args: { id: 'A' }, id: 'call-2' },
      { name: 'update', args: { id: 'B' }, id: 'call-3' },
    ],
  ];

  it('answers from the input alone: the first turn whose calls the input lacks, the same turn when asked again', async () => {
    const model = new ScriptedAgentsModel(script, 'All done.');
    const first = await model.getResponse(request('Find Acme.'));
    const again = await model.getResponse(request('Find Acme.'));
    expect(again.output).toEqual(first.output);
    expect(first.output).toMatchObject([
      { type: 'function_call', callId: 'call-1', name: 'search', arguments: '{"query":"Acme"}' },
    ]);
    const second = await model.getResponse(request([call('call-1')]));
    expect(second.output.map((item) => (item as { callId?: string }).callId)).toEqual(['call-2', 'call-3']);
    const final = await model.getResponse(request([call('call-1'), call('call-2', 'update')]));
    expect(final.output).toMatchObject([
      { type: 'message', content: [{ type: 'output_text', text: 'All done.' }] },
    ]);
    expect(model.calls).toBe(4);
  });

  it('costs nothing: every response reports no tokens', async () => {
    const { usage } = await new ScriptedAgentsModel(script).getResponse(request('go'));
    expect([usage.requests, usage.totalTokens]).toEqual([1, 0]);
  });

  it("drives the SDK's run(), also from a RunState restored from its string, and records what the model read", async () => {
    const searched: string[] = [];
    const search = tool({
      name: 'search',
      description: 'Search.',
      parameters: z.object({ query: z.string() }),
      needsApproval: async () => true,
      execute: ({ query }) => {
        searched.push(query);
        return `found ${query}`;
      },
    });
    const model = new ScriptedAgentsModel([script[0]!], 'Found it.');
    const agent = new Agent({ name: 'searcher', model, tools: [search] });
    const paused = await run(agent, 'Find Acme.');
    expect(paused.interruptions.map((item) => item.name)).toEqual(['search']);
    const state = await RunState.fromString(agent, paused.state.toString());
    state.approve(state.getInterruptions()[0]!);
    const result = await run(agent, state);
    expect(result.finalOutput).toBe('Found it.');
    expect(searched).toEqual(['Acme']);
    expect(model.calls).toBe(2);
    expect(model.lastResults()).toEqual([{ callId: 'call-1', output: 'found Acme' }]);
  });

  it('does not stream', async () => {
    const stream = new ScriptedAgentsModel(script).getStreamedResponse();
    await expect(stream[Symbol.asyncIterator]().next()).rejects.toThrow('does not stream');
  });
});
