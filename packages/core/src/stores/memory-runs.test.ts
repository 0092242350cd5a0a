import { describeRunsOnStore } from '../../test/runs-on-store.js';
import { MemoryStore } from './memory-store.js';

const shared = new MemoryStore();
describeRunsOnStore('memory', async () => Object.assign(Object.create(shared), { close: async () => {} }));
