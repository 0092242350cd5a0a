// A worker process for the Redis multi-process test: fires admits at one shared run.
// Prints `READY` once connected, starts on `GO` (stdin), prints `RESULT <json>` and exits.
import { once } from 'node:events';
import { RedisStore } from '../../src/stores/redis-store.js';

interface Job {
  url: string;
  prefix: string;
  treeId: string;
  calls: number;
  inFlight: number;
  maxCalls: number;
}

const job = JSON.parse(process.argv[2]!) as Job;
const store = new RedisStore({ url: job.url, prefix: job.prefix });
await store.isRevoked(job.treeId, []); // connected
process.stdout.write('READY\n');
let input = '';
while (!input.includes('GO')) {
  const [chunk] = await once(process.stdin, 'data');
  input += String(chunk);
}
process.stdin.pause();

let next = 0;
let admitted = 0;
let refused = 0;
const errors: string[] = [];
const lane = async () => {
  while (next < job.calls) {
    next++;
    try {
      const result = await store.admit({
        treeId: job.treeId,
        chain: [{ runId: job.treeId, maxCalls: job.maxCalls }],
        tool: 'update',
        records: 1,
        tokens: 10,
        count: true,
        approved: false,
        now: Date.now(),
      });
      if (result.admitted) admitted++;
      else refused++;
    } catch (error) {
      errors.push(String(error));
    }
  }
};
await Promise.all(Array.from({ length: job.inFlight }, lane));
process.stdout.write(`RESULT ${JSON.stringify({ admitted, refused, errors })}\n`);
await store.close();
process.exit(0);
