// Runs the scale part alone: `tsx parts/scale.main.ts` (full) or `--smoke`; prints its Markdown section,
// then its result as JSON.
import { machineLines } from '../lib/machine.js';
import { partMarkdown } from '../lib/part-markdown.js';
import type { BenchMode } from '../lib/results.js';
import { scalePart } from './scale.js';

const mode: BenchMode = process.argv.includes('--smoke') ? 'smoke' : 'full';
const started = performance.now();
const result = await scalePart(mode);
const seconds = ((performance.now() - started) / 1000).toFixed(0);
console.log(`${machineLines(`ORBIT bench, scale part (${mode}, ${seconds} s)`).join('\n')}\n`);
console.log(partMarkdown(result));
console.log('```json');
console.log(JSON.stringify(result, null, 2));
console.log('```');
