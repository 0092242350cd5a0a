/**
 * Inclusion of resource patterns: whether every id one pattern matches is matched by one of others.
 * Trust tokens use it so a sub-agent's resources stay within its parent's.
 */
import { Nfa, type Work } from './resource-automaton.js';
import { MAX_CODE_POINT, type PatternNode, parseResourcePattern } from './resource-pattern.js';

/** The most DFA states either side may build, and the most state pairs the search may visit. */
const MAX_DFA_STATES = 4096;
const MAX_PAIRS = 20_000;
/** The most NFA work (states visited) the search may do. */
const MAX_WORK = 1_000_000;

class TooLarge extends Error {}

/** A subset-construction DFA over given classes of code points, built as the search needs it. */
class SubsetDfa {
  readonly #nfa: Nfa;
  readonly #boundaries: readonly number[];
  readonly #index = new Map<string, number>();
  readonly #sets: Int32Array[] = [];
  readonly accepting: boolean[] = [];
  /** States from which every continuation is accepted (they hold a `*` that ends the pattern). */
  readonly universal: boolean[] = [];
  readonly #loops: Set<number>;
  readonly #transitions: Int32Array[] = [];
  readonly start: number;

  constructor(
    nfa: Nfa,
    boundaries: readonly number[],
    private readonly work: Work,
  ) {
    this.#nfa = nfa;
    this.#boundaries = boundaries;
    this.#loops = universalLoops(nfa, work);
    this.start = this.#intern(nfa.closure([nfa.start], work));
  }

  /** Whether no id can be accepted from `state` (it has no consuming states and does not accept). */
  dead(state: number): boolean {
    return this.#sets[state]!.length === 0 && !this.accepting[state];
  }

  next(state: number, cls: number): number {
    const known = this.#transitions[state]![cls]!;
    if (known >= 0) return known;
    const cp = this.#boundaries[cls]!;
    const target = this.#intern(
      this.#nfa.closure(this.#nfa.step(this.#sets[state]!, cp, this.work), this.work),
    );
    this.#transitions[state]![cls] = target;
    if (this.work.steps > MAX_WORK) throw new TooLarge();
    return target;
  }

  #intern(closure: { states: Int32Array; accepts: boolean }): number {
    const key = `${closure.accepts ? 1 : 0}:${closure.states.join(',')}`;
    const known = this.#index.get(key);
    if (known !== undefined) return known;
    if (this.#sets.length >= MAX_DFA_STATES) throw new TooLarge();
    this.#sets.push(closure.states);
    this.accepting.push(closure.accepts);
    this.universal.push(closure.states.some((state) => this.#loops.has(state)));
    this.#transitions.push(new Int32Array(this.#boundaries.length).fill(-1));
    this.#index.set(key, this.#sets.length - 1);
    return this.#sets.length - 1;
  }
}

/**
 * The consuming states that read any character and come back to themselves with the pattern able to
 * end there: a `*` with nothing required after it. A DFA state holding one accepts every continuation.
 */
function universalLoops(nfa: Nfa, work: Work): Set<number> {
  const loops = new Set<number>();
  nfa.ranges.forEach((ranges, state) => {
    if (ranges?.length !== 1 || ranges[0]![0] !== 0 || ranges[0]![1] !== MAX_CODE_POINT) return;
    const after = nfa.closure([nfa.next[state]!], work);
    if (after.accepts && after.states.includes(state)) loops.add(state);
  });
  return loops;
}

/**
 * True when every resource id `pattern` matches is matched by at least one of `parents`: the child's
 * language is within the union of the parents'. Decided exactly, by searching the product of the
 * child's DFA and the parents' for an id the child matches and no parent does. When the search would
 * grow past its bounds (thousands of states: far beyond patterns written by hand), or any pattern is
 * invalid, the answer is `false`, so it is never "yes" when it should be "no".
 *
 * @example
 * resourcePatternCovers(['invoice:*'], 'invoice:INV-[0-9]{4}') // true
 * resourcePatternCovers(['order:?????'], 'order:[0-9]')        // false: "order:1" is not 5 characters
 */
export function resourcePatternCovers(parents: readonly string[], pattern: string): boolean {
  if (parents.includes(pattern)) return parseResourcePattern(pattern).ok;
  const child = parseResourcePattern(pattern);
  if (!child.ok || parents.length === 0) return false;
  const alternatives: PatternNode[][] = [];
  for (const parent of parents) {
    const parsed = parseResourcePattern(parent);
    if (!parsed.ok) return false;
    alternatives.push([...parsed.nodes]);
  }
  const a = new Nfa(child.nodes);
  const b = new Nfa([{ kind: 'group', alternatives }]);
  // Classes of code points neither automaton tells apart: one representative (the lower bound) each.
  const boundaries = [...new Set([...a.boundaries, ...b.boundaries])].sort((x, y) => x - y);
  const work: Work = { steps: 0 };
  try {
    const da = new SubsetDfa(a, boundaries, work);
    const db = new SubsetDfa(b, boundaries, work);
    const seen = new Set<number>([da.start * MAX_DFA_STATES + db.start]);
    const stack: [number, number][] = [[da.start, db.start]];
    while (stack.length > 0) {
      const [x, y] = stack.pop()!;
      if (db.universal[y]) continue; // the parents accept whatever follows
      if (da.accepting[x] && !db.accepting[y]) return false; // an id the child matches and no parent does
      for (let cls = 0; cls < boundaries.length; cls++) {
        const nx = da.next(x, cls);
        if (da.dead(nx)) continue;
        const ny = db.next(y, cls);
        const key = nx * MAX_DFA_STATES + ny;
        if (seen.has(key)) continue;
        if (seen.size >= MAX_PAIRS) return false;
        seen.add(key);
        stack.push([nx, ny]);
      }
    }
    return true;
  } catch (error) {
    if (error instanceof TooLarge) return false;
    throw error;
  }
}
