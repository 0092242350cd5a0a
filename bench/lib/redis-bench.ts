// What the Redis measurements need around them: a probe that says whether Redis answers, a count of the
// commands a client sends (how many round trips a call costs), and the removal of the bench's keys.
import { Redis, type RedisOptions } from 'ioredis';

/** The Redis the benches use: ORBIT_REDIS_URL, else the local one. */
export const REDIS_URL = process.env.ORBIT_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A connected client with `options`, or why there is none (the caller skips its Redis rows).
 *
 * @example
 * const probe = await connectRedis(RedisStore.clientOptions(1_000));
 * if ('reason' in probe) skipped.push(probe.reason);
 */
export async function connectRedis(options: RedisOptions): Promise<{ client: Redis } | { reason: string }> {
  const client = new Redis(REDIS_URL, { ...options, lazyConnect: true });
  let cause: Error | undefined; // the connection's own error (ECONNREFUSED) says more than the failed connect
  client.on('error', (error: Error) => {
    cause ??= error;
  });
  try {
    await client.connect();
    await client.ping();
    return { client };
  } catch (error) {
    client.disconnect();
    return { reason: `Redis at ${REDIS_URL} does not answer (${(cause ?? (error as Error)).message})` };
  }
}

/** Commands by name (`evalsha`, `eval`, ...), and the first argument of the last `evalsha` (a script's SHA-1). */
export interface CommandCount {
  readonly byName: Map<string, number>;
  lastSha?: string;
  total(): number;
}

/**
 * Counts what `client` sends while `work` runs, by wrapping its `sendCommand` (removed after), so that
 * timed rounds never pay for the count.
 *
 * @example
 * const count = await countCommands(client, () => run.guardAsync(request));
 * count.byName.get('evalsha'); // 1: one round trip
 */
export async function countCommands(client: Redis, work: () => Promise<unknown>): Promise<CommandCount> {
  const count: CommandCount = {
    byName: new Map(),
    total() {
      let sum = 0;
      for (const n of this.byName.values()) sum += n;
      return sum;
    },
  };
  const send = client.sendCommand.bind(client);
  const counting = (...args: Parameters<Redis['sendCommand']>) => {
    const [command] = args;
    count.byName.set(command.name, (count.byName.get(command.name) ?? 0) + 1);
    if (command.name === 'evalsha') count.lastSha = String(command.args[0]);
    return send(...args);
  };
  Object.defineProperty(client, 'sendCommand', { value: counting, configurable: true, writable: true });
  try {
    await work();
  } finally {
    delete (client as { sendCommand?: unknown }).sendCommand;
  }
  return count;
}

/** Deletes every key under `prefix:` (SCAN and UNLINK), for the bench's own keys only. */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
}
