// Attacks and edge cases (from a review): failing tests here demonstrate defects found in review; see the review report.
// Attacks and edge cases (from a review): settings() and pendingApprovals() with wrong input: each should be a clear error naming the field.
import { describe, expect, it } from 'vitest';
import { scriptedModel } from '../test/scripted-model.js';
import { deploy, orbitVercelAi, sdkTools } from '../test/support.js';

async function binding() {
  const { orbit } = await deploy();
  return { orbitAi: orbitVercelAi(orbit), tools: sdkTools().tools, model: scriptedModel([]) };
}

/** The error `fn` throws, as "<name>: <message>" (or 'no error'). */
function thrown(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (error) {
    return `${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('settings() with bad input', () => {
  it('threadId of the wrong type names threadId', async () => {
    const { orbitAi, tools, model } = await binding();
    expect(thrown(() => orbitAi.settings({ threadId: 42 as never, model, tools }))).toMatch(/threadId/);
  });

  it('threadId empty string names threadId', async () => {
    const { orbitAi, tools, model } = await binding();
    expect(thrown(() => orbitAi.settings({ threadId: '', model, tools }))).toMatch(/threadId/);
  });

  it('tools missing names tools', async () => {
    const { orbitAi, model } = await binding();
    expect(thrown(() => orbitAi.settings({ threadId: 't1', model, tools: undefined as never }))).toMatch(
      /tools/,
    );
  });

  it('tools as an array names tools (today it registers a tool named "0")', async () => {
    const { orbitAi, model, tools } = await binding();
    expect(thrown(() => orbitAi.settings({ threadId: 't2', model, tools: [tools.read] as never }))).toMatch(
      /tools/,
    );
  });

  it('a tool that is null names the tool', async () => {
    const { orbitAi, model } = await binding();
    expect(thrown(() => orbitAi.settings({ threadId: 't3', model, tools: { read: null } as never }))).toMatch(
      /settings\.tools\.read to be a tool/,
    );
  });

  it('messages as a string names messages', async () => {
    const { orbitAi, model, tools } = await binding();
    expect(
      thrown(() => orbitAi.settings({ threadId: 't4', model, tools, messages: 'hello' as never })),
    ).toMatch(/messages/);
  });

  it('messages with a null entry names messages[i]', async () => {
    const { orbitAi, model, tools } = await binding();
    expect(
      thrown(() => orbitAi.settings({ threadId: 't5', model, tools, messages: [null] as never })),
    ).toMatch(/messages\[0\]/);
  });

  it('model missing names model', async () => {
    const { orbitAi, tools } = await binding();
    expect(thrown(() => orbitAi.settings({ threadId: 't6', model: undefined as never, tools }))).toMatch(
      /model/,
    );
  });

  it('a tool-approval-response part with approvalId missing names the field', async () => {
    const { orbitAi, model, tools } = await binding();
    expect(
      thrown(() =>
        orbitAi.settings({
          threadId: 't7',
          model,
          tools,
          messages: [
            { role: 'user', content: 'go' },
            { role: 'tool', content: [{ type: 'tool-approval-response', approved: true } as never] },
          ],
        }),
      ),
    ).toMatch(/messages\[1\]\.content\[0\]\.approvalId/);
  });

  it('pendingApprovals with messages not an array names messages', async () => {
    const { orbitAi, tools } = await binding();
    orbitAi.settings({ threadId: 't8', model: scriptedModel([]), tools });
    const error = await orbitAi
      .pendingApprovals({ threadId: 't8', messages: undefined as never, tools })
      .then(
        () => 'no error',
        (e: Error) => `${e.name}: ${e.message}`,
      );
    expect(error).toMatch(/messages/);
    expect(error).not.toMatch(/^TypeError/);
  });
});

describe('a tool the manifest binds to resources', () => {
  it('needs a resource hint: without one, settings() refuses it naming the tool and the hint, before the model is asked', async () => {
    const { orbit } = await deploy();
    const { tools } = sdkTools();
    const model = scriptedModel([]);
    const pay = tools.send!;
    expect(() => orbitVercelAi(orbit).settings({ threadId: 't-hint', model, tools: { pay } })).toThrow(
      /Tool "pay" is bound to resources in the manifest.*orbitVercelAi\(orbit, \{ tools: \{ pay: \{ resource:/,
    );
    const hinted = orbitVercelAi(orbit, { tools: { pay: { resource: (args) => `invoice:${args.id}` } } });
    expect(hinted.settings({ threadId: 't-hint', model, tools: { pay } }).tools.pay).toBeDefined();
  });
});
