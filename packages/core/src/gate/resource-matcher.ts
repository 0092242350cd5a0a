/**
 * Compiled resource patterns: `compileResourcePattern`, the matcher the gate uses. Syntax:
 * `resource-pattern.ts`; automata: `resource-automaton.ts`; inclusion: `resource-pattern-cover.ts`.
 */
import { ArgumentInvalidError } from '../errors.js';
import { LazyDfa, Nfa } from './resource-automaton.js';
import { type PatternNode, parseResourcePattern } from './resource-pattern.js';

/** A compiled resource pattern. Not a `RegExp`: a caller could re-`compile()` one in place, even frozen. */
export interface ResourceMatcher {
  /** The pattern as the manifest wrote it (`invoice:*`). */
  readonly pattern: string;
  /** Whether `resource` (the whole id) matches. Linear in the id's length, whatever the pattern. */
  test(resource: string): boolean;
}

/**
 * Compiles a resource pattern (`invoice:*`, `order:#W[0-9]{7}`, `{crm|erp}:account:?*`) into a matcher
 * of whole resource ids. A pattern of literals and a trailing `*` (today's common case) is a string
 * comparison; any other runs on a lazily built DFA, so matching never backtracks.
 *
 * @throws ArgumentInvalidError when the pattern is not valid; the message names the character and a fix.
 * @example
 * compileResourcePattern('order:#W[0-9]{7}').test('order:#W1234567') // true
 */
export function compileResourcePattern(pattern: string): ResourceMatcher {
  const parsed = parseResourcePattern(pattern);
  if (!parsed.ok) throw new ArgumentInvalidError(`Invalid resource pattern ${parsed.problem.message}`);
  const test = fastTest(parsed.nodes) ?? dfaTest(new LazyDfa(new Nfa(parsed.nodes)));
  return Object.freeze({ pattern, test });
}

/** Literals only: equality; literals then one final `*`: a prefix test. Otherwise `undefined`. */
function fastTest(nodes: readonly PatternNode[]): ((resource: string) => boolean) | undefined {
  const last = nodes.length - 1;
  let literal = '';
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    if (node.kind === 'star' && i === last) {
      // A prefix ending in a lone high surrogate would match half of a character ("x\uD83D*" on "x😀"):
      // such a pattern runs on the automaton, which reads code points.
      const end = literal.charCodeAt(literal.length - 1);
      if (end >= 0xd800 && end <= 0xdbff) return undefined;
      return (resource) => resource.startsWith(literal);
    }
    if (node.kind !== 'set' || node.ranges.length !== 1 || node.ranges[0]![0] !== node.ranges[0]![1])
      return undefined;
    literal += String.fromCodePoint(node.ranges[0]![0]);
  }
  return (resource) => resource === literal;
}

function dfaTest(dfa: LazyDfa): (resource: string) => boolean {
  return (resource) => dfa.matches(resource);
}

/**
 * Runs `pattern` on `resource` and reports the work done (characters read plus NFA states visited
 * building DFA states). For tests that bound the cost of matching; the gate uses `compileResourcePattern`.
 *
 * @throws ArgumentInvalidError when the pattern is not valid.
 */
export function measureResourceMatch(
  pattern: string,
  resource: string,
): { matched: boolean; steps: number; nfaStates: number } {
  const parsed = parseResourcePattern(pattern);
  if (!parsed.ok) throw new ArgumentInvalidError(`Invalid resource pattern ${parsed.problem.message}`);
  const nfa = new Nfa(parsed.nodes);
  const dfa = new LazyDfa(nfa);
  const matched = dfa.matches(resource);
  return { matched, steps: dfa.work.steps, nfaStates: nfa.eps.length };
}

export { resourcePatternCovers } from './resource-pattern-cover.js';
