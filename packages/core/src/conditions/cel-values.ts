/**
 * CEL values at run time, as the compiled conditions use them. A condition sees a call's arguments as
 * JSON: an object is a CEL `map` (string keys), an array a `list`, a string a `string`, a number a
 * `double`, `true`/`false` a `bool`, `null` a `null`; a `Date` (which the argument snapshot keeps) is
 * its ISO 8601 string, as JSON writes it. An integer literal in a condition (`500`) is a CEL `int` (a
 * `bigint` here, as is a `bigint` in arguments that were not snapshotted); `size()` returns an `int`.
 * Anything else (`undefined`, a function or a symbol in hostile arguments, a class instance, a
 * non-finite number) is no JSON value: reading it is an error.
 */

/** The error value of CEL: a missing field, a type mismatch, no such overload. Never thrown. */
export const CEL_ERROR: unique symbol = Symbol('cel_error');
export type CelError = typeof CEL_ERROR;

/** The deepest list or map an equality compares (the argument snapshot allows 64 levels). */
const MAX_EQUAL_DEPTH = 64;

/** A value read from the arguments, as CEL sees it, or `CEL_ERROR` when it is no JSON value. */
export function jsonValue(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
    case 'bigint': // an int: the literals of a condition (a snapshot of arguments holds none)
      return value;
    case 'number':
      return Number.isFinite(value) ? value : CEL_ERROR;
    case 'object': {
      if (value === null || Array.isArray(value)) return value;
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return value;
      if (proto === Date.prototype) {
        const time = (value as Date).getTime();
        return Number.isNaN(time) ? CEL_ERROR : new Date(time).toISOString();
      }
      return CEL_ERROR;
    }
    default:
      return CEL_ERROR;
  }
}

/** A CEL map: a plain object (from JSON). */
export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): value is number | bigint {
  return typeof value === 'number' || typeof value === 'bigint';
}

/** `obj.field` on a map: the value, or an error (no such key, not a map). */
export function select(target: unknown, field: string): unknown {
  if (!isMap(target) || !Object.hasOwn(target, field)) return CEL_ERROR;
  return jsonValue(target[field]);
}

/** `obj[key]`: a map by a string key, a list by an `int` index; an error otherwise. */
export function index(target: unknown, key: string | bigint): unknown {
  if (typeof key === 'string') return select(target, key);
  if (!Array.isArray(target) || key < 0n || key >= BigInt(target.length)) return CEL_ERROR;
  return jsonValue(target[Number(key)]);
}

/**
 * CEL equality (heterogeneous, as the spec defines it): numbers of any type compare by value, lists
 * and maps element by element, values of different types are unequal (not an error). An error when
 * a list or map nests deeper than 64 levels (or contains itself).
 */
export function celEquals(a: unknown, b: unknown, depth = 0): boolean | CelError {
  // Exact, across int and double (as @bufbuild/cel): `==` compares a bigint and a number by value.
  // biome-ignore lint/suspicious/noDoubleEquals: === is false for 1n and 1, which CEL calls equal.
  if (isNumber(a)) return isNumber(b) && a == b;
  if (typeof a !== 'object' || a === null) return a === b;
  if (typeof b !== 'object' || b === null) return false;
  if (depth >= MAX_EQUAL_DEPTH) return CEL_ERROR;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) {
      const x = jsonValue(a[i]);
      const y = jsonValue(b[i]);
      if (x === CEL_ERROR || y === CEL_ERROR) return CEL_ERROR;
      const equal = celEquals(x, y, depth + 1);
      if (equal !== true) return equal;
    }
    return true;
  }
  if (Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(b, key)) return false;
    const x = jsonValue((a as Record<string, unknown>)[key]);
    const y = jsonValue((b as Record<string, unknown>)[key]);
    if (x === CEL_ERROR || y === CEL_ERROR) return CEL_ERROR;
    const equal = celEquals(x, y, depth + 1);
    if (equal !== true) return equal;
  }
  return true;
}

/**
 * CEL ordering: `-1`, `0` or `1` for two numbers (of any numeric type), two strings or two booleans
 * (`false < true`); an error otherwise. Strings compare by UTF-16 unit, as the reference TypeScript
 * implementation (`@bufbuild/cel`) does: it differs from cel-go's code point order only when a
 * character beyond U+FFFF meets one in U+E000..U+FFFF.
 */
export function celCompare(a: unknown, b: unknown): number | CelError {
  if (isNumber(a)) return isNumber(b) ? numeric(a, b) : CEL_ERROR;
  if (typeof a === 'string') {
    if (typeof b !== 'string') return CEL_ERROR;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'boolean') return typeof b === 'boolean' ? Number(a) - Number(b) : CEL_ERROR;
  return CEL_ERROR;
}

/**
 * Two numbers ordered as the reference (@bufbuild/cel) orders them: two ints exactly, an int and a
 * double as two doubles (the int converted: 2^53 + 1 is not above 2^53). Equality stays exact.
 */
function numeric(a: number | bigint, b: number | bigint): number {
  const x = typeof a === typeof b ? a : Number(a);
  const y = typeof a === typeof b ? b : Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `size(x)`: code points of a string, elements of a list, keys of a map (an `int`); an error otherwise. */
export function celSize(value: unknown): bigint | CelError {
  if (typeof value === 'string') {
    let count = value.length;
    for (let i = 0; i < value.length - 1; i++) {
      const unit = value.charCodeAt(i);
      if (unit >= 0xd800 && unit <= 0xdbff) {
        const next = value.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          count--;
          i++;
        }
      }
    }
    return BigInt(count);
  }
  if (Array.isArray(value)) return BigInt(value.length);
  if (isMap(value)) return BigInt(Object.keys(value).length);
  return CEL_ERROR;
}

/** `x in container`: an element of a list (CEL equality), a set key of a map (a string); an error otherwise. */
export function celIn(value: unknown, container: unknown): boolean | CelError {
  if (Array.isArray(container)) {
    let failed = false;
    for (const item of container) {
      const element = jsonValue(item);
      const equal = element === CEL_ERROR ? CEL_ERROR : celEquals(value, element);
      if (equal === true) return true;
      if (equal === CEL_ERROR) failed = true;
    }
    return failed ? CEL_ERROR : false;
  }
  if (isMap(container)) {
    // The keys of a JSON map are strings: a number or a bool is never one of them. A key whose value
    // is null is not set, as has() and the reference (@bufbuild/cel) read it.
    if (typeof value === 'string') return Object.hasOwn(container, value) && container[value] !== null;
    return isNumber(value) || typeof value === 'boolean' ? false : CEL_ERROR;
  }
  return CEL_ERROR;
}
