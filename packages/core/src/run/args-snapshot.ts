/**
 * The bounds on a tool call's arguments, checked before anything is counted. A call beyond them is
 * blocked with `input_unsupported`. Model arguments are JSON: these are far above any real call, and
 * they keep hashing, the audit log and the tool safe from hostile ones.
 */
export const INPUT_LIMITS = Object.freeze({
  /** Nesting of arrays and objects (the arguments themselves are level 1). */
  maxDepth: 64,
  /** Values in all: every object, array, Date and primitive, counted each time it is reached. */
  maxNodes: 10_000,
  /**
   * The length of the arguments as JSON, in characters (1 MiB), counted in the same pass: strings and
   * keys by their length (escapes not counted), numbers as 8.
   */
  maxJsonChars: 1_048_576,
});

/** Arguments read once into plain data, or why they cannot be. */
export type ArgsSnapshot =
  | { readonly ok: true; readonly args: unknown }
  | { readonly ok: false; readonly detail: string };

type Path = (string | number)[];

/** Raised inside the walk; each level on the way up adds its key to the path. */
class Unsupported {
  readonly path: Path = [];
  /** About the arguments as a whole (a limit), not a value at a path. */
  root = false;
  constructor(readonly problem: string) {}
  atRoot(): this {
    this.root = true;
    return this;
  }
}

interface Walk {
  nodes: number;
  chars: number;
  /** The objects and arrays being read, from the root down: a value among them is a cycle. */
  readonly ancestors: object[];
}

/**
 * Reads a call's arguments once, in one pass, into a plain snapshot: plain objects, arrays, `Date`s
 * (copied), strings, finite numbers, booleans and `null`. Every getter is read exactly once, so the
 * action hash, the audit log and the tool see the same values. As in JSON, `undefined` properties are
 * left out and `undefined` (or a hole) in an array becomes `null`; `-0` becomes `0`. Refused, naming
 * the path (`args.a.b[3]: BigInt is not supported`): BigInt, functions, symbols, non-finite numbers,
 * invalid `Date`s, any object other than a plain object, an array or a `Date` (class instances, `Map`,
 * `Set`, typed arrays, boxed primitives), cycles, getters (or proxies) that throw, and arguments beyond
 * `INPUT_LIMITS`.
 */
export function snapshotArgs(args: unknown): ArgsSnapshot {
  if (args === undefined) return OK_UNDEFINED;
  const walk: Walk = { nodes: 0, chars: 0, ancestors: [] };
  try {
    return { ok: true, args: read(args, walk) };
  } catch (caught) {
    const unsupported = caught instanceof Unsupported ? caught : threw(caught);
    return { ok: false, detail: `${pathText(unsupported.path)}: ${unsupported.problem}` };
  }
}

const OK_UNDEFINED: ArgsSnapshot = Object.freeze({ ok: true, args: undefined });

/** A getter or a proxy trap threw: the value at this path cannot be read. */
function threw(error: unknown): Unsupported {
  let message: string;
  try {
    message = error instanceof Error ? String(error.message) : String(error);
  } catch {
    message = 'an error that cannot be read'; // hostile all the way down: a throwing message or toString
  }
  return new Unsupported(`reading it threw (${clip(message)})`);
}

/** Details stay short: a hostile key or message does not fill the audit log. */
function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

function read(value: unknown, walk: Walk): unknown {
  if (++walk.nodes > INPUT_LIMITS.maxNodes) throw tooMany();
  switch (typeof value) {
    case 'string':
      walk.chars += value.length + 2;
      if (walk.chars > INPUT_LIMITS.maxJsonChars) throw tooLarge();
      return value;
    case 'boolean':
      walk.chars += 5;
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw new Unsupported(`the number ${value} is not supported`);
      walk.chars += 8;
      return value === 0 ? 0 : value;
    case 'undefined':
      walk.chars += 4;
      return null;
    case 'bigint':
      throw new Unsupported('BigInt is not supported');
    case 'symbol':
      throw new Unsupported('a symbol is not supported');
    case 'function':
      throw new Unsupported('a function is not supported');
  }
  if (value === null) {
    walk.chars += 4;
    return null;
  }
  return readObject(value as object, walk);
}

function readObject(value: object, walk: Walk): unknown {
  const { ancestors } = walk;
  if (ancestors.includes(value))
    throw new Unsupported('a cycle (a value that contains itself) is not supported');
  const proto = Object.getPrototypeOf(value);
  if (proto === Date.prototype) {
    const time = (value as Date).getTime();
    if (Number.isNaN(time)) throw new Unsupported('an invalid Date is not supported');
    walk.chars += 26;
    return new Date(time);
  }
  const isArray = Array.isArray(value);
  if (isArray ? proto !== Array.prototype : proto !== Object.prototype && proto !== null)
    throw new Unsupported(`${kindOf(value)} is not supported (only plain objects, arrays and Dates)`);
  if (ancestors.length >= INPUT_LIMITS.maxDepth)
    throw new Unsupported(`nesting deeper than ${INPUT_LIMITS.maxDepth} levels is not supported`);
  ancestors.push(value);
  const out = isArray
    ? readArray(value as unknown[], walk)
    : readPlain(value as Record<string, unknown>, walk);
  ancestors.pop();
  return out;
}

function readArray(value: unknown[], walk: Walk): unknown[] {
  const length = value.length;
  walk.chars += 1 + length;
  if (walk.chars > INPUT_LIMITS.maxJsonChars) throw tooLarge();
  const out = new Array<unknown>(length);
  for (let i = 0; i < length; i++) {
    try {
      out[i] = read(value[i], walk);
    } catch (caught) {
      throw at(caught, i);
    }
  }
  return out;
}

function readPlain(value: Record<string, unknown>, walk: Walk): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  walk.chars += 2;
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    try {
      const item = value[key];
      if (item === undefined) continue;
      walk.chars += key.length + 4;
      // Strings inline (most model arguments are flat strings): the same counts and limits as `read`.
      let copy: unknown;
      if (typeof item === 'string') {
        if (++walk.nodes > INPUT_LIMITS.maxNodes) throw tooMany();
        walk.chars += item.length + 2;
        if (walk.chars > INPUT_LIMITS.maxJsonChars) throw tooLarge();
        copy = item;
      } else copy = read(item, walk);
      // `__proto__` as an own key (as JSON.parse makes it), never the prototype.
      if (key === '__proto__')
        Object.defineProperty(out, key, {
          value: copy,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else out[key] = copy;
    } catch (caught) {
      throw at(caught, key);
    }
  }
  return out;
}

/** Adds a key to the path of a refusal on its way up (a getter's own error becomes one here). */
function at(caught: unknown, key: string | number): Unsupported {
  const unsupported = caught instanceof Unsupported ? caught : threw(caught);
  if (!unsupported.root) unsupported.path.unshift(key);
  return unsupported;
}

function tooMany(): Unsupported {
  return new Unsupported(`more than ${INPUT_LIMITS.maxNodes} values are not supported`).atRoot();
}

function tooLarge(): Unsupported {
  return new Unsupported(
    `more than ${INPUT_LIMITS.maxJsonChars} characters of JSON are not supported`,
  ).atRoot();
}

/** `a Map`, `an instance of Invoice`, `an object without a known prototype`. */
function kindOf(value: object): string {
  const name = (Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null)?.constructor
    ?.name;
  if (typeof name !== 'string' || name === '') return 'an object of an unknown class';
  if (BUILT_INS.has(name)) return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
  return `an instance of ${name}`;
}

const BUILT_INS = new Set([
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'RegExp',
  'Error',
  'Promise',
  'String',
  'Number',
  'Boolean',
  'ArrayBuffer',
  'Buffer',
  'Uint8Array',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'DataView',
  'URL',
]);

/** `args.a.b[3]`; keys that are not identifiers are quoted: `args["a b"]`. */
function pathText(path: Path): string {
  let out = 'args';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += /^[A-Za-z_$][\w$]*$/.test(key) ? `.${clip(key)}` : `[${JSON.stringify(clip(key))}]`;
  }
  return out;
}
