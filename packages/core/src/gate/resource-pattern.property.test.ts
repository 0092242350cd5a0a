import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RESOURCE_PATTERN_SHAPE } from '../manifest/resource-pattern-doc.js';
import { compileResourcePattern, resourcePatternCovers } from './resource-matcher.js';
import { parseResourcePattern } from './resource-pattern.js';

/**
 * The test's own model of a pattern, rendered to text and matched by a plain recursive matcher: the
 * parser and the automata are checked against it, never against themselves.
 */
type Node =
  | { t: 'star' }
  | { t: 'lit'; c: string }
  | { t: 'any' }
  | { t: 'class'; neg: boolean; items: [string, string][] }
  | { t: 'group'; alts: Node[][] }
  | { t: 'rep'; node: Node; min: number; max: number | undefined };

const ALPHABET = ['a', 'b', '1', ':', '-', '*', '?', '[', ']', '{', '}', '|', '\\', ',', '😀'];
const SPECIAL = new Set(['*', '?', '[', ']', '{', '}', '|', '\\']);
const arbChar = fc.constantFrom(...ALPHABET);

const { pattern: arbPattern } = fc.letrec<{ pattern: Node[]; atom: Node; node: Node }>((tie) => ({
  pattern: fc.array(tie('node'), { maxLength: 5 }),
  node: fc.oneof(
    { weight: 2, arbitrary: fc.constant<Node>({ t: 'star' }) },
    { weight: 5, arbitrary: tie('atom') },
    {
      weight: 2,
      arbitrary: fc
        .tuple(tie('atom'), fc.nat({ max: 3 }), fc.option(fc.nat({ max: 2 }), { nil: undefined }))
        .map(
          ([node, min, extra]): Node => ({
            t: 'rep',
            node,
            min,
            max: extra === undefined ? undefined : min + extra,
          }),
        ),
    },
  ),
  atom: fc.oneof(
    { depthSize: 'small', maxDepth: 3, withCrossShrink: true },
    { weight: 6, arbitrary: arbChar.map((c): Node => ({ t: 'lit', c })) },
    { weight: 2, arbitrary: fc.constant<Node>({ t: 'any' }) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.boolean(), fc.array(fc.tuple(arbChar, arbChar), { minLength: 1, maxLength: 3 }))
        .map(
          ([neg, pairs]): Node => ({
            t: 'class',
            neg,
            items: pairs.map(([x, y]) => (x.codePointAt(0)! <= y.codePointAt(0)! ? [x, y] : [y, x])),
          }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(tie('pattern'), { minLength: 1, maxLength: 3 })
        .map((alts): Node => ({ t: 'group', alts })),
    },
  ),
}));

function render(nodes: readonly Node[]): string {
  return nodes.map(renderNode).join('');
}

function renderNode(node: Node): string {
  switch (node.t) {
    case 'star':
      return '*';
    case 'any':
      return '?';
    case 'lit':
      return SPECIAL.has(node.c) ? `\\${node.c}` : node.c;
    case 'class': {
      const esc = (c: string) => (/[a-z0-9😀]/u.test(c) ? c : `\\${c}`);
      const items = node.items.map(([lo, hi]) => (lo === hi ? esc(lo) : `${esc(lo)}-${esc(hi)}`));
      return `[${node.neg ? '^' : ''}${items.join('')}]`;
    }
    case 'group': {
      const inner = node.alts.map(render).join('|');
      // A brace holding only digits and commas is a count: escape its first character to keep it a group.
      const text = /^[0-9,]+$/.test(inner) ? `\\${inner}` : inner;
      return text === '' ? '{|}' : `{${text}}`;
    }
    case 'rep': {
      const count =
        node.max === undefined
          ? `{${node.min},}`
          : node.max === node.min
            ? `{${node.min}}`
            : `{${node.min},${node.max}}`;
      return renderNode(node.node) + count;
    }
  }
}

/** The positions where `nodes` can end when it starts at `from` in `s` (code points). */
function ends(nodes: readonly Node[], s: readonly string[], from: number): Set<number> {
  let at = new Set([from]);
  for (const node of nodes) {
    const next = new Set<number>();
    for (const position of at) for (const end of nodeEnds(node, s, position)) next.add(end);
    at = next;
  }
  return at;
}

function nodeEnds(node: Node, s: readonly string[], from: number): Set<number> {
  const one = (ok: (c: string) => boolean) => new Set(from < s.length && ok(s[from]!) ? [from + 1] : []);
  switch (node.t) {
    case 'star':
      return new Set(Array.from({ length: s.length - from + 1 }, (_, k) => from + k));
    case 'any':
      return one(() => true);
    case 'lit':
      return one((c) => c === node.c);
    case 'class':
      return one((c) => {
        const cp = c.codePointAt(0)!;
        return (
          node.neg !== node.items.some(([lo, hi]) => lo.codePointAt(0)! <= cp && cp <= hi.codePointAt(0)!)
        );
      });
    case 'group': {
      const out = new Set<number>();
      for (const alt of node.alts) for (const end of ends(alt, s, from)) out.add(end);
      return out;
    }
    case 'rep': {
      let at = new Set([from]);
      for (let i = 0; i < node.min; i++) at = stepAll(node.node, s, at);
      const out = new Set(at);
      const limit = node.max ?? s.length + 1;
      for (let i = node.min; i < limit && at.size > 0; i++) {
        at = stepAll(node.node, s, at);
        const before = out.size;
        for (const end of at) out.add(end);
        if (node.max === undefined && out.size === before) break;
      }
      return out;
    }
  }
}

function stepAll(node: Node, s: readonly string[], at: Set<number>): Set<number> {
  const out = new Set<number>();
  for (const position of at) for (const end of nodeEnds(node, s, position)) out.add(end);
  return out;
}

function referenceMatches(nodes: readonly Node[], id: string): boolean {
  const s = Array.from(id);
  return ends(nodes, s, 0).has(s.length);
}

/** An id the pattern matches, mostly (a random walk through it; a class may fall back to a non-member). */
function sample(nodes: readonly Node[], pick: () => number): string {
  let out = '';
  for (const node of nodes) out += sampleNode(node, pick);
  return out;
}

function sampleNode(node: Node, pick: () => number): string {
  const any = () => ALPHABET[pick() % ALPHABET.length]!;
  switch (node.t) {
    case 'star':
      return Array.from({ length: pick() % 3 }, any).join('');
    case 'any':
      return any();
    case 'lit':
      return node.c;
    case 'class': {
      for (let k = 0; k < 20; k++) {
        const c = any();
        const cp = c.codePointAt(0)!;
        if (node.neg !== node.items.some(([lo, hi]) => lo.codePointAt(0)! <= cp && cp <= hi.codePointAt(0)!))
          return c;
      }
      return node.neg ? '\u0001' : node.items[0]![0]; // below every character of ALPHABET
    }
    case 'group':
      return sample(node.alts[pick() % node.alts.length]!, pick);
    case 'rep': {
      const times = node.min + (pick() % ((node.max ?? node.min + 2) - node.min + 1));
      return Array.from({ length: times }, () => sampleNode(node.node, pick)).join('');
    }
  }
}

const arbId = fc.array(arbChar, { maxLength: 10 }).map((cs) => cs.join(''));
const arbPick = fc.infiniteStream(fc.nat({ max: 1000 })).map((stream) => {
  const it = stream[Symbol.iterator]();
  return () => it.next().value as number;
});

describe('resource patterns agree with a reference matcher', () => {
  it('on random patterns and ids (random ids and ids sampled from the pattern)', () => {
    fc.assert(
      fc.property(arbPattern, fc.array(arbId, { maxLength: 6 }), arbPick, (nodes, ids, pick) => {
        const text = render(nodes);
        const parsed = parseResourcePattern(text);
        expect(parsed.ok, text).toBe(true);
        expect(new RegExp(RESOURCE_PATTERN_SHAPE).test(text) || text === '', text).toBe(true);
        const matcher = compileResourcePattern(text);
        const samples = [sample(nodes, pick), sample(nodes, pick)];
        for (const id of [...ids, ...samples]) {
          expect(matcher.test(id), `${text} ~ ${JSON.stringify(id)}`).toBe(referenceMatches(nodes, id));
        }
        for (const id of samples) expect(referenceMatches(nodes, id), `${text} samples ${id}`).toBe(true);
      }),
      { numRuns: 500 },
    );
  }, 60_000); // about 1 s alone; a hang guard for a loaded CI machine (a slow seed took 46 s there at 1,500 runs)

  it('resourcePatternCovers is sound: an id the child matches is matched by a parent whenever it says so', () => {
    fc.assert(
      fc.property(
        fc.array(arbPattern, { minLength: 1, maxLength: 2 }),
        arbPattern,
        arbPick,
        (parents, child, pick) => {
          const parentTexts = parents.map(render);
          const covered = resourcePatternCovers(parentTexts, render(child));
          const ids = Array.from({ length: 8 }, () => sample(child, pick));
          const inParents = (id: string) => parents.some((parent) => referenceMatches(parent, id));
          if (covered)
            for (const id of ids)
              expect(inParents(id), `${parentTexts} ⊇ ${render(child)} ∌ ${id}`).toBe(true);
          // A pattern always covers itself, and "*" covers everything.
          expect(resourcePatternCovers([render(child)], render(child))).toBe(true);
          expect(resourcePatternCovers(['*'], render(child))).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('resourcePatternCovers is exact on star-free patterns: "no" comes with a witness the test can find', () => {
    // Over a tiny alphabet and short lengths, enumerate every id: the answer must equal brute force.
    const tiny = ['a', 'b', 'c'];
    const all: string[] = [''];
    for (let length = 1; length <= 6; length++) {
      for (const prefix of all.filter((id) => id.length === length - 1))
        for (const c of tiny) all.push(prefix + c);
    }
    const arbTiny = fc
      .array(fc.constantFrom('a', 'b', '?', '[ab]', '[^a]', '{a|b}', 'a{0,2}', '{ab|b}'), { maxLength: 3 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(arbTiny, arbTiny, (parent, child) => {
        const p = compileResourcePattern(parent);
        const c = compileResourcePattern(child);
        const brute = all.every((id) => !c.test(id) || p.test(id));
        expect(resourcePatternCovers([parent], child), `${parent} ⊇ ${child}`).toBe(brute);
      }),
      { numRuns: 500 },
    );
  });
});
