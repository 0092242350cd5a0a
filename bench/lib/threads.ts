// Fresh thread ids for a bench run: every invoke, round trip and profiled run takes up a new thread.

let seq = 0;

/** The next number of the run's one sequence (thread ids, call ids). */
export const nextSeq = (): number => seq++;

/**
 * A thread id no other in this process has: `prefix` and the next number.
 *
 * @example
 * freshThread('trip'); // 'trip-42'
 */
export const freshThread = (prefix: string): string => `${prefix}-${seq++}`;
