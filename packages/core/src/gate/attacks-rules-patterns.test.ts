import { describe, expect, it } from 'vitest';
import { compileResourcePattern, measureResourceMatch } from './resource-matcher.js';

/** Resource patterns: the fast paths mean exactly what the automaton means (code points). */

describe('attacks on the rules: resource patterns and surrogates', () => {
  it('a literal prefix ending in a lone high surrogate does not match half of a character', () => {
    const pattern = 'file:x\uD83D*';
    const resource = 'file:x\uD83D\uDE00'; // "file:x😀": its last code point is U+1F600, not U+D83D
    expect(measureResourceMatch(pattern, resource).matched).toBe(false);
    expect(compileResourcePattern(pattern).test(resource)).toBe(false);
    // A lone surrogate in the id is a code point of its own, and matches.
    expect(compileResourcePattern(pattern).test('file:x\uD83Dabc')).toBe(true);
    expect(compileResourcePattern('file:x😀*').test(resource)).toBe(true);
  });
});
