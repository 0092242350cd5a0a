/**
 * The syntax of resource patterns (`allowed_tools[].resources`): a parser from pattern text to a small
 * tree, with an error that names the character at fault and a fix. Matching lives in
 * `resource-automaton.ts`; the grammar is documented in the core README ("Resource patterns").
 *
 *   pattern  = { item }                       the whole resource id (anchored)
 *   item     = "*" | atom [ count ]
 *   atom     = literal | "?" | class | group
 *   literal  = any character but * ? [ ] { } | \  ,  or "\" followed by any character
 *   class    = "[" [ "^" ] ( char [ "-" char ] )+ "]"      char: any but ] \ , or "\" any
 *   group    = "{" pattern { "|" pattern } "}"             (any brace that is not a count)
 *   count    = "{" n "}" | "{" n "," m "}" | "{" n ",}"    (a brace holding only digits and commas)
 *
 * `*` is any run of characters (also none, also `:`); `?` is exactly one character. Characters are
 * Unicode code points.
 */

/** The longest pattern accepted, in characters (code points). */
export const MAX_RESOURCE_PATTERN_LENGTH = 1024;
/** The largest number in a count (`{n}`, `{n,m}`). */
export const MAX_RESOURCE_PATTERN_COUNT = 100;
/** The most character positions a pattern may expand to once its counts are written out. */
export const MAX_RESOURCE_PATTERN_SIZE = 1000;
/** The deepest nesting of groups. */
export const MAX_RESOURCE_PATTERN_DEPTH = 16;

/** The highest Unicode code point: `*`, `?` and negated classes range up to it. */
export const MAX_CODE_POINT = 0x10ffff;

/** A set of code points as sorted, disjoint, non-adjacent inclusive ranges `[lo, hi]`. */
export type CodePointRanges = readonly (readonly [number, number])[];

/** One node of a parsed pattern. A literal, `?` and a class are all a `set` of code points. */
export type PatternNode =
  | { readonly kind: 'star' }
  | { readonly kind: 'set'; readonly ranges: CodePointRanges }
  | { readonly kind: 'group'; readonly alternatives: readonly (readonly PatternNode[])[] }
  | {
      readonly kind: 'repeat';
      readonly node: PatternNode;
      readonly min: number;
      readonly max: number | undefined;
    };

/** What is wrong with a pattern: the 1-based character where it is, and a message that says how to fix it. */
export interface ResourcePatternProblem {
  /** 1-based position (in code points) of the character at fault. */
  readonly position: number;
  /** `"<pattern>": <problem> at character <n>; <fix>`. */
  readonly message: string;
}

/** The outcome of `parseResourcePattern`: the nodes, or the first problem. */
export type ParsedResourcePattern =
  | { readonly ok: true; readonly nodes: readonly PatternNode[]; readonly size: number }
  | { readonly ok: false; readonly problem: ResourcePatternProblem };

const ANY: CodePointRanges = [[0, MAX_CODE_POINT]];
const COUNT_CHAR = /^[0-9,]$/;
const COUNT_FORM = /^([0-9]+)(?:(,)([0-9]*))?$/;
const COUNT_HINT = 'counted repetition is {n}, {n,m} or {n,}';

class Problem {
  constructor(
    readonly index: number,
    readonly what: string,
    readonly fix: string,
  ) {}
}

/**
 * Parses a resource pattern. Never throws: a bad pattern gives `{ ok: false, problem }`.
 *
 * @example
 * parseResourcePattern('order:#W[0-9]{7}').ok // true
 * parseResourcePattern('order:#W[0-9]{7').ok  // false: unclosed "{" at character 14
 */
export function parseResourcePattern(pattern: string): ParsedResourcePattern {
  const chars = Array.from(pattern);
  try {
    if (chars.length > MAX_RESOURCE_PATTERN_LENGTH) {
      throw new Problem(
        MAX_RESOURCE_PATTERN_LENGTH,
        `the pattern is ${chars.length} characters long, more than ${MAX_RESOURCE_PATTERN_LENGTH}`,
        'shorten it, for instance with "*"',
      );
    }
    const parser = new Parser(chars);
    const nodes = parser.sequence(false, 0);
    const size = sizeOf(nodes);
    if (size > MAX_RESOURCE_PATTERN_SIZE) {
      throw new Problem(
        0,
        `the pattern expands to ${size} character positions once its counts are written out, more than ${MAX_RESOURCE_PATTERN_SIZE}`,
        'use smaller counts, or "*"',
      );
    }
    return { ok: true, nodes, size };
  } catch (error) {
    if (!(error instanceof Problem)) throw error;
    const position = error.index + 1;
    return {
      ok: false,
      problem: {
        position,
        message: `${quote(chars)}: ${error.what} at character ${position}; ${error.fix}`,
      },
    };
  }
}

/** The message of what is wrong with `pattern`, or `undefined` when it is a valid resource pattern. */
export function resourcePatternProblem(pattern: string): string | undefined {
  const parsed = parseResourcePattern(pattern);
  return parsed.ok ? undefined : parsed.problem.message;
}

class Parser {
  #i = 0;
  constructor(private readonly chars: readonly string[]) {}

  sequence(inGroup: boolean, depth: number): PatternNode[] {
    const nodes: PatternNode[] = [];
    for (;;) {
      const start = this.#i;
      const c = this.chars[start];
      if (c === undefined) return nodes;
      if (inGroup && (c === '|' || c === '}')) return nodes;
      if (c === '|')
        throw new Problem(
          start,
          '"|" outside a group',
          'alternatives go in braces, {a|b}; to match "|" itself write \\|',
        );
      if (c === '}') throw new Problem(start, 'unmatched "}"', 'to match "}" itself write \\}');
      if (c === ']') throw new Problem(start, 'unmatched "]"', 'to match "]" itself write \\]');
      if (c === '*') {
        this.#i++;
        nodes.push({ kind: 'star' });
        if (this.#countAhead()) {
          throw new Problem(
            this.#i,
            'a count after "*"',
            '"*" already matches any run of characters; a count follows a character, "?", a class or a group',
          );
        }
        continue;
      }
      if (c === '{' && this.#countAhead()) {
        throw new Problem(
          start,
          'a count with nothing before it',
          'a count follows a character, "?", a class or a group; to match "{" itself write \\{',
        );
      }
      let atom = this.#atom(depth);
      if (this.#countAhead()) {
        atom = this.#count(atom);
        if (this.#countAhead()) {
          throw new Problem(
            this.#i,
            'a second count in a row',
            'wrap the counted part in a group to count it again: {a{2}}{3}',
          );
        }
      }
      nodes.push(atom);
    }
  }

  #atom(depth: number): PatternNode {
    const start = this.#i;
    const c = this.chars[start]!;
    this.#i++;
    if (c === '?') return { kind: 'set', ranges: ANY };
    if (c === '[') return this.#class(start);
    if (c === '{') return this.#group(start, depth);
    if (c === '\\') {
      const escaped = this.chars[this.#i];
      if (escaped === undefined) {
        throw new Problem(start, '"\\" at the end escapes nothing', 'to match a backslash write \\\\');
      }
      this.#i++;
      return single(escaped);
    }
    return single(c);
  }

  #class(start: number): PatternNode {
    const negated = this.chars[this.#i] === '^';
    if (negated) this.#i++;
    const ranges: [number, number][] = [];
    const unclosed = () =>
      new Problem(
        start,
        'unclosed "["',
        'a class is written [abc], [0-9] or [^:]; to match "[" itself write \\[',
      );
    for (;;) {
      const c = this.chars[this.#i];
      if (c === undefined) throw unclosed();
      if (c === ']') {
        this.#i++;
        if (ranges.length === 0) {
          throw new Problem(
            start,
            `empty class "${negated ? '[^]' : '[]'}"`,
            'a class lists at least one character; to match "[" and "]" themselves write \\[ and \\]',
          );
        }
        const set = normalize(ranges);
        return { kind: 'set', ranges: negated ? complement(set) : set };
      }
      const loAt = this.#i;
      const lo = this.#classChar(unclosed);
      if (
        this.chars[this.#i] === '-' &&
        this.chars[this.#i + 1] !== undefined &&
        this.chars[this.#i + 1] !== ']'
      ) {
        this.#i++;
        const hi = this.#classChar(unclosed);
        if (hi < lo) {
          const text = `${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}`;
          throw new Problem(loAt, `reversed range "${text}"`, 'write the lower character first, as in [a-z]');
        }
        ranges.push([lo, hi]);
      } else {
        ranges.push([lo, lo]);
      }
    }
  }

  #classChar(unclosed: () => Problem): number {
    let c = this.chars[this.#i]!;
    this.#i++;
    if (c === '\\') {
      const escaped = this.chars[this.#i];
      if (escaped === undefined) throw unclosed();
      this.#i++;
      c = escaped;
    }
    return c.codePointAt(0)!;
  }

  #group(start: number, depth: number): PatternNode {
    if (depth + 1 > MAX_RESOURCE_PATTERN_DEPTH) {
      throw new Problem(
        start,
        `groups nested more than ${MAX_RESOURCE_PATTERN_DEPTH} deep`,
        'flatten the groups',
      );
    }
    const alternatives: PatternNode[][] = [];
    for (;;) {
      alternatives.push(this.sequence(true, depth + 1));
      const c = this.chars[this.#i];
      if (c === undefined) {
        throw new Problem(
          start,
          'unclosed "{"',
          'a group of alternatives is written {a|b}; to match "{" itself write \\{',
        );
      }
      this.#i++;
      if (c === '}') break;
    }
    if (alternatives.length === 1 && alternatives[0]!.length === 0) {
      throw new Problem(
        start,
        'empty group "{}"',
        'a group lists alternatives, {a|b}; to match "{}" itself write \\{\\}',
      );
    }
    return { kind: 'group', alternatives };
  }

  /**
   * True when a `{` at the cursor opens a count: after it come only digits and commas (at least one),
   * up to a `}` or the end of the pattern (an unclosed count). Any other brace opens a group.
   */
  #countAhead(): boolean {
    if (this.chars[this.#i] !== '{') return false;
    let j = this.#i + 1;
    while (j < this.chars.length && COUNT_CHAR.test(this.chars[j]!)) j++;
    return j > this.#i + 1 && (j === this.chars.length || this.chars[j] === '}');
  }

  #count(node: PatternNode): PatternNode {
    const start = this.#i;
    let text = '';
    let j = start + 1;
    for (; j < this.chars.length && this.chars[j] !== '}'; j++) text += this.chars[j];
    if (j >= this.chars.length) throw new Problem(start, 'unclosed "{"', COUNT_HINT);
    const form = COUNT_FORM.exec(text);
    if (!form) throw new Problem(start, `malformed count "{${text}}"`, COUNT_HINT);
    this.#i = j + 1;
    const min = Number(form[1]);
    const max = form[2] === undefined ? min : form[3] === '' ? undefined : Number(form[3]);
    if (min > MAX_RESOURCE_PATTERN_COUNT || (max ?? 0) > MAX_RESOURCE_PATTERN_COUNT) {
      throw new Problem(
        start,
        `count "{${text}}" above ${MAX_RESOURCE_PATTERN_COUNT}`,
        `counts go up to ${MAX_RESOURCE_PATTERN_COUNT}; for longer runs use "*"`,
      );
    }
    if (max !== undefined && max < min) {
      throw new Problem(
        start,
        `count "{${text}}" has its maximum below its minimum`,
        'write {n,m} with n <= m',
      );
    }
    return { kind: 'repeat', node, min, max };
  }
}

/** The pattern as JSON, cut after 60 characters so a message stays readable. */
function quote(chars: readonly string[]): string {
  return chars.length <= 60
    ? JSON.stringify(chars.join(''))
    : `${JSON.stringify(chars.slice(0, 60).join(''))}…`;
}

function single(c: string): PatternNode {
  const cp = c.codePointAt(0)!;
  return { kind: 'set', ranges: [[cp, cp]] };
}

/** Sorts and merges ranges into disjoint, non-adjacent ones. */
function normalize(ranges: [number, number][]): CodePointRanges {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(ranges: CodePointRanges): CodePointRanges {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

/** How many character positions the nodes expand to (the size of the automaton they compile to). */
function sizeOf(nodes: readonly PatternNode[]): number {
  let size = 0;
  for (const node of nodes) size += nodeSize(node);
  return size;
}

function nodeSize(node: PatternNode): number {
  switch (node.kind) {
    case 'star':
    case 'set':
      return 1;
    case 'group':
      return node.alternatives.reduce((sum, alternative) => sum + sizeOf(alternative), 0) || 1;
    case 'repeat':
      return nodeSize(node.node) * Math.max(1, node.max ?? node.min + 1);
  }
}
