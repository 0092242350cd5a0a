import { Redis } from 'ioredis';

/** The Redis the tests use (ORBIT_REDIS_URL, default 127.0.0.1:6379). */
export const REDIS_URL = process.env.ORBIT_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** ORBIT_SKIP_REDIS=1 skips the Redis tests on purpose. */
export const SKIP_REDIS = process.env.ORBIT_SKIP_REDIS === '1';
const REQUIRED = process.env.ORBIT_REQUIRE_SERVICES === '1';

/**
 * True when Redis answers; otherwise a printed notice, except under ORBIT_REQUIRE_SERVICES=1 (.ci/run),
 * where it throws.
 */
export async function redisAnswers(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2_000,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return true;
  } catch (error) {
    const why = `The Redis store tests need a Redis at ${REDIS_URL}, which does not answer (${String(error)}).`;
    const how =
      'Start one (redis-server) or point ORBIT_REDIS_URL at one, and run the tests again; .ci/run starts one and requires it.';
    if (REQUIRED) throw new Error(`${why} ${how}`);
    console.warn(`[orbit] SKIPPED: ${why} ${how}`);
    return false;
  } finally {
    probe.disconnect();
  }
}
