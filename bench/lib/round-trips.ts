// Part 2 of the adapter benches: one approval round trip (pause, answer, resume) per sample, with the SDK's own
// approval and with ORBIT's, interleaved in random order; the tables, and what ORBIT adds to each SDK one.
import { type Clocks, secondsSince as seconds, stopwatch } from './clock.js';
import { addedCells, medianAndP99 } from './end-to-end.js';
import { table, us } from './format.js';
import { paired, shuffled } from './stats.js';
import { freshThread } from './threads.js';

/** One approval round trip: the invoke that pauses, the answer, the invoke that resumes and runs the tool. */
export interface TimedRoundTrip<Result = unknown> {
  readonly label: string;
  /** Timed: pause, answer, resume. */
  run(threadId: string): Promise<Result>;
  after(threadId: string): Promise<void>;
  /** Per round trip, ns, one per timed round. */
  readonly samples: Clocks;
}

/** Part 2's settings. */
export interface RoundTripOptions<T extends TimedRoundTrip> {
  warmupRounds: number;
  rounds: number;
  /** The run's random order, as part 1 left it. */
  order: () => number;
  /** Untimed, after each round trip's first run: it paused and resumed as it should. */
  check(label: string, result: Awaited<ReturnType<T['run']>>): void;
}

/**
 * Part 2: checks each round trip once, times `warmupRounds + rounds` rounds of them all in a new random order
 * each, then prints them and what the last one (ORBIT's) adds to each of the others (the SDK's own).
 *
 * @throws Error from `check` when a round trip does not pause and resume.
 */
export async function roundTripsPart<T extends TimedRoundTrip>(
  trips: readonly T[],
  { warmupRounds, rounds, order, check }: RoundTripOptions<T>,
): Promise<void> {
  const started = performance.now();
  for (const trip of trips) {
    const threadId = freshThread('trip-check');
    check(trip.label, (await trip.run(threadId)) as never);
    await trip.after(threadId);
  }
  for (let round = 0; round < warmupRounds + rounds; round++) {
    for (const trip of shuffled(trips, order)) {
      const threadId = freshThread('trip');
      const read = stopwatch();
      await trip.run(threadId);
      const { wall, cpu } = read();
      await trip.after(threadId);
      if (round < warmupRounds) continue;
      trip.samples.wall.push(wall);
      trip.samples.cpu.push(cpu);
    }
  }
  const orbit = trips.at(-1)!;
  console.log(
    `\nPart 2 (${seconds(started)}): one approval round trip (pause, answer, resume), ${rounds} rounds, µs\n`,
  );
  console.log(
    table(
      ['round trip', 'wall median', 'wall p99', 'CPU median', 'CPU p99'],
      trips.map(({ label, samples }) => [label, ...medianAndP99(samples.wall), ...medianAndP99(samples.cpu)]),
    ),
  );
  console.log('\nORBIT added per round trip\n');
  console.log(
    table(
      [
        'against',
        'baseline wall µs',
        'added wall µs',
        '95% CI',
        'added wall %',
        'added CPU µs',
        '95% CI',
        'added CPU %',
      ],
      trips.slice(0, -1).map((sdk) => {
        const wall = paired(sdk.samples.wall, orbit.samples.wall);
        const cpu = paired(sdk.samples.cpu, orbit.samples.cpu);
        return [sdk.label, us(wall.base), ...addedCells(wall), ...addedCells(cpu)];
      }),
    ),
  );
}
