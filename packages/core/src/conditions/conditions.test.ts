import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { condition, seeded } from '../../test/condition-grammar.js';
import { snapshotArgs } from '../run/args-snapshot.js';
import { CEL_ERROR } from './cel-values.js';
import { CONDITION_LIMITS, type CompiledCondition, tryCompileCondition } from './compile-condition.js';

function compiled(source: string): CompiledCondition {
  const result = tryCompileCondition(source);
  if (!result.ok) throw new Error(result.problem);
  return result.condition;
}

function problem(source: string): string {
  const result = tryCompileCondition(source);
  if (result.ok) throw new Error(`compiled: ${source}`);
  return result.problem;
}

describe('compiling a condition', () => {
  it.each([
    ['args.amount > 500', { amount: 600 }, true],
    ['args.amount > 500', { amount: 500 }, false],
    ['args.amount >= 500.5', { amount: 500.5 }, true],
    ["args.order_id.matches('^#W[0-9]{7}$')", { order_id: '#W1234567' }, true],
    ["args.order_id.matches('^#W[0-9]{7}$')", { order_id: '#W123456' }, false],
    ['has(args.customer.tier)', { customer: { tier: 'gold' } }, true],
    ['has(args.customer.tier)', { customer: {} }, false],
    ["args.customer.tier in ['gold', 'platinum']", { customer: { tier: 'gold' } }, true],
    ["'vip' in args.tags", { tags: ['new', 'vip'] }, true],
    ["'override' in args", { override: true }, true],
    ['size(args.items) > 2', { items: [1, 2, 3] }, true],
    [
      "args.email.endsWith('@example.com') && !args.email.startsWith('admin')",
      { email: 'a@example.com' },
      true,
    ],
    ["args['order-id'].contains('W')", { 'order-id': '#W1' }, true],
    ['args.items[0] == 1', { items: [1.0] }, true],
    ['args.note == null', { note: null }, true],
    ['args.kind == "refund" ? args.amount > 100 : false', { kind: 'refund', amount: 150 }, true],
    ['args.when < "2026-06-01"', { when: new Date('2026-05-01T00:00:00Z') }, true],
  ])('%s with %j is %s', (source, args, expected) => {
    expect(compiled(source).evaluate(args)).toBe(expected);
  });

  it.each([
    ['args.missing > 500', { amount: 1 }],
    ["args.amount > 'x'", { amount: 1 }],
    ['args.amount.size() > 1', { amount: 1 }],
    ['args.items[5] == 1', { items: [1] }],
    ['!args.amount', { amount: 1 }],
    ['args.amount', { amount: 1 }],
    ["args.code.matches('a')", { code: 'a'.repeat(CONDITION_LIMITS.maxMatchChars + 1) }],
  ])('%s with a bad argument is an error value, never a throw', (source, args) => {
    expect(compiled(source).evaluate(args)).toBe(CEL_ERROR);
  });

  it('absorbs an error as CEL does: false && error is false, true || error is true', () => {
    expect(compiled('args.missing > 1 && false').evaluate({})).toBe(false);
    expect(compiled('false && args.missing > 1').evaluate({})).toBe(false);
    expect(compiled('args.missing > 1 || true').evaluate({})).toBe(true);
    expect(compiled('true && args.missing > 1').evaluate({})).toBe(CEL_ERROR);
    expect(compiled('false || args.missing > 1').evaluate({})).toBe(CEL_ERROR);
  });

  it.each([
    ['args.items.all(x, x > 1)', 'no loops'],
    ['args.items.exists(x, x > 1)', 'no loops'],
    ['args.amount + 1 > 2', 'arithmetic'],
    ['-args.amount < 2', 'arithmetic'],
    ['args.code.matches(args.pattern)', 'literal pattern'],
    ["args.code.matches('(')", 'not valid RE2'],
    ['now > 1', 'not valid CEL'],
    ['args.amount > ', 'not valid CEL'],
    ['args.amount', undefined],
    ['1 + 1 == 2', 'arithmetic'],
    ['args.amount ? 1 : 2', 'boolean expression'],
    ["{'a': 1} == args.x", 'map literal'],
    ['args.x == 5u', 'uint'],
    ['int(args.x) == 1', 'int()'],
    ['args.items[args.i] == 1', 'literal string or int index'],
    [`args.a == '${'x'.repeat(CONDITION_LIMITS.maxChars)}'`, 'at most 1000 characters'],
    [`${'!'.repeat(40)}args.a`, 'at most 32 levels'],
  ])('refuses %s at load (%s)', (source, expected) => {
    if (expected === undefined) expect(tryCompileCondition(source).ok).toBe(true);
    else expect(problem(source)).toContain(expected);
  });

  it('names what is allowed when it refuses', () => {
    expect(problem('args.items.map(x, x) == []')).toMatch(/allowed: field access on args.*matches/);
  });

  it('is a frozen object: its function cannot be replaced', () => {
    const gate = compiled('args.amount > 500');
    expect(Object.isFrozen(gate)).toBe(true);
    expect(() => {
      (gate as { evaluate: unknown }).evaluate = () => false;
    }).toThrow(TypeError);
    expect(gate.evaluate({ amount: 600 })).toBe(true);
  });
});

/** Hostile values: what a caller might pass if the snapshot were skipped. */
const hostile = fc.oneof(
  fc.constant(undefined),
  fc.bigInt(),
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.constant(Symbol('s')),
  fc.constant(() => 1),
  fc.constant(new Map([['a', 1]])),
  fc.constant(new Date(Number.NaN)),
  fc.string({ minLength: 0, maxLength: 20 }).map((s) => s.repeat(500)),
  fc.constant(
    Object.defineProperty({}, 'amount', {
      enumerable: true,
      get() {
        throw new Error('getter');
      },
    }),
  ),
  fc.constant(
    new Proxy(
      {},
      {
        get() {
          throw new Error('proxy');
        },
        getOwnPropertyDescriptor() {
          throw new Error('proxy');
        },
        ownKeys() {
          throw new Error('proxy');
        },
        getPrototypeOf() {
          throw new Error('proxy');
        },
      },
    ),
  ),
  fc.constant(
    (() => {
      const cycle: Record<string, unknown> = { a: 1 };
      cycle.self = cycle;
      cycle.list = [cycle];
      return cycle;
    })(),
  ),
);
const anyValue = fc.oneof(fc.jsonValue(), hostile);
const argsArb = fc.oneof(
  fc.dictionary(fc.constantFrom('a', 'b', 's', 'n', 'l', 'amount', 'self', '__proto__'), anyValue),
  anyValue,
);

describe('evaluating a condition (property)', () => {
  const sources = (() => {
    const random = seeded(7);
    const out: CompiledCondition[] = [compiled('args.self == args.self'), compiled('args.list == args.list')];
    while (out.length < 200) {
      const result = tryCompileCondition(condition(random));
      if (result.ok) out.push(result.condition);
    }
    return out;
  })();

  it('never throws and returns true, false or the error value, for any arguments, hostile ones too', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sources.length - 1 }), argsArb, (which, args) => {
        const result = sources[which]!.evaluate(args);
        expect(result === true || result === false || result === CEL_ERROR).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it('on the decision path sees the snapshot of the arguments: what the snapshot refuses never reaches it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sources.length - 1 }), argsArb, (which, args) => {
        const read = snapshotArgs(args);
        if (!read.ok) return; // refused before the gate (input_unsupported)
        const result = sources[which]!.evaluate(read.args);
        expect(result === true || result === false || result === CEL_ERROR).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});
