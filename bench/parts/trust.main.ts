// Runs part `trust` alone: `tsx bench/parts/trust.main.ts [--smoke]` prints its Markdown section and JSON.
import { runPartMain } from '../lib/part-main.js';
import { trustPart } from './trust.js';

await runPartMain(trustPart, 'ORBIT bench, part trust');
