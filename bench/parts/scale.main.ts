// Runs the scale part alone: `tsx parts/scale.main.ts` (full) or `--smoke`.
import { runPartMain } from '../lib/part-main.js';
import { scalePart } from './scale.js';

await runPartMain(scalePart, 'ORBIT bench, scale part');
