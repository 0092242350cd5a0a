// The adapter under test: its source (run by tsx, the default), or with `--dist` its build (`pnpm build`
// first), which is what an application runs, as the AI SDK and OpenAI Agents benches choose. tsx compiles the
// source with esbuild's keepNames, which wraps every named closure in a `__name` call; the build has none.
import type * as Adapter from '../src/index.js';

/** True when the bench runs the adapter's build (`--dist`). */
export const FROM_DIST = process.argv.includes('--dist');

const adapter: typeof Adapter = await import(FROM_DIST ? '../dist/index.js' : '../src/index.js');

export const { orbitLangGraph } = adapter;
export type OrbitLangGraph = Adapter.OrbitLangGraph;
