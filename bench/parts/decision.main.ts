// Runs the decision part alone: `tsx parts/decision.main.ts` (full) or `--smoke`.
import { runPartMain } from '../lib/part-main.js';
import { decisionPart } from './decision.js';

await runPartMain(decisionPart, 'ORBIT bench, decision part');
