/**
 * Resource patterns compiled to automata: a Thompson NFA built from the parsed pattern, run as a DFA
 * that is built lazily and cached (the RE2 approach). Matching reads each character of the resource
 * id once and never backtracks, so it is linear in the id's length whatever the pattern; building a
 * DFA state costs at most the size of the NFA, which the parser bounds (`MAX_RESOURCE_PATTERN_SIZE`).
 */
import type { CodePointRanges, PatternNode } from './resource-pattern.js';
import { MAX_CODE_POINT } from './resource-pattern.js';

const ANY: CodePointRanges = [[0, MAX_CODE_POINT]];

/** A Thompson NFA over code points: each state has ε-edges and at most one consuming edge. */
export class Nfa {
  /** ε-edges of each state. */
  readonly eps: number[][] = [];
  /** The code points a state's consuming edge reads (`undefined`: it has none). */
  readonly ranges: (CodePointRanges | undefined)[] = [];
  /** Where a state's consuming edge leads. */
  readonly next: number[] = [];
  readonly start: number;
  readonly accept: number;
  /** The lower bound of each class of code points no edge tells apart, sorted; the first is 0. */
  readonly boundaries: readonly number[];

  constructor(nodes: readonly PatternNode[]) {
    this.start = this.#state();
    this.accept = this.#sequence(nodes, this.start);
    const bounds = new Set<number>([0]);
    for (const ranges of this.ranges) {
      for (const [lo, hi] of ranges ?? []) {
        bounds.add(lo);
        if (hi < MAX_CODE_POINT) bounds.add(hi + 1);
      }
    }
    this.boundaries = [...bounds].sort((a, b) => a - b);
  }

  #state(): number {
    this.eps.push([]);
    this.ranges.push(undefined);
    this.next.push(-1);
    return this.eps.length - 1;
  }

  #consume(from: number, ranges: CodePointRanges, to: number): void {
    const state = this.#state();
    this.eps[from]!.push(state);
    this.ranges[state] = ranges;
    this.next[state] = to;
  }

  #sequence(nodes: readonly PatternNode[], from: number): number {
    let at = from;
    for (const node of nodes) at = this.#node(node, at);
    return at;
  }

  /** Adds the states of `node` after `from`; returns the state it ends in. */
  #node(node: PatternNode, from: number): number {
    switch (node.kind) {
      case 'star': {
        const loop = this.#state();
        this.eps[from]!.push(loop);
        this.#consume(loop, ANY, loop);
        return loop;
      }
      case 'set': {
        const end = this.#state();
        this.#consume(from, node.ranges, end);
        return end;
      }
      case 'group': {
        const end = this.#state();
        for (const alternative of node.alternatives) this.eps[this.#sequence(alternative, from)]!.push(end);
        return end;
      }
      case 'repeat': {
        let at = from;
        for (let i = 0; i < node.min; i++) at = this.#node(node.node, at);
        if (node.max === undefined) {
          const loop = this.#state();
          this.eps[at]!.push(loop);
          this.eps[this.#node(node.node, loop)]!.push(loop);
          return loop;
        }
        for (let i = node.min; i < node.max; i++) {
          const end = this.#state();
          this.eps[at]!.push(end);
          this.eps[this.#node(node.node, at)]!.push(end);
          at = end;
        }
        return at;
      }
    }
  }

  /** The class of code point `cp` (an index into `boundaries`). */
  classOf(cp: number): number {
    const b = this.boundaries;
    let lo = 0;
    let hi = b.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (b[mid]! <= cp) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * The consuming states reachable by ε-edges from `states` (sorted), and whether the accepting state
   * is. `work` counts the states visited, for tests that bound the cost.
   */
  closure(states: Iterable<number>, work: Work): { states: Int32Array; accepts: boolean } {
    const seen = new Set<number>();
    const stack = [...states];
    const out: number[] = [];
    let accepts = false;
    while (stack.length > 0) {
      const state = stack.pop()!;
      if (seen.has(state)) continue;
      seen.add(state);
      work.steps++;
      if (state === this.accept) accepts = true;
      if (this.ranges[state] !== undefined) out.push(state);
      for (const to of this.eps[state]!) if (!seen.has(to)) stack.push(to);
    }
    out.sort((a, b) => a - b);
    return { states: Int32Array.from(out), accepts };
  }

  /** The states after reading code point `cp` from the consuming `states`, before their closure. */
  step(states: Int32Array, cp: number, work: Work): number[] {
    const out: number[] = [];
    for (const state of states) {
      work.steps++;
      if (inRanges(this.ranges[state]!, cp)) out.push(this.next[state]!);
    }
    return out;
  }
}

/** A counter of the work an automaton did (states visited, characters read). */
export interface Work {
  steps: number;
}

function inRanges(ranges: CodePointRanges, cp: number): boolean {
  for (const [lo, hi] of ranges) {
    if (cp < lo) return false;
    if (cp <= hi) return true;
  }
  return false;
}

/** The most transitions (states × classes) a matcher's DFA cache holds before it starts over. */
const MAX_CACHED_TRANSITIONS = 64 * 1024;

/**
 * A DFA built lazily from an NFA: a state is a set of NFA states, a transition is computed the first
 * time it is taken and cached. The cache is bounded; when full it is emptied and refilled, so the
 * memory is bounded and matching stays linear (each character then costs at most one NFA step).
 */
export class LazyDfa {
  readonly #nfa: Nfa;
  readonly #classes: number;
  readonly #maxStates: number;
  readonly #ascii: Uint16Array;
  #index = new Map<string, number>();
  #sets: Int32Array[] = [];
  #accepting: boolean[] = [];
  #transitions: Int32Array[] = [];
  #start = -1;
  /** Total work done: characters read plus NFA states visited while building DFA states. */
  readonly work: Work = { steps: 0 };

  constructor(nfa: Nfa) {
    this.#nfa = nfa;
    this.#classes = nfa.boundaries.length;
    this.#maxStates = Math.max(16, Math.floor(MAX_CACHED_TRANSITIONS / this.#classes));
    this.#ascii = new Uint16Array(128);
    for (let cp = 0; cp < 128; cp++) this.#ascii[cp] = nfa.classOf(cp);
  }

  /** Whether the whole of `input` is in the pattern's language. */
  matches(input: string): boolean {
    if (this.#start < 0) this.#start = this.#intern(this.#nfa.closure([this.#nfa.start], this.work));
    let state = this.#start;
    const length = input.length;
    for (let i = 0; i < length; i++) {
      let cp = input.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < length) {
        const low = input.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = (cp - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
          i++;
        }
      }
      this.work.steps++;
      const cls = cp < 128 ? this.#ascii[cp]! : this.#nfa.classOf(cp);
      let next = this.#transitions[state]![cls]!;
      if (next < 0) next = this.#build(state, cls);
      if (this.#sets[next]!.length === 0 && !this.#accepting[next]) return false; // dead: nothing can match
      state = next;
    }
    return this.#accepting[state]!;
  }

  #build(state: number, cls: number): number {
    const set = this.#sets[state]!;
    const target = this.#nfa.closure(this.#nfa.step(set, this.#nfa.boundaries[cls]!, this.work), this.work);
    if (this.#sets.length >= this.#maxStates) {
      // The cache is full: start it over, keeping only the start state (so `state` is gone: do not cache into it).
      this.#index = new Map();
      this.#sets = [];
      this.#accepting = [];
      this.#transitions = [];
      this.#start = this.#intern(this.#nfa.closure([this.#nfa.start], this.work));
      return this.#intern(target);
    }
    const next = this.#intern(target);
    this.#transitions[state]![cls] = next;
    return next;
  }

  #intern(closure: { states: Int32Array; accepts: boolean }): number {
    const key = `${closure.accepts ? 1 : 0}:${closure.states.join(',')}`;
    const known = this.#index.get(key);
    if (known !== undefined) return known;
    const id = this.#sets.length;
    this.#sets.push(closure.states);
    this.#accepting.push(closure.accepts);
    this.#transitions.push(new Int32Array(this.#classes).fill(-1));
    this.#index.set(key, id);
    return id;
  }
}
