import { Redis, type RedisOptions } from 'ioredis';
import type { RedisScript } from './redis-scripts.js';
import { StoreUnavailableError } from './store-unavailable-error.js';

/** How long a command waits for its reply (and a call for a connection being established), by default. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;

/** Redis error replies that mean "not available now" (the run fails closed), not a bug in a command. */
const UNAVAILABLE_REPLIES =
  /^(LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|READONLY|NOREPLICAS|MISCONF|OOM|NOAUTH|WRONGPASS)\b/;

/**
 * The ioredis settings of the connections the store opens:
 * - `enableOfflineQueue: false`: a command sent while the connection is down fails at once (the store
 *   itself waits up to `commandTimeoutMs` for a connection that is being established);
 * - `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false`: a command in flight when the
 *   connection drops fails, it is never resent (an admit resent after a reconnect could count twice);
 * - `commandTimeout`: a server that accepts connections but does not answer fails calls too;
 * - `retryStrategy`: reconnects in the background, every 50 ms growing to 1 s, forever.
 */
export function redisClientOptions(commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: commandTimeoutMs,
    connectTimeout: commandTimeoutMs,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times - 1, 5), 1_000),
  };
}

/**
 * The Redis store's connections: the command connection (opened by the store, or the client it was
 * given) and the pub/sub connection (a duplicate, opened on the first wait). Runs commands and scripts,
 * waiting for a connection being established and mapping failures to `StoreUnavailableError`.
 */
export class RedisConnection {
  /** The command connection. */
  readonly redis: Redis;
  /** The pub/sub connection, once opened. */
  private subscriber: Redis | undefined;
  private readonly ownsClient: boolean;
  private readonly url: string | undefined;
  private readonly commandTimeoutMs: number;
  private readonly lastError = new WeakMap<Redis, Error>();
  private isClosed = false;
  /** Listeners the store put on clients, taken off on close (a client given to the store lives on). */
  private readonly listeners: {
    client: Redis;
    event: 'error' | 'ready';
    listener: (error?: Error) => void;
  }[] = [];

  constructor(options: { redis?: Redis | undefined; url?: string | undefined; commandTimeoutMs: number }) {
    this.commandTimeoutMs = options.commandTimeoutMs;
    this.url = options.url;
    if (options.redis) {
      this.redis = options.redis;
      this.ownsClient = false;
    } else {
      this.redis = this.open();
      this.ownsClient = true;
    }
    this.watch(this.redis);
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Opens the pub/sub connection: a duplicate of the command connection, closed with the store. */
  openSubscriber(): Redis {
    const sub = this.redis.duplicate(this.ownsClient ? redisClientOptions(this.commandTimeoutMs) : undefined);
    this.subscriber = sub;
    this.watch(sub);
    return sub;
  }

  /** Drops a pub/sub connection whose subscription failed (the next wait opens another). */
  dropSubscriber(sub: Redis): void {
    if (this.subscriber === sub) this.subscriber = undefined;
    sub.disconnect();
  }

  /** Closes the pub/sub connection, and the command connection if the store opened it. */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const { client, event, listener } of this.listeners) client.off(event, listener);
    const clients = [this.subscriber, this.ownsClient ? this.redis : undefined];
    await Promise.all(clients.map((client) => client && quit(client)));
  }

  private open(): Redis {
    const options = redisClientOptions(this.commandTimeoutMs);
    return this.url === undefined ? new Redis(options) : new Redis(this.url, options);
  }

  /** Remembers a client's last connection error (for error messages) and keeps ioredis from logging it. */
  private watch(client: Redis): void {
    const onError = (error?: Error) => {
      if (error) this.lastError.set(client, error);
    };
    const onReady = () => this.lastError.delete(client);
    client.on('error', onError);
    client.on('ready', onReady);
    this.listeners.push(
      { client, event: 'error', listener: onError },
      { client, event: 'ready', listener: onReady },
    );
  }

  /** `EVALSHA`, and `EVAL` (which caches the script again) when the server does not know it (`NOSCRIPT`). */
  async eval(script: RedisScript, keys: string[], args: string[]): Promise<unknown> {
    if (this.redis.status !== 'ready') await this.ready(this.redis);
    try {
      return await this.redis.evalsha(script.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error && error.message.startsWith('NOSCRIPT'))) throw this.wrap(error);
    }
    try {
      return await this.redis.eval(script.lua, keys.length, ...keys, ...args);
    } catch (error) {
      throw this.wrap(error);
    }
  }

  /** Runs one command (or pipeline) on the command connection, mapping connection failures. */
  async run<T>(command: () => Promise<T>, client: Redis = this.redis): Promise<T> {
    if (client.status !== 'ready') await this.ready(client);
    try {
      return await command();
    } catch (error) {
      throw this.wrap(error);
    }
  }

  /**
   * Waits (at most `commandTimeoutMs`) for a connection being established; fails at once when the
   * connection is down (reconnecting in the background) or closed.
   */
  private async ready(client: Redis): Promise<void> {
    if (this.isClosed) throw new StoreUnavailableError('redis', new Error('the store is closed'));
    const down = () =>
      new StoreUnavailableError(
        'redis',
        this.lastError.get(client) ?? new Error(`connection ${client.status}`),
      );
    switch (client.status) {
      case 'ready':
        return;
      case 'wait':
        client.connect().catch(() => {});
        break;
      case 'connecting':
      case 'connect':
        break;
      default: // close, reconnecting, end: the server is down or the client was closed
        throw down();
    }
    await new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onReady = () => done();
      const onClose = () => done(down());
      const timer = setTimeout(
        () =>
          done(
            new StoreUnavailableError('redis', new Error(`no connection within ${this.commandTimeoutMs} ms`)),
          ),
        this.commandTimeoutMs,
      );
      client.on('ready', onReady);
      client.on('close', onClose);
    });
  }

  /** Connection failures and availability replies → `StoreUnavailableError`; other errors (bugs) as they are. */
  wrap(error: unknown): Error {
    if (error instanceof StoreUnavailableError) return error;
    if (error instanceof Error && error.name === 'ReplyError' && !UNAVAILABLE_REPLIES.test(error.message))
      return error;
    return new StoreUnavailableError('redis', error);
  }
}

/** Closes a connection: `QUIT` when it is up, a disconnect otherwise (or when `QUIT` fails). */
async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
