import { Environment, parse } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';
import {
  CEL_ERROR,
  type CelError,
  celCompare,
  celEquals,
  celIn,
  celSize,
  index,
  isMap,
  jsonValue,
  select,
} from './cel-values.js';

/** The bounds of a condition, checked when the manifest is loaded. */
export const CONDITION_LIMITS = Object.freeze({
  /** The longest expression, in characters. */
  maxChars: 1_000,
  /** The deepest expression tree (each operator, call or field access is a level). */
  maxDepth: 32,
  /**
   * The longest string `matches()` reads, in UTF-16 units: a longer one is an error value (the
   * condition errs, so the call is refused). The engine is linear in its input (RE2), so this bounds
   * the time of every regular expression in a condition.
   */
  maxMatchChars: 4_096,
});

/** What a condition may use, for error messages. */
export const CONDITION_SUBSET =
  "field access on args (args.amount, args.customer.tier, args['order-id'], args.items[0]), has(args.x), " +
  'literals (int, double, string, bool, null, lists of literals), == != < <= > >=, && || !, c ? a : b, in, ' +
  "size(), startsWith(), endsWith(), contains(), matches('<a literal RE2 pattern>')";

/**
 * A compiled condition: frozen, so nobody can replace its function. `evaluate` returns `true`,
 * `false` or `CEL_ERROR` (a missing field, a type mismatch, no such overload, a string too long for
 * `matches()`, a result that is not a boolean) and never throws, whatever the arguments.
 */
export interface CompiledCondition {
  /** The expression as the manifest wrote it. */
  readonly source: string;
  evaluate(args: unknown): boolean | CelError;
}

/** A condition compiled, or why it cannot be: a sentence for the manifest's error. */
export type ConditionResult =
  | { readonly ok: true; readonly condition: CompiledCondition }
  | { readonly ok: false; readonly problem: string };

type Fn = (args: unknown) => unknown;
/** The JSON AST of `@marcbachmann/cel-js`: `{ op, args }`. */
interface Node {
  readonly op: string;
  readonly args: unknown;
}

/** Raised while compiling; becomes the `problem` of the result. */
class Unsupported extends Error {}

const environment = new Environment().registerVariable('args', 'map');
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Parses, type-checks and compiles one CEL condition over `args` (the call's arguments as JSON). Only
 * a loop-free subset of CEL is accepted (see `CONDITION_SUBSET`); anything else, an expression longer
 * than `CONDITION_LIMITS.maxChars` or deeper than `maxDepth`, a type error, or a `matches()` pattern
 * that RE2 rejects, is refused with a sentence saying why.
 *
 * @example
 * const result = tryCompileCondition('args.amount > 500');
 * if (result.ok) result.condition.evaluate({ amount: 600 }); // true
 */
export function tryCompileCondition(source: string): ConditionResult {
  if (typeof source !== 'string') return { ok: false, problem: 'expected a CEL expression (a string)' };
  if (source.length > CONDITION_LIMITS.maxChars)
    return { ok: false, problem: `expected at most ${CONDITION_LIMITS.maxChars} characters` };
  let ast: Node;
  try {
    const checked = environment.parse(source).check();
    if (!checked.valid) return { ok: false, problem: `not valid CEL: ${firstLine(checked.error)}` };
    if (checked.type !== 'bool' && checked.type !== 'dyn')
      return { ok: false, problem: `expected a boolean expression, but it is of type ${checked.type}` };
    ast = parse(source).ast as Node;
  } catch (error) {
    return { ok: false, problem: `not valid CEL: ${firstLine(error)}` };
  }
  let fn: Fn;
  try {
    fn = compile(ast, 1);
  } catch (error) {
    if (error instanceof Unsupported) return { ok: false, problem: error.message };
    return { ok: false, problem: `cannot be compiled: ${firstLine(error)}` };
  }
  const evaluate = (args: unknown): boolean | CelError => {
    try {
      const value = fn(args);
      return typeof value === 'boolean' ? value : CEL_ERROR;
    } catch {
      return CEL_ERROR; // a hostile getter or proxy: the condition errs, it never throws
    }
  };
  return { ok: true, condition: Object.freeze({ source, evaluate }) };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}

function compile(node: Node, depth: number): Fn {
  if (depth > CONDITION_LIMITS.maxDepth)
    throw new Unsupported(`expected an expression at most ${CONDITION_LIMITS.maxDepth} levels deep`);
  const literal = literalOf(node);
  if (literal !== undefined) {
    const value = literal.value;
    return () => value;
  }
  const next = depth + 1;
  switch (node.op) {
    case 'id': {
      if (node.args !== 'args') throw new Unsupported(`unknown variable "${String(node.args)}": only args`);
      return (args) => jsonValue(args);
    }
    case '.': {
      const [target, field] = node.args as [Node, string];
      const of = compile(target, next);
      return (args) => select(of(args), field);
    }
    case '[]': {
      const [target, keyNode] = node.args as [Node, Node];
      const key = literalOf(keyNode)?.value;
      if (typeof key !== 'string' && typeof key !== 'bigint')
        throw new Unsupported('expected a literal string or int index (args["x"], args.items[0])');
      const of = compile(target, next);
      return (args) => index(of(args), key);
    }
    case '==':
    case '!=': {
      const [left, right] = binary(node, next);
      const negate = node.op === '!=';
      return (args) => {
        const x = left(args);
        if (x === CEL_ERROR) return x;
        const y = right(args);
        if (y === CEL_ERROR) return y;
        const equal = celEquals(x, y);
        return equal === CEL_ERROR ? equal : equal !== negate;
      };
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const [left, right] = binary(node, next);
      const test = ORDER[node.op]!;
      return (args) => {
        const x = left(args);
        if (x === CEL_ERROR) return x;
        const y = right(args);
        if (y === CEL_ERROR) return y;
        const order = celCompare(x, y);
        return order === CEL_ERROR ? order : test(order);
      };
    }
    case '&&':
    case '||': {
      const [left, right] = binary(node, next);
      const and = node.op === '&&';
      // CEL's commutative logic: the value that decides (false for &&, true for ||) wins over an error.
      return (args) => {
        const x = left(args);
        if (x === !and) return x;
        const y = right(args);
        if (y === !and) return y;
        return x === and && y === and ? and : CEL_ERROR;
      };
    }
    case '!_': {
      const of = compile(node.args as Node, next);
      return (args) => {
        const x = of(args);
        return typeof x === 'boolean' ? !x : CEL_ERROR;
      };
    }
    case '?:': {
      const [test, yes, no] = (node.args as Node[]).map((each) => compile(each, next)) as [Fn, Fn, Fn];
      return (args) => {
        const x = test(args);
        return x === true ? yes(args) : x === false ? no(args) : CEL_ERROR;
      };
    }
    case 'in': {
      const [left, right] = binary(node, next);
      return (args) => {
        const x = left(args);
        if (x === CEL_ERROR) return x;
        const y = right(args);
        return y === CEL_ERROR ? y : celIn(x, y);
      };
    }
    case 'call':
      return compileCall(node, next);
    case 'rcall':
      return compileMethod(node, next);
  }
  throw new Unsupported(`${describe(node)} is not allowed in a condition; allowed: ${CONDITION_SUBSET}`);
}

const ORDER: Record<string, (order: number) => boolean> = {
  '<': (order) => order < 0,
  '<=': (order) => order <= 0,
  '>': (order) => order > 0,
  '>=': (order) => order >= 0,
};

function binary(node: Node, depth: number): [Fn, Fn] {
  const [left, right] = node.args as [Node, Node];
  return [compile(left, depth), compile(right, depth)];
}

/** `has(args.x)` and `size(x)`: the only global functions of the subset. */
function compileCall(node: Node, depth: number): Fn {
  const [name, params] = node.args as [string, Node[]];
  if (name === 'has' && params.length === 1 && params[0]!.op === '.') {
    const [target, field] = params[0]!.args as [Node, string];
    const of = compile(target, depth);
    // As the reference (@bufbuild/cel) reads JSON: a key whose value is null is not set, and a value
    // that is no map has no fields (false, not an error). cel-go says true for a null value.
    return (args) => {
      const x = of(args);
      return x === CEL_ERROR ? x : isMap(x) && Object.hasOwn(x, field) && x[field] !== null;
    };
  }
  if (name === 'size' && params.length === 1) {
    const of = compile(params[0]!, depth);
    return (args) => celSize(of(args));
  }
  throw new Unsupported(`the function ${name}() is not allowed in a condition; allowed: ${CONDITION_SUBSET}`);
}

/** `x.size()`, `s.startsWith(t)`, `s.endsWith(t)`, `s.contains(t)`, `s.matches('<literal>')`. */
function compileMethod(node: Node, depth: number): Fn {
  const [name, receiver, params] = node.args as [string, Node, Node[]];
  if (name === 'size' && params.length === 0) {
    const of = compile(receiver, depth);
    return (args) => celSize(of(args));
  }
  if (name === 'matches' && params.length === 1) return compileMatches(receiver, params[0]!, depth);
  const test = STRING_TESTS[name];
  if (test && params.length === 1) {
    const of = compile(receiver, depth);
    const argument = compile(params[0]!, depth);
    return (args) => {
      const x = of(args);
      if (typeof x !== 'string') return CEL_ERROR;
      const y = argument(args);
      return typeof y === 'string' ? test(x, y) : CEL_ERROR;
    };
  }
  const loop = LOOPS.has(name) ? ' (a macro: conditions have no loops)' : '';
  throw new Unsupported(
    `the method .${name}() is not allowed in a condition${loop}; allowed: ${CONDITION_SUBSET}`,
  );
}

const STRING_TESTS: Record<string, (text: string, part: string) => boolean> = {
  startsWith: (text, part) => text.startsWith(part),
  endsWith: (text, part) => text.endsWith(part),
  contains: (text, part) => text.includes(part),
};
const LOOPS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** `s.matches('<pattern>')`: the pattern a literal, compiled once by RE2 (linear time). */
function compileMatches(receiver: Node, patternNode: Node, depth: number): Fn {
  const pattern = literalOf(patternNode)?.value;
  if (typeof pattern !== 'string')
    throw new Unsupported("expected a literal pattern in matches() (s.matches('^[0-9]+$'))");
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(pattern);
  } catch (error) {
    throw new Unsupported(`the pattern of matches() is not valid RE2: ${firstLine(error)}`);
  }
  const of = compile(receiver, depth);
  const max = CONDITION_LIMITS.maxMatchChars;
  return (args) => {
    const x = of(args);
    if (typeof x !== 'string' || x.length > max) return CEL_ERROR;
    return regex.matcher(x).find();
  };
}

/**
 * The value of a literal (an int within 64 bits, a double, a string, a bool, null, `-` before a
 * number, a list of literals), or `undefined` when the node is no literal.
 *
 * @throws Unsupported for a literal outside the subset (uint, bytes) or an int beyond 64 bits.
 */
function literalOf(node: Node): { value: unknown } | undefined {
  if (node.op === 'value') return { value: checkedLiteral(node.args) };
  if (node.op === '-_') {
    const inner = node.args as Node;
    if (inner.op !== 'value') return undefined;
    const value = inner.args;
    if (typeof value === 'bigint') return { value: checkedLiteral(-value) };
    if (typeof value === 'number') return { value: -value };
    return undefined;
  }
  if (node.op === 'list') {
    const items = (node.args as Node[]).map((item) => {
      const literal = literalOf(item);
      if (literal === undefined) throw new Unsupported('expected a list of literals ([1, 2], ["a", "b"])');
      return literal.value;
    });
    return { value: Object.freeze(items) };
  }
  return undefined;
}

function checkedLiteral(value: unknown): unknown {
  switch (typeof value) {
    case 'bigint':
      if (value < INT64_MIN || value > INT64_MAX) throw new Unsupported('an int literal beyond 64 bits');
      return value;
    case 'number':
    case 'string':
    case 'boolean':
      return value;
  }
  if (value === null) return null;
  throw new Unsupported(
    'uint and bytes literals are not allowed in a condition (use an int, a double or a string)',
  );
}

function describe(node: Node): string {
  if (['+', '-', '*', '/', '%', '-_'].includes(node.op)) return `arithmetic ("${node.op.replace('_', '')}")`;
  if (node.op === 'map') return 'a map literal';
  return `"${node.op}"`;
}
