import { existsSync } from 'node:fs';
import type { RunStore } from '@orbit-agents/core/stores';
import { CliError, EXIT } from './cli-error.js';

/** The `--store` option every store command takes, with its help text. */
export const STORE_OPTION = { store: { type: 'string' } } as const;
export const STORE_HELP =
  '  --store <where>   the store: a SQLite file (path), or a Redis URL (redis://host:port[/db]); default: ORBIT_STORE';

/**
 * Opens the store `where` names: a `redis://` or `rediss://` URL → `RedisStore` (needs `ioredis`), anything
 * else → the SQLite file at that path, which must exist (a typo must not create an empty store). The caller
 * closes it.
 *
 * @throws CliError `ERR_STORE_MISSING` (usage) when no store is named; `ERR_STORE_NOT_FOUND` when the file
 * does not exist; `ERR_STORE_UNAVAILABLE` when it cannot be opened or reached.
 */
export async function openStore(
  where: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): Promise<RunStore> {
  const target = where ?? env.ORBIT_STORE;
  if (target === undefined || target === '') {
    throw new CliError(
      'ERR_STORE_MISSING',
      'name the store: --store <SQLite file or redis:// URL> (or set ORBIT_STORE).',
      EXIT.USAGE,
    );
  }
  try {
    if (/^rediss?:\/\//.test(target)) {
      const { RedisStore } = await import('@orbit-agents/core/stores/redis');
      const store = new RedisStore({ url: target });
      try {
        await store.listPending({ now: Date.now() }); // fails fast when the server does not answer
      } catch (error) {
        // Closed, or its connection keeps retrying and the process never exits.
        await store.close().catch(() => {});
        throw error;
      }
      return store;
    }
    if (!existsSync(target)) {
      throw new CliError(
        'ERR_STORE_NOT_FOUND',
        `no SQLite store at ${target} (the file does not exist).`,
        EXIT.NOT_FOUND,
      );
    }
    const { SqliteStore } = await import('@orbit-agents/core/stores/sqlite');
    return new SqliteStore({ path: target });
  } catch (error) {
    if (error instanceof CliError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new CliError(
      'ERR_STORE_UNAVAILABLE',
      `cannot open the store ${target}: ${message}`,
      EXIT.UNAVAILABLE,
      { cause: error },
    );
  }
}
