import { createHash } from 'node:crypto';

/**
 * Canonical JSON (RFC 8785 style): object keys sorted by code unit, no whitespace, ECMAScript number
 * formatting. Two equal documents always give the same bytes, so a digest or signature over them is stable.
 *
 * @throws TypeError when the value is or holds a non-finite number, a BigInt, a function, a symbol, or
 * `undefined` at the top (as a property it is left out, in an array it becomes `null`).
 * @throws RangeError (call stack size exceeded) for a cyclic value.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot encode the number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value))
    return `[${Array.from(value, (item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value as object)
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot encode a value of type ${typeof value}`);
}

/** SHA-256 of a string or bytes, as `sha256:<hex>`. */
export function sha256(data: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}
