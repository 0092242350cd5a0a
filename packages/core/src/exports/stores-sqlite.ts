/** `@orbit-agents/core/stores/sqlite`: the embedded, durable store on `node:sqlite`. */
export { SQLITE_SCHEMA_VERSION, SqliteStore, type SqliteStoreOptions } from '../stores/sqlite-store.js';
