/** The schema version this code writes, kept in the file's `PRAGMA user_version`. */
export const SQLITE_SCHEMA_VERSION = 5;

/**
 * Migrations: `MIGRATIONS[v]` takes a file from schema version `v` to `v + 1`. They run in one
 * `BEGIN IMMEDIATE` transaction with the version bump, so a crash leaves the old version whole.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    tree_id TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    tokens INTEGER NOT NULL DEFAULT 0,
    records INTEGER NOT NULL DEFAULT 0,
    halted INTEGER NOT NULL DEFAULT 0,
    extra_tokens INTEGER NOT NULL DEFAULT 0,
    extra_records INTEGER NOT NULL DEFAULT 0,
    extra_ms INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER
  );
  CREATE INDEX IF NOT EXISTS runs_tree ON runs (tree_id);
  CREATE INDEX IF NOT EXISTS runs_expires ON runs (expires_at);
  CREATE TABLE IF NOT EXISTS run_calls (
    run_id TEXT NOT NULL,
    tool TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (run_id, tool)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS run_resource_types (
    run_id TEXT NOT NULL,
    type TEXT NOT NULL,
    PRIMARY KEY (run_id, type)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS approvals (
    approval_id TEXT PRIMARY KEY,
    tree_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    action_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    answered_at INTEGER,
    request TEXT NOT NULL,
    answer TEXT
  );
  CREATE INDEX IF NOT EXISTS approvals_pending ON approvals (status, requested_at);
  CREATE INDEX IF NOT EXISTS approvals_tree ON approvals (tree_id, status, requested_at);
  CREATE TABLE IF NOT EXISTS revocations (
    kind TEXT NOT NULL CHECK (kind IN ('token', 'tree')),
    id TEXT NOT NULL,
    revoked_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tree_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    call_id TEXT NOT NULL,
    tool TEXT NOT NULL,
    reversibility TEXT NOT NULL,
    resource TEXT
  );
  CREATE INDEX IF NOT EXISTS actions_run ON actions (run_id, id);
  `,
  // 2: each run's record keeps the manifest digest it started with (NULL for runs started before: they
  // cannot be resumed); the newest manifest version per agent.
  `
  ALTER TABLE runs ADD COLUMN manifest_digest TEXT;
  CREATE TABLE IF NOT EXISTS agent_manifests (
    agent_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    digest TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 3: the revocation log (read from a cursor by every process's verifier) and the minted tokens.
  `
  CREATE TABLE IF NOT EXISTS revocation_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('token', 'tree')),
    id TEXT NOT NULL
  );
  INSERT INTO revocation_log (kind, id) SELECT kind, id FROM revocations ORDER BY revoked_at;
  CREATE TABLE IF NOT EXISTS minted_tokens (
    tree_id TEXT NOT NULL,
    jti TEXT NOT NULL,
    parent_jti TEXT,
    chain TEXT NOT NULL,
    depth INTEGER NOT NULL,
    iat INTEGER NOT NULL,
    exp INTEGER NOT NULL,
    PRIMARY KEY (tree_id, jti)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS minted_tokens_exp ON minted_tokens (exp);
  `,
  // 4: calls per tool and resource, of the tools with `max_calls_per_resource` only.
  `
  CREATE TABLE IF NOT EXISTS run_resource_calls (
    run_id TEXT NOT NULL,
    tool TEXT NOT NULL,
    resource TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (run_id, tool, resource)
  ) WITHOUT ROWID;
  `,
  // 5: what a rollback in another process needs of an executed action (agent, status, arguments,
  // output), as JSON; NULL for actions stored before (they are recovered by hand).
  `
  ALTER TABLE actions ADD COLUMN detail TEXT;
  `,
];
