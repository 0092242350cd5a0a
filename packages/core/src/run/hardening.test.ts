import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { manifestOf, orbitOf } from '../../test/support.js';
import { loadManifest } from '../manifest/load-manifest.js';
import { MemoryStore } from '../stores/memory-store.js';
import { SqliteStore } from '../stores/sqlite-store.js';
import { createOrbit } from './create-orbit.js';
import { defineTool } from './define-tool.js';

// Issue 11 (hardening): each test fails on the code before its fix.

describe('a malformed argument to a tool bound to resources', () => {
  const update = defineTool({
    name: 'update',
    input: z.object({ invoice_id: z.string() }),
    resource: (input) => `invoice:${input.invoice_id}`,
    execute: (input) => input.invoice_id,
  });
  const manifest = {
    allowed_tools: [
      { name: 'update', max_calls_per_run: 5, reversibility: 'partial' as const, resources: ['invoice:*'] },
    ],
  };

  for (const store of [undefined, 'memory store'] as const) {
    it(`is a block the model can correct (input_invalid), never a halt or a scope alert${store ? ` (${store})` : ''}`, async () => {
      const { orbit, sink } = await orbitOf(manifest, store ? { store: new MemoryStore() } : {});
      const run = orbit.startRun();
      const bad = await run.execute(update, { invoice_id: 42, confidence: 0.99 });
      expect(bad.status).toBe('refused');
      expect(bad.decision).toMatchObject({ decision: 'block', reasons: ['input_invalid'] });
      expect(bad.decision.detail).toContain('input.invoice_id');
      expect(run.halted).toBe(false);
      expect(sink.events.filter((event) => event.event === 'alert')).toEqual([]);
      const good = await run.execute(update, { invoice_id: 'INV-1', confidence: 0.99 });
      expect(good.status).toBe('executed');
    });
  }

  it('a well-formed call outside the resources still halts the run', async () => {
    const { orbit } = await orbitOf(manifest);
    const run = orbit.startRun();
    const call = run.guard({
      tool: 'update',
      args: { invoice_id: 'X' },
      confidence: 0.99,
      resource: 'account:X',
    });
    expect(call).toMatchObject({ decision: 'halt', reasons: ['resource_not_in_manifest'] });
  });
});

describe('createOrbit validates every option (item 12)', () => {
  it('refuses a hand-made manifest object marked signed: only loadManifest output counts as verified', async () => {
    const loaded = await loadManifest({ manifest: manifestOf(), allowUnsigned: true, logger: { warn() {} } });
    const forged = { ...loaded, signed: true, kid: 'deploy-1' };
    expect(() => createOrbit({ manifest: forged })).toThrow(
      expect.objectContaining({
        code: 'ERR_OPTIONS_INVALID',
        message: expect.stringContaining('loadManifest()'),
      }),
    );
    expect(() => createOrbit({ manifest: loaded })).not.toThrow();
  });

  for (const maturityLevel of [0, 9, 2.5, 'x']) {
    it(`refuses maturityLevel ${JSON.stringify(maturityLevel)} at creation, naming the option`, async () => {
      const manifest = await loadManifest({
        manifest: manifestOf(),
        allowUnsigned: true,
        logger: { warn() {} },
      });
      expect(() => createOrbit({ manifest, maturityLevel: maturityLevel as never })).toThrow(
        expect.objectContaining({
          code: 'ERR_OPTIONS_INVALID',
          message: expect.stringContaining('options.maturityLevel'),
        }),
      );
    });
  }

  it('refuses other mistyped options, naming each', async () => {
    const manifest = await loadManifest({
      manifest: manifestOf(),
      allowUnsigned: true,
      logger: { warn() {} },
    });
    const cases: [string, Record<string, unknown>][] = [
      ['maxTrackedCalls', { maxTrackedCalls: 0 }],
      ['onApprovalTimeout', { onApprovalTimeout: 'explode' }],
      ['storeDownReads', { storeDownReads: 'maybe' }],
      ['approvalHandler', { approvalHandler: 'yes' }],
      ['sink', { sink: 'audit.jsonl' }],
    ];
    for (const [name, option] of cases) {
      expect(() => createOrbit({ manifest, ...option } as never)).toThrow(
        expect.objectContaining({
          code: 'ERR_OPTIONS_INVALID',
          message: expect.stringContaining(`options.${name}`),
        }),
      );
    }
  });
});

describe('SqliteStore where node:sqlite is missing (item 16)', () => {
  it('throws at construction, naming what it needs, instead of refusing every call as an outage', () => {
    const spy = vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined as never);
    try {
      expect(() => new SqliteStore({ path: ':memory:' })).toThrow(
        expect.objectContaining({
          code: 'ERR_OPTIONS_INVALID',
          message: expect.stringContaining('Node >= 22.13'),
        }),
      );
    } finally {
      spy.mockRestore();
    }
    expect(() => new SqliteStore({ path: ':memory:' }).close()).not.toThrow();
  });
});

describe('a block at level 1 promises no approval', () => {
  // Level 1 pauses every write for approval; a call limit (or hard budget) that blocks the same call
  // must not keep `maturity_level_requires_approval`: nobody can approve a block.
  const manifest = {
    allowed_tools: [{ name: 'update', max_calls_per_run: 1, reversibility: 'reversible' as const }],
  };
  const update = defineTool({ name: 'update', input: z.object({ id: z.string() }), execute: ({ id }) => id });

  for (const kind of ['memory', 'sqlite'] as const) {
    it(`drops the promise when the call limit blocks (${kind})`, async () => {
      const store = kind === 'sqlite' ? new SqliteStore({ path: ':memory:' }) : undefined;
      const { orbit } = await orbitOf(manifest, {
        maturityLevel: 1,
        approvalHandler: (request) => ({ type: 'approve', action_hash: request.action_hash }),
        ...(store ? { store } : {}),
      });
      const run = orbit.startRun();
      const first = await run.execute(update, { id: 'a', confidence: 0.99 });
      expect(first.status).toBe('executed');
      const second = await run.execute(update, { id: 'b', confidence: 0.99 });
      expect(second.decision.decision).toBe('block');
      expect(second.decision.reasons).toContain('max_calls_exceeded');
      expect(second.decision.reasons).not.toContain('maturity_level_requires_approval');
      await store?.close();
    });
  }
});

describe('a call decided to run that the framework never ran', () => {
  it('ends with its run: not executed, recorded once', async () => {
    const { orbit, sink } = await orbitOf();
    const run = orbit.startRun();
    const decided = run.guard({ tool: 'read', args: { id: 'cut' }, confidence: 0.99, callId: 'c-cut' });
    expect(decided.decision).toBe('proceed');
    const paused = run.guard({ tool: 'send', args: { id: 's' }, confidence: 0.5, callId: 'c-paused' });
    expect(paused.decision).toBe('pause');
    await run.end();
    await run.end();
    const outcomes = sink.events.filter((e) => e.event === 'outcome');
    // The paused call waits for its answer (another process may give it); only the decided one ends.
    expect(outcomes.map((e) => [e.call_id, e.status])).toEqual([['c-cut', 'not_executed']]);
  });
});

describe('the refusal the model reads', () => {
  it('ends the detail before the advice: a sentence of its own', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const read = defineTool({ name: 'read', input: z.object({ id: z.string() }), execute: () => 'ok' });
    const result = await run.execute(read, { id: 7, confidence: 0.99 });
    expect(result.status).toBe('refused');
    const message = result.status === 'refused' ? result.refusal.message : '';
    expect(message).toMatch(/\(block: input_invalid\)\. input\.id: .*number\. Do not retry/);
  });
});
