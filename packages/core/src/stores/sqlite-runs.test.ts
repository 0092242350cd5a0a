import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMultiProcess } from '../../test/multi-process.js';
import { describeRunsOnStore } from '../../test/runs-on-store.js';
import { SqliteStore } from './sqlite-store.js';

// One database file: every store object on it is another process's view of the same state.
const path = join(mkdtempSync(join(tmpdir(), 'orbit-sqlite-runs-')), 'state.db');
describeRunsOnStore('sqlite', async () => new SqliteStore({ path }));
describeMultiProcess(
  'sqlite',
  () => ({ kind: 'sqlite', path }),
  () => new SqliteStore({ path }),
);
