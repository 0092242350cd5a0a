// Runs part `stores` alone: `tsx bench/parts/stores.main.ts [--smoke]` prints its Markdown section and JSON.
import { runPartMain } from '../lib/part-main.js';
import { storesPart } from './stores.js';

await runPartMain(storesPart, 'ORBIT bench, part stores');
