/**
 * The calls a run remembers, bounded: two generations of at most `capacity / 2` entries each, so a
 * lookup is two map reads and forgetting is dropping a map (no per-entry eviction work). Pinned
 * entries (calls waiting for a human) are never forgotten until unpinned.
 */
export class CallTable<T> {
  private current = new Map<string, T>();
  private previous = new Map<string, T>();
  private readonly pinned = new Map<string, T>();
  private readonly generation: number;

  constructor(capacity: number) {
    this.generation = Math.max(1, Math.ceil(capacity / 2));
  }

  get(id: string): T | undefined {
    return this.current.get(id) ?? this.previous.get(id) ?? this.pinned.get(id);
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  set(id: string, value: T): void {
    if (this.current.size >= this.generation) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(id, value);
  }

  /** Keeps an entry whatever the capacity, until `unpin`. */
  pin(id: string, value: T): void {
    this.pinned.set(id, value);
  }

  unpin(id: string): void {
    this.pinned.delete(id);
  }

  delete(id: string): void {
    this.current.delete(id);
    this.previous.delete(id);
    this.pinned.delete(id);
  }

  /** How many entries it holds (both generations and the pinned). */
  get size(): number {
    return this.current.size + this.previous.size + this.pinned.size;
  }

  /** Every entry it holds, each once. */
  *entries(): IterableIterator<[string, T]> {
    const seen = new Set<string>();
    for (const map of [this.pinned, this.current, this.previous]) {
      for (const entry of map) {
        if (seen.has(entry[0])) continue;
        seen.add(entry[0]);
        yield entry;
      }
    }
  }

  /** The pinned entries. */
  pinnedValues(): IterableIterator<T> {
    return this.pinned.values();
  }
}
