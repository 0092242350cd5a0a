// Runs the decision part alone and prints its Markdown section, then its result as JSON.
// Usage (in bench/): node_modules/.bin/tsx parts/decision.main.ts [--smoke]
import { machineLines } from '../lib/machine.js';
import { partMarkdown } from '../lib/part-markdown.js';
import { decisionPart } from './decision.js';

const mode = process.argv.includes('--smoke') ? 'smoke' : 'full';
const started = performance.now();
const result = await decisionPart(mode);
console.log(machineLines(`ORBIT bench, decision part (${mode})`).join('\n'));
console.log(`Took ${((performance.now() - started) / 1000).toFixed(1)} s.\n`);
console.log(partMarkdown(result));
console.log(`\n\`\`\`json\n${JSON.stringify(result, null, 2)}\n\`\`\``);
