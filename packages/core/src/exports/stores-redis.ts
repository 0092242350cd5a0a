/** `@orbit-agents/core/stores/redis`: the shared store on Redis (needs the optional peer dependency `ioredis`). */
export { RedisStore, type RedisStoreOptions } from '../stores/redis-store.js';
