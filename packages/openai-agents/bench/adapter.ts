// The adapter under test: its source (run by tsx, the default, as the other adapters' benches do), or with
// `--dist` its build (`pnpm build` first; the package's `prebench` builds it), which is what an application
// runs. tsx compiles the source with esbuild's keepNames, which wraps every named closure in a `__name` call;
// the build has none.
import type * as Adapter from '../src/index.js';

/** True when the bench runs the adapter's build (`--dist`). */
export const FROM_DIST = process.argv.includes('--dist');

const adapter: typeof Adapter = await import(FROM_DIST ? '../dist/index.js' : '../src/index.js');

export const { orbitContext, orbitOpenAIAgents } = adapter;
export type OrbitAgents = Adapter.OrbitAgents;
