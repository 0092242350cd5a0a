import { describeRunStore } from '../../test/store-conformance.js';
import { MemoryStore } from './memory-store.js';

// One shared instance: memory stores of one process are one store (like two clients of one server).
const shared = new MemoryStore();
describeRunStore('memory', async () => Object.assign(Object.create(shared), { close: async () => {} }));
