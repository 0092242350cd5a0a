// Second review, the public surface: every exported function given the wrong kind of input throws ORBIT's
// OptionsInvalidError (ERR_OPTIONS_INVALID) naming what is wrong, never a TypeError from deep inside;
// the package exports what its README documents.

import { readFileSync } from 'node:fs';
import { Agent } from '@openai/agents';
import { OptionsInvalidError } from '@orbit-agents/core/errors';
import { describe, expect, it } from 'vitest';
import { ScriptedAgentsModel } from '../test/scripted-model.js';
import { call, deploy, sdkToolOptions, start } from '../test/support.js';
import * as exported from './index.js';
import { OpenTelemetryTraceProcessor, orbitContext, orbitOpenAIAgents } from './index.js';

/** The error `act` throws or rejects with. */
async function errorOf(act: () => unknown): Promise<unknown> {
  try {
    await act();
  } catch (error) {
    return error;
  }
  return undefined;
}

async function expectRefused(act: () => unknown, names: string | RegExp): Promise<void> {
  const error = await errorOf(act);
  expect(OptionsInvalidError.isInstance(error), String(error)).toBe(true);
  expect((error as Error).message).toMatch(names);
}

describe('wrong input to the public functions', () => {
  it('orbitOpenAIAgents(orbit, options)', async () => {
    const { orbit } = await deploy();
    await expectRefused(() => orbitOpenAIAgents(undefined as never), /orbit \(createOrbit/);
    await expectRefused(() => orbitOpenAIAgents({} as never), /orbit \(createOrbit/);
    await expectRefused(() => orbitOpenAIAgents(orbit, 'x' as never), /options to be an object/);
    await expectRefused(() => orbitOpenAIAgents(orbit, { replayCache: -1 }), /options\.replayCache/);
    await expectRefused(() => orbitOpenAIAgents(orbit, { replayCache: Number.NaN }), /options\.replayCache/);
    await expectRefused(() => orbitOpenAIAgents(orbit, { tools: 5 as never }), /options\.tools/);
    await expectRefused(
      () => orbitOpenAIAgents(orbit, { tools: { read: 5 as never } }),
      /options\.tools\.read/,
    );
    await expectRefused(() => orbitOpenAIAgents(orbit, { approver: 5 as never }), /options\.approver/);
    await expectRefused(
      () => orbitOpenAIAgents(orbit, { traceProcessor: {} as never }),
      /options\.traceProcessor/,
    );
  });

  it('the binding’s tool, agent, subAgent, handoff and endRun', async () => {
    const orbitAgents = orbitOpenAIAgents((await deploy()).orbit);
    const agent = new Agent({ name: 'plain' });
    await expectRefused(() => orbitAgents.tool(undefined as never), /orbitAgents\.tool\(definition\)/);
    await expectRefused(() => orbitAgents.tool({ name: 5, execute: () => 'x' } as never), /options\.name/);
    await expectRefused(
      () => orbitAgents.tool({ name: 'read', description: 'r', execute: () => 'x' } as never),
      /options\.parameters/,
    );
    await expectRefused(() => orbitAgents.agent(undefined as never), /orbitAgents\.agent\(agent\)/);
    await expectRefused(() => orbitAgents.agent({} as never), /orbitAgents\.agent\(agent\)/);
    await expectRefused(
      () => orbitAgents.subAgent(undefined as never, { profile: 'researcher' }),
      /subAgent/,
    );
    await expectRefused(() => orbitAgents.subAgent(agent, undefined as never), /subAgent.*options.*profile/);
    await expectRefused(() => orbitAgents.handoff(agent, undefined as never), /handoff.*options.*profile/);
    await expectRefused(() => orbitAgents.endRun('t-x', { outcome: 'done' as never }), /outcome/);
  });

  it('pendingApprovals and answer', async () => {
    const orbitAgents = orbitOpenAIAgents((await deploy()).orbit);
    await expectRefused(() => orbitAgents.pendingApprovals(undefined as never), /pendingApprovals.*RunState/);
    await expectRefused(() => orbitAgents.pendingApprovals({} as never), /pendingApprovals.*RunState/);
    await expectRefused(
      () => orbitAgents.answer(undefined as never, {}, { type: 'approve' }),
      /answer.*state/,
    );
    const tools = sdkToolOptions();
    const agent = orbitAgents.agent(
      new Agent({
        name: 'mailer',
        model: new ScriptedAgentsModel([[call('c1', 'send', { id: 's' }, 0.5)]]),
        tools: [orbitAgents.tool(tools.send)],
      }),
    );
    const paused = await start(agent, 't-wrong-item');
    await expectRefused(() => orbitAgents.answer(paused.state, 'c1', { type: 'approve' }), /interruption/);
    await expectRefused(
      () => orbitAgents.answer(paused.state, { item: 5 }, { type: 'approve' }),
      /interruption/,
    );
  });

  it('orbitContext and the trace bridge', async () => {
    await expectRefused(() => orbitContext('t', 'user-1' as never), /appContext/);
    await expectRefused(() => orbitContext('t', [1] as never), /appContext/);
    await expectRefused(() => new OpenTelemetryTraceProcessor(undefined as never), /tracer/);
    await expectRefused(() => new OpenTelemetryTraceProcessor({} as never), /options\.tracer/);
    const tracer = { startSpan() {} } as never;
    await expectRefused(
      () => new OpenTelemetryTraceProcessor({ tracer, maxOpenSpans: 'many' as never }),
      /options\.maxOpenSpans/,
    );
  });
});

describe('what the package exports', () => {
  it('exports the values its README documents, each named there', () => {
    const values = Object.keys(exported).sort();
    expect(values).toEqual([
      'OpenTelemetryTraceProcessor',
      'OrbitAgents',
      'haltOf',
      'orbitContext',
      'orbitOpenAIAgents',
    ]);
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const types = [
      'OrbitAgentsOptions',
      'OrbitAnswer',
      'OrbitContextFields',
      'PendingApproval',
      'SubAgentToolOptions',
      'HandoffOptions',
      'SdkToolOptions',
      'OpenTelemetryTraceProcessorOptions',
    ];
    for (const name of [...values, ...types]) expect(readme, name).toMatch(new RegExp(`\`${name}\\b`));
    // Every name exported, types too (a type export leaves no trace at run time: read from the source).
    const index = readFileSync(new URL('./index.ts', import.meta.url), 'utf8');
    const named = [...index.matchAll(/export (?:type )?\{([^}]*)\}/g)]
      .flatMap((match) => match[1]!.split(','))
      .map((name) => name.replace(/\btype\b/, '').trim())
      .filter((name) => name.length > 0)
      .sort();
    expect(named).toEqual([...values, ...types].sort());
  });
});
