// Attacks and edge cases (from a review): nothing decided or run twice, nothing recorded twice.
import { describe, expect, it } from 'vitest';
import { Conversation, call, deploy, orbitVercelAi, sdkTools } from '../test/support.js';
import { approvalResponse } from './index.js';

const eventsOf = (sink: { events: readonly Record<string, unknown>[] }, kind: string, callId: string) =>
  sink.events.filter((e) => e.event === kind && e.call_id === callId);

describe('replays', () => {
  it('three concurrent resumes of two paused calls: each runs once, one decision and one outcome each', async () => {
    const { orbit, sink } = await deploy();
    const { tools, ran } = sdkTools();
    const chat = new Conversation(orbitVercelAi(orbit), tools, [
      [call('c-s1', 'send', { id: 's1' }, 0.5), call('c-s2', 'send', { id: 's2' }, 0.5)],
    ]);
    await chat.send();
    const pending = await chat.pending();
    expect(pending).toHaveLength(2);
    const answered = chat.answered(pending.map((p) => approvalResponse(p, { type: 'approve' })));
    const outcomes = await Promise.all(
      [0, 1, 2].map(() =>
        chat.send(answered).then(
          () => 'ok',
          (e: Error) => `${e.name}: ${e.message}`,
        ),
      ),
    );
    expect(outcomes).toEqual(['ok', 'ok', 'ok']);
    expect(ran.sort()).toEqual(['send:s1', 'send:s2']);
    for (const id of ['c-s1', 'c-s2']) {
      expect(eventsOf(sink, 'decision', id)).toHaveLength(1);
      expect(eventsOf(sink, 'outcome', id)).toHaveLength(1);
    }
  });

  it('a replay of an answered step after the replay cache forgot the call: no second outcome is recorded', async () => {
    const { orbit, sink } = await deploy();
    const { tools, ran } = sdkTools();
    const chat = new Conversation(orbitVercelAi(orbit, { replayCache: 1 }), tools, [
      [call('c-send', 'send', { id: 's' }, 0.5)],
      [call('c-r1', 'read', { id: 'r1' })],
      [call('c-r2', 'read', { id: 'r2' })],
    ]);
    await chat.send();
    const [pending] = await chat.pending();
    const answered = chat.answered([approvalResponse(pending!, { type: 'approve' })]);
    await chat.send(answered);
    expect(ran).toEqual(['send:s', 'read:r1', 'read:r2']);
    await chat.send(answered).catch(() => undefined);
    expect(ran).toEqual(['send:s', 'read:r1', 'read:r2']);
    expect(eventsOf(sink, 'outcome', 'c-send').map((e) => e.status)).toEqual(['executed']);
  });
});
