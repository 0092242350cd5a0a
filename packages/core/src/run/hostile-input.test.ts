import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { orbitOf } from '../../test/support.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { JsonlFileSink } from '../audit/jsonl-file-sink.js';
import { CallIdReusedError } from '../errors.js';
import { MemoryStore } from '../stores/memory-store.js';
import { SqliteStore } from '../stores/sqlite-store.js';
import { INPUT_LIMITS } from './args-snapshot.js';
import { defineTool } from './define-tool.js';
import { actionHash } from './guard-request.js';

// Issue 11 (hardening), item 13: each test fails on the code before its fix.

function auditFile() {
  const path = join(mkdtempSync(join(tmpdir(), 'orbit-hostile-')), 'audit.jsonl');
  const sink = new JsonlFileSink(path);
  const events = (): AuditEvent[] => {
    sink.flush();
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditEvent);
  };
  return { sink, events };
}

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { next: value };
  return value;
}

function cyclic(): unknown {
  const items: unknown[] = [1, 2, 3];
  const root = { a: { b: items } };
  items.push(root);
  return root;
}

class Invoice {
  constructor(readonly id: string) {}
}

/** Hostile values, placed at `args.a.b[3]`, and what the refusal's detail must say. */
const HOSTILE: [string, () => unknown, string][] = [
  ['a BigInt', () => 10n, 'args.a.b[3]: BigInt is not supported'],
  ['a function', () => () => 1, 'args.a.b[3]: a function is not supported'],
  ['a symbol', () => Symbol('s'), 'args.a.b[3]: a symbol is not supported'],
  ['NaN', () => Number.NaN, 'args.a.b[3]: the number NaN is not supported'],
  ['an invalid Date', () => new Date('nope'), 'args.a.b[3]: an invalid Date is not supported'],
  ['a Map', () => new Map([[1, 2]]), 'args.a.b[3]: a Map is not supported'],
  ['a class instance', () => new Invoice('INV-1'), 'args.a.b[3]: an instance of Invoice is not supported'],
  [
    'a getter that throws',
    () => ({
      get id() {
        throw new Error('no access');
      },
    }),
    'args.a.b[3].id: reading it threw (no access)',
  ],
  [
    'a getter whose error cannot be read either',
    () => ({
      get x() {
        throw {
          toString() {
            throw new Error('nested');
          },
        };
      },
    }),
    'args.a.b[3].x: reading it threw (an error that cannot be read)',
  ],
  [
    'a proxy whose traps throw',
    () =>
      new Proxy(
        {},
        {
          ownKeys() {
            throw new Error('trap');
          },
        },
      ),
    'args.a.b[3]: reading it threw (trap)',
  ],
  ['nesting 10,000 deep', () => nested(10_000), `nesting deeper than ${INPUT_LIMITS.maxDepth} levels`],
  [
    'more than 10,000 values',
    () => new Array(INPUT_LIMITS.maxNodes + 1).fill(0),
    `args: more than ${INPUT_LIMITS.maxNodes} values are not supported`,
  ],
  [
    'more than 1 MiB of JSON',
    () => 'x'.repeat(INPUT_LIMITS.maxJsonChars + 1),
    `args: more than ${INPUT_LIMITS.maxJsonChars} characters of JSON are not supported`,
  ],
];

describe('hostile arguments are refused before anything is counted, and their decision is always written', () => {
  for (const [title, make, detail] of HOSTILE) {
    it(`run.guard: ${title} is a block (input_unsupported) naming the path`, async () => {
      const { sink, events } = auditFile();
      const { orbit } = await orbitOf({}, { sink });
      const run = orbit.startRun();
      const decision = run.guard({
        tool: 'update',
        args: { a: { b: [0, 1, 2, make()] } },
        confidence: 0.99,
        resource: 'invoice:1',
        records: 3,
      });
      expect(decision).toMatchObject({ decision: 'block', reasons: ['input_unsupported'] });
      expect(decision.detail).toContain(detail);
      expect(run.ledger.callsOf('update')).toBe(0);
      expect(run.ledger.records).toBe(0);
      const written = events().filter((event) => event.event === 'decision');
      expect(written).toHaveLength(1);
      expect(written[0]).toMatchObject({ decision: 'block', reasons: ['input_unsupported'], records: 0 });
      expect(written[0]!.detail).toContain(detail);
      expect(written[0]!.input).toBeUndefined();
      // The run goes on: a well-formed call after it runs.
      expect(run.guard({ tool: 'update', args: { a: 1 }, confidence: 0.99 }).decision).toBe('proceed');
    });
  }

  it('a cycle is a block naming where it loops back, not a RangeError', async () => {
    const { sink, events } = auditFile();
    const { orbit } = await orbitOf({}, { sink });
    const run = orbit.startRun();
    const decision = run.guard({ tool: 'update', args: cyclic(), confidence: 0.99 });
    expect(decision).toMatchObject({ decision: 'block', reasons: ['input_unsupported'] });
    expect(decision.detail).toBe('args.a.b[3]: a cycle (a value that contains itself) is not supported');
    expect(run.ledger.callsOf('update')).toBe(0);
    expect(events().filter((event) => event.event === 'decision')).toHaveLength(1);
  });

  it('the same hostile call presented again gets the same refusal; well-formed arguments under its id are another call', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const first = run.guard({ tool: 'update', args: { n: 1n }, confidence: 0.99, callId: 'c1' });
    expect(run.guard({ tool: 'update', args: { n: 1n }, confidence: 0.99, callId: 'c1' })).toBe(first);
    expect(() => run.guard({ tool: 'update', args: { n: 1 }, confidence: 0.99, callId: 'c1' })).toThrow(
      CallIdReusedError,
    );
  });

  it('an out-of-manifest tool with hostile arguments still halts the run (the boundary first)', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const decision = run.guard({ tool: 'merge', args: cyclic(), confidence: 0.99 });
    expect(decision).toMatchObject({ decision: 'halt', reasons: ['tool_explicitly_blocked'] });
  });

  for (const store of ['memory store', 'SQLite store'] as const) {
    it(`run.guardAsync on a ${store}: a block (input_unsupported), nothing counted in the store`, async () => {
      const { sink, events } = auditFile();
      const { orbit } = await orbitOf(
        { allowed_tools: [{ name: 'update', max_calls_per_run: 1, reversibility: 'partial' }] },
        { sink, store: store === 'memory store' ? new MemoryStore() : new SqliteStore({ path: ':memory:' }) },
      );
      const run = orbit.startRun();
      const decision = await run.guardAsync({ tool: 'update', args: { n: 10n }, confidence: 0.99 });
      expect(decision).toMatchObject({ decision: 'block', reasons: ['input_unsupported'] });
      expect(decision.detail).toBe('args.n: BigInt is not supported');
      expect(events().filter((event) => event.event === 'decision')).toHaveLength(1);
      // The one call the limit allows is still there.
      const good = await run.guardAsync({ tool: 'update', args: { n: 10 }, confidence: 0.99 });
      expect(good.decision).toBe('proceed');
    });
  }

  it('run.execute: raw model arguments with a throwing getter are refused, the tool never runs, the decision is written', async () => {
    const { sink, events } = auditFile();
    const { orbit } = await orbitOf({}, { sink });
    const run = orbit.startRun();
    let ran = false;
    const update = defineTool({
      name: 'update',
      input: z.object({ id: z.string() }),
      execute: () => {
        ran = true;
      },
    });
    const raw = {
      confidence: 0.99,
      get id(): string {
        throw new Error('boom');
      },
    };
    const result = await run.execute(update, raw);
    expect(result.status).toBe('refused');
    expect(result.decision).toMatchObject({ decision: 'block', reasons: ['input_unsupported'] });
    expect(result.decision.detail).toBe('args.id: reading it threw (boom)');
    expect(ran).toBe(false);
    expect(events().filter((event) => event.event === 'decision')).toHaveLength(1);
  });

  it('a tool output JSON cannot hold is recorded with a marker: the call stays executed, its outcome line is written', async () => {
    const { sink, events } = auditFile();
    const { orbit } = await orbitOf({}, { sink });
    const run = orbit.startRun();
    const update = defineTool({
      name: 'update',
      input: z.object({ id: z.string() }),
      execute: () => ({ total: 10n }),
    });
    const result = await run.execute(update, { id: 'INV-1', confidence: 0.99 });
    expect(result.status).toBe('executed');
    const outcome = events().find((event) => event.event === 'outcome');
    expect(outcome).toMatchObject({
      status: 'executed',
      output: '[unserializable: a BigInt]',
      unserializable: ['output'],
    });
  });
});

describe('the arguments are read once: the hash, the audit log and the tool see the same values', () => {
  it('a getter that answers differently each time is read once; the approval binds what the tool gets', async () => {
    const { sink, events } = auditFile();
    const { orbit } = await orbitOf({}, { sink });
    const run = orbit.startRun();
    let reads = 0;
    const args = {
      get id() {
        reads++;
        return `INV-${reads}`;
      },
    };
    const decision = run.guard({ tool: 'update', args, confidence: 0.8 });
    expect(decision.decision).toBe('pause');
    expect(reads).toBe(1);
    const approval = decision.approval!;
    expect(approval.args).toEqual({ id: 'INV-1' });
    expect(approval.action_hash).toBe(actionHash(run.id, decision.call_id, 'update', { id: 'INV-1' }));
    expect(events().find((event) => event.event === 'decision')?.input).toEqual({ id: 'INV-1' });
    const answered = run.answer(approval.approval_id, {
      type: 'approve',
      action_hash: approval.action_hash,
      approver: 'tester',
    });
    expect(answered.args).toEqual({ id: 'INV-1' });
  });

  it('run.execute gives the tool the arguments as read, once', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const seen: unknown[] = [];
    const update = defineTool({
      name: 'update',
      input: z.object({ id: z.string(), due: z.date() }),
      execute: (input) => {
        seen.push(input);
      },
    });
    let reads = 0;
    const due = new Date('2026-05-01T09:00:00.000Z');
    const raw = {
      confidence: 0.99,
      due,
      get id() {
        reads++;
        return `INV-${reads}`;
      },
    };
    const result = await run.execute(update, raw);
    expect(result.status).toBe('executed');
    expect(reads).toBe(1);
    expect(seen).toEqual([{ id: 'INV-1', due }]);
    expect((seen[0] as { due: Date }).due).not.toBe(due); // a copy: the caller's Date cannot change it
  });
});

describe('Dates are bound by the action hash', () => {
  it('two different Dates give different action hashes', () => {
    const first = { due: new Date('2026-05-01T00:00:00Z') };
    const second = { due: new Date('2026-06-01T00:00:00Z') };
    expect(actionHash('run', 'call', 'update', first)).not.toBe(actionHash('run', 'call', 'update', second));
  });

  it('a call approved for one Date is not the same call with another Date under its id', async () => {
    const { orbit } = await orbitOf();
    const run = orbit.startRun();
    const paused = run.guard({
      tool: 'update',
      args: { due: new Date('2026-05-01T00:00:00Z') },
      confidence: 0.8,
      callId: 'c1',
    });
    const approval = paused.approval!;
    run.answer(approval.approval_id, {
      type: 'approve',
      action_hash: approval.action_hash,
      approver: 'tester',
    });
    // A framework presenting call c1 again with another Date does not get the approval.
    expect(() =>
      run.guard({
        tool: 'update',
        args: { due: new Date('2027-01-01T00:00:00Z') },
        confidence: 0.8,
        callId: 'c1',
      }),
    ).toThrow(CallIdReusedError);
    expect(
      run.guard({
        tool: 'update',
        args: { due: new Date('2026-05-01T00:00:00Z') },
        confidence: 0.8,
        callId: 'c1',
      }).decision,
    ).toBe('proceed_with_log');
  });
});
