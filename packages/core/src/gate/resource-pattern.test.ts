import { describe, expect, it } from 'vitest';
import { ArgumentInvalidError } from '../errors.js';
import { RESOURCE_PATTERN_SHAPE } from '../manifest/resource-pattern-doc.js';
import { compileResourcePattern, measureResourceMatch, resourcePatternCovers } from './resource-matcher.js';
import { parseResourcePattern, resourcePatternProblem } from './resource-pattern.js';

/** [pattern, ids it matches, ids it does not match] */
const TABLE: [string, string[], string[]][] = [
  ['invoice:*', ['invoice:', 'invoice:INV-1', 'invoice:a:b'], ['invoice', 'Invoice:1', 'xinvoice:1']],
  ['crm:account:*', ['crm:account:42'], ['crm:contact:42', 'crm:account']],
  ['*', ['', 'anything:at all'], []],
  ['*:42', ['crm:42', ':42'], ['crm:421', 'crm:42:']],
  ['a*b*c', ['abc', 'axxbyyc', 'abbbc'], ['ab', 'acb', 'abcx']],
  ['invoice:INV-1', ['invoice:INV-1'], ['invoice:INV-10', 'invoice:INV-']],
  ['file:?.txt', ['file:a.txt', 'file:😀.txt'], ['file:.txt', 'file:ab.txt']],
  ['order:#W[0-9]{7}', ['order:#W1234567'], ['order:#W123456', 'order:#W12345678', 'order:#W123456a']],
  ['order:#W[0-9]{2,3}', ['order:#W12', 'order:#W123'], ['order:#W1', 'order:#W1234']],
  ['order:[0-9]{1,}', ['order:1', 'order:1234567890'], ['order:', 'order:1a']],
  ['user:[A-Z][a-z]*', ['user:Ann', 'user:Ab:x'], ['user:ann', 'user:A', 'user:']],
  ['crm:[^:]{1,}:x', ['crm:acct:x'], ['crm::x', 'crm:a:b:x']],
  ['[a-c0-2_-]{3}', ['a1-', '_b2'], ['d11', 'a1']],
  ['{crm|erp}:account:*', ['crm:account:1', 'erp:account:'], ['hr:account:1', 'crmerp:account:1']],
  ['doc:{a|}b', ['doc:ab', 'doc:b'], ['doc:aab']],
  ['x{ab|c}{2}', ['xabab', 'xabc', 'xcc'], ['xab', 'xabcab']],
  ['x{1{a|b}}', ['x1a', 'x1b'], ['x1', 'x{1{a|b}}']],
  ['lit:\\*\\?\\[\\]\\{\\}\\|\\\\', ['lit:*?[]{}|\\'], ['lit:a?[]{}|\\']],
  ['a[\\]\\-\\\\]', ['a]', 'a-', 'a\\'], ['a[', 'ab']],
  ['a[-z]', ['a-', 'az'], ['ay']],
  ['[😀-😂]', ['😁'], ['😃', '?']],
  ['a{0}b', ['b'], ['ab']],
];

describe('resource patterns: what they match', () => {
  for (const [pattern, yes, no] of TABLE) {
    it(`${pattern} matches ${JSON.stringify(yes)} and not ${JSON.stringify(no)}`, () => {
      const matcher = compileResourcePattern(pattern);
      for (const id of yes) expect(matcher.test(id), id).toBe(true);
      for (const id of no) expect(matcher.test(id), id).toBe(false);
    });
  }

  it('is frozen and keeps the pattern as written', () => {
    const matcher = compileResourcePattern('order:#W[0-9]{7}');
    expect(Object.isFrozen(matcher)).toBe(true);
    expect(matcher.pattern).toBe('order:#W[0-9]{7}');
  });

  it('passes the JSON Schema shape for every valid pattern of the table', () => {
    const shape = new RegExp(RESOURCE_PATTERN_SHAPE);
    for (const [pattern] of TABLE) expect(shape.test(pattern), pattern).toBe(true);
  });
});

/** [pattern, the whole message] — every problem the parser reports. */
const ERRORS: [string, string][] = [
  [
    'order:#W[0-9]{7',
    '"order:#W[0-9]{7": unclosed "{" at character 14; counted repetition is {n}, {n,m} or {n,}',
  ],
  [
    'a|b',
    '"a|b": "|" outside a group at character 2; alternatives go in braces, {a|b}; to match "|" itself write \\|',
  ],
  ['a}', '"a}": unmatched "}" at character 2; to match "}" itself write \\}'],
  ['a]', '"a]": unmatched "]" at character 2; to match "]" itself write \\]'],
  [
    'a*{3}',
    '"a*{3}": a count after "*" at character 3; "*" already matches any run of characters; a count follows a character, "?", a class or a group',
  ],
  [
    '{3}a',
    '"{3}a": a count with nothing before it at character 1; a count follows a character, "?", a class or a group; to match "{" itself write \\{',
  ],
  [
    'a{2}{3}',
    '"a{2}{3}": a second count in a row at character 5; wrap the counted part in a group to count it again: {a{2}}{3}',
  ],
  ['a\\', '"a\\\\": "\\" at the end escapes nothing at character 2; to match a backslash write \\\\'],
  [
    'a[0-9',
    '"a[0-9": unclosed "[" at character 2; a class is written [abc], [0-9] or [^:]; to match "[" itself write \\[',
  ],
  [
    '[a\\',
    '"[a\\\\": unclosed "[" at character 1; a class is written [abc], [0-9] or [^:]; to match "[" itself write \\[',
  ],
  [
    '[]',
    '"[]": empty class "[]" at character 1; a class lists at least one character; to match "[" and "]" themselves write \\[ and \\]',
  ],
  [
    '[^]',
    '"[^]": empty class "[^]" at character 1; a class lists at least one character; to match "[" and "]" themselves write \\[ and \\]',
  ],
  ['[z-a]', '"[z-a]": reversed range "z-a" at character 2; write the lower character first, as in [a-z]'],
  [
    `${'{'.repeat(17)}a${'}'.repeat(17)}`,
    `"${'{'.repeat(17)}a${'}'.repeat(17)}": groups nested more than 16 deep at character 17; flatten the groups`,
  ],
  [
    '{a|b',
    '"{a|b": unclosed "{" at character 1; a group of alternatives is written {a|b}; to match "{" itself write \\{',
  ],
  [
    '{}',
    '"{}": empty group "{}" at character 1; a group lists alternatives, {a|b}; to match "{}" itself write \\{\\}',
  ],
  ['a{,3}', '"a{,3}": malformed count "{,3}" at character 2; counted repetition is {n}, {n,m} or {n,}'],
  [
    'a{1,2,3}',
    '"a{1,2,3}": malformed count "{1,2,3}" at character 2; counted repetition is {n}, {n,m} or {n,}',
  ],
  [
    'a{101}',
    '"a{101}": count "{101}" above 100 at character 2; counts go up to 100; for longer runs use "*"',
  ],
  [
    'a{3,2}',
    '"a{3,2}": count "{3,2}" has its maximum below its minimum at character 2; write {n,m} with n <= m',
  ],
  [
    '{[0-9]{100}}{20}',
    '"{[0-9]{100}}{20}": the pattern expands to 2000 character positions once its counts are written out, more than 1000 at character 1; use smaller counts, or "*"',
  ],
  [
    'x'.repeat(1025),
    `"${'x'.repeat(60)}"…: the pattern is 1025 characters long, more than 1024 at character 1025; shorten it, for instance with "*"`,
  ],
];

describe('resource patterns: errors name the character and a fix', () => {
  for (const [pattern, message] of ERRORS) {
    it(`${pattern.slice(0, 30)}: ${message.slice(message.indexOf(': ') + 2, message.indexOf(' at character'))}`, () => {
      expect(resourcePatternProblem(pattern)).toBe(message);
      const parsed = parseResourcePattern(pattern);
      expect(parsed.ok).toBe(false);
      expect(() => compileResourcePattern(pattern)).toThrow(ArgumentInvalidError);
      expect(() => compileResourcePattern(pattern)).toThrow(`Invalid resource pattern ${message}`);
    });
  }

  it('the JSON Schema shape rejects the obviously broken ones', () => {
    const shape = new RegExp(RESOURCE_PATTERN_SHAPE);
    for (const pattern of ['a\\', 'a[0-9', '[]', 'a]', '[a\\'])
      expect(shape.test(pattern), pattern).toBe(false);
  });
});

describe('resource patterns: backward compatibility', () => {
  /** The matcher before anchored patterns: `*` any run, every other character literal, as a RegExp. */
  const legacy = (pattern: string) =>
    new RegExp(
      `^${pattern
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      's',
    );
  const patterns = ['invoice:*', 'crm:account:*', 'crm:*:note', '*', '*:*', 'a.b+c(d)$^#', 'inv*-*-2026', ''];
  const ids = [
    'invoice:1',
    'crm:account:7',
    'crm:x:note',
    '',
    ':',
    'a.b+c(d)$^#',
    'inv-1-2026',
    'invx-1-2026',
    'a\nb',
  ];

  it('every pattern of only "*" and other characters matches exactly what it matched before', () => {
    for (const pattern of patterns) {
      const matcher = compileResourcePattern(pattern);
      for (const id of ids) expect(matcher.test(id), `${pattern} ~ ${id}`).toBe(legacy(pattern).test(id));
    }
  });
});

describe('resource patterns: matching is linear in the id', () => {
  const manyStars = `${'*a'.repeat(50)}*b`; // /^.*a.*a…a.*b$/ backtracks polynomially as a RegExp

  it('reads a 10,000-character id against a 51-star pattern with one step per character once warm', () => {
    const id = 'a'.repeat(10_000);
    const short = measureResourceMatch(manyStars, id);
    const long = measureResourceMatch(manyStars, id + id);
    expect(short.matched).toBe(false);
    expect(long.matched).toBe(false);
    // Doubling the id adds exactly one step per added character: no backtracking, no rescans.
    expect(long.steps - short.steps).toBe(10_000);
    // The one-off cost of building DFA states is bounded by the NFA, not by the id.
    expect(short.steps - 10_000).toBeLessThan(short.nfaStates * short.nfaStates);
    expect(measureResourceMatch(manyStars, `${id}b`).matched).toBe(true);
  });

  it('stays linear and correct when the DFA cache overflows and starts over', () => {
    // `*a?{14}`: "the 15th character from the end is a" needs 2^15 DFA states, more than the cache holds.
    const pattern = '*a?{14}';
    const ids = Array.from({ length: 3 }, (_, k) =>
      Array.from({ length: 20_000 }, (_, i) => ((i * 7919 + k * 104_729) % 11 < 5 ? 'a' : 'b')).join(''),
    );
    for (const id of ids) {
      const measured = measureResourceMatch(pattern, id);
      expect(measured.matched).toBe(id[id.length - 15] === 'a');
      expect(measured.steps).toBeLessThan(id.length * (2 * measured.nfaStates + 2));
    }
  });

  it('a fast-path matcher (literals, then one final "*") agrees with the DFA', () => {
    expect(compileResourcePattern('invoice:*').test('invoice:😀')).toBe(true);
    expect(compileResourcePattern('in\\*v').test('in*v')).toBe(true);
    expect(compileResourcePattern('in\\*v').test('inxv')).toBe(false);
  });
});

describe('resourcePatternCovers', () => {
  const cases: [string[], string, boolean][] = [
    [['invoice:*'], 'invoice:INV-[0-9]{4}', true],
    [['invoice:*'], 'invoice:*', true],
    [['invoice:INV-*'], 'invoice:*', false],
    [['crm:*'], 'crm:contact:*', true],
    [['crm:contact:*'], 'crm:*', false],
    [['order:?????'], 'order:[0-9]', false],
    [['order:?????'], 'order:[0-9]{5}', true],
    [['a*', 'b*'], '{a|b}x', true],
    [['a*'], '{a|b}x', false],
    [['*'], '?*', true],
    [['?*'], '*', false],
    [['x[0-9]{2,3}'], 'x[0-5]{3}', true],
    [['x[0-9]{2,3}'], 'x[0-5]{3,4}', false],
    [['[^:]{1,}'], 'a:b', false],
    [['[^:]{1,}'], '[a-z]{1,}', true],
    [['[^:]*'], 'a:b', true], // "*" is any run, ":" included
    [['invoice:*'], 'invoice:[', false], // an invalid child is never covered
    [[], 'x', false],
  ];
  for (const [parents, child, expected] of cases) {
    it(`${JSON.stringify(parents)} ${expected ? 'covers' : 'does not cover'} ${child}`, () => {
      expect(resourcePatternCovers(parents, child)).toBe(expected);
    });
  }
});
