import { createHash } from 'node:crypto';
import { ArgumentInvalidError } from './errors.js';

/**
 * Canonical JSON (RFC 8785 style): object keys sorted by code unit, no whitespace, ECMAScript number
 * formatting. Two equal documents always give the same bytes, so a digest or signature over them is stable.
 * A `Date` is written as its ISO 8601 string (`toISOString()`), so two different instants never give
 * the same text. Other objects are written as their own enumerable string keys, like `JSON.stringify`.
 *
 * @throws ArgumentInvalidError naming the path (`value.a[2]`) when the value is or holds a non-finite
 * number, a BigInt, a function, a symbol, an invalid `Date`, a cycle, or `undefined` at the top (as a
 * property it is left out, in an array it becomes `null`), or is nested too deeply to walk.
 */
export function canonicalJson(value: unknown): string {
  try {
    return encode(value, [], 'value');
  } catch (error) {
    if (error instanceof RangeError) {
      throw new ArgumentInvalidError('canonical JSON cannot encode the value: it is nested too deeply.', {
        cause: error,
      });
    }
    throw error;
  }
}

function encode(value: unknown, ancestors: object[], path: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) refuse(path, `the number ${value}`);
    return JSON.stringify(value);
  }
  if (typeof value !== 'object') refuse(path, UNENCODABLE[typeof value] ?? typeof value);
  if (ancestors.includes(value)) refuse(path, 'a cycle (a value that contains itself)');
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) refuse(path, 'an invalid Date');
    return JSON.stringify(value.toISOString());
  }
  ancestors.push(value);
  let text: string;
  if (Array.isArray(value)) {
    text = `[${Array.from(value, (item, i) => encode(item === undefined ? null : item, ancestors, `${path}[${i}]`)).join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    const entries: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const item = record[key]; // read once: a getter is asked one time
      if (item !== undefined)
        entries.push(`${JSON.stringify(key)}:${encode(item, ancestors, `${path}.${key}`)}`);
    }
    text = `{${entries.join(',')}}`;
  }
  ancestors.pop();
  return text;
}

const UNENCODABLE: Record<string, string> = {
  bigint: 'a BigInt',
  function: 'a function',
  symbol: 'a symbol',
  undefined: 'undefined',
};

function refuse(path: string, what: string): never {
  throw new ArgumentInvalidError(`canonical JSON cannot encode ${what} (at ${path}).`);
}

/** SHA-256 of a string or bytes, as `sha256:<hex>`. */
export function sha256(data: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
