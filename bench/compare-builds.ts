/**
 * Compares two built checkouts of this monorepo, "before" and "after", in one run: `run.guard` (no sink, and
 * with the hash-chained JSONL sink) and the per-tool-call cost of a LangChain `createAgent` agent with the
 * ORBIT middleware, next to the same agent without ORBIT (the control), before and after interleaved.
 *
 * Run: `pnpm bench:compare --before <dir> [--after <dir>] [--quick] [--processes N] [--rounds N] [--json file]`
 * (`tsx bench/compare-builds.ts`; `--after` defaults to the checkout this script is in). Each dir must be a
 * checkout of this monorepo after `pnpm install && pnpm build` (packages/core/dist, packages/langgraph/dist).
 *
 * Loading. Each checkout is loaded from its OWN tree: `@orbit-agents/core`, `@orbit-agents/langgraph`,
 * `langchain`, `@langchain/core`, `@langchain/langgraph` and `zod` are resolved from that tree's
 * `packages/langgraph/package.json` as `import` would (`resolveEsm`: node_modules of it and its parents,
 * `exports` under the ESM conditions, real path) and imported by absolute file URL. Not with
 * `createRequire(...).resolve()`: it picks the CommonJS builds of these dual packages (a second copy next to
 * the ESM one the adapter's dist imports), and it follows NODE_PATH, which pnpm points at the running
 * checkout's store (so the before tree would get the after tree's adapter). A hook (`module.registerHooks`)
 * records every resolution Node makes, and a check fails the run if a checkout's module imports anything
 * from outside that checkout, or gets another copy of a package than the one this script loaded from it: two
 * copies of `@langchain/core` never meet. Only the public API is used: `createOrbit`, `loadManifest`,
 * `JsonlFileSink`, `MemorySink` from the core root, `orbitLangGraph(orbit).middleware()` (and `.endRun()` if
 * present) from the adapter root; a missing export fails with a message naming the tree, file and export.
 *
 * Method. The measuring runs in processes started one after another, each loading and setting up both
 * checkouts (before or after first, alternately) and interleaving them:
 * - guard processes (3 × `--processes`, 2 × with `--quick`; they load the cores only): per round and case,
 *   GUARD_PAIRS before/after pairs of samples, the first of each pair alternating; a sample is the mean of
 *   BATCH consecutive `run.guard` calls (the request of packages/core/bench/run.ts) on a run replaced every
 *   1,000 calls outside the timed window;
 * - agent processes (`--processes`, default 6; 2 with `--quick`): per round, one invoke of each of the four
 *   agents (2 trees × with/without ORBIT; one turn of 10 parallel tool calls, fresh thread, MemorySaver, as
 *   part 1 of packages/langgraph/bench/overhead.ts) in an order rotated every round; per tool call = invoke
 *   time / 10.
 * Why many processes: the two copies of the code are JIT-compiled and laid out apart, and in one process
 * one copy of identical code can settle 10-15% faster than the other, stably, and in the next process not
 * (`run.guard`, no sink; the "per process" column shows it). Interleaving removes drift within a process;
 * over many processes, with the order alternating, that bias averages out, and the bootstrap (processes
 * resampled, then rounds within each) puts it in the interval.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import module from 'node:module';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { table } from './lib/format.js';
import { BENCH_LIMITS } from './lib/manifest.js';
import { quantile, random } from './lib/stats.js';

// ---------------------------------------------------------------------------------------------------------
// Options

const USAGE =
  'usage: pnpm bench:compare --before <checkout> [--after <checkout>] [--quick] [--processes N] [--rounds N] [--json file]\n' +
  '  a checkout: a clone or worktree of this monorepo after `pnpm install && pnpm build`\n' +
  '  --after     default: the checkout this script is in\n' +
  '  --quick     a smoke run (about 20 s; the full run takes about 3 min)\n' +
  '  --processes agent processes, run one after another (default 6, --quick 2); 3 (--quick 2) times as many guard ones\n' +
  '  --rounds    agent rounds in all (default 3,000, --quick 400)\n' +
  '  --json      also write the raw samples to this file';

const { values: options } = parseArgs({
  options: {
    before: { type: 'string' },
    after: { type: 'string' },
    quick: { type: 'boolean', default: false },
    processes: { type: 'string' },
    rounds: { type: 'string' },
    json: { type: 'string' },
    worker: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!options.before) fail(`--before is required\n${USAGE}`);

const QUICK = options.quick;
/** Agent processes; there are 3 times as many guard processes (2 times with --quick): short ones. */
const PROCESSES = intOption('processes', options.processes, QUICK ? 2 : 6, 1);
const GUARD_PROCESSES = (QUICK ? 2 : 3) * PROCESSES;
/** Agent rounds, all agent processes together (each round: one invoke per agent variant). */
const AGENT_ROUNDS = intOption('rounds', options.rounds, QUICK ? 400 : 3_000, 10);
/** Guard rounds per guard process (each round: GUARD_PAIRS pairs per guard case). */
const GUARD_ROUNDS = QUICK ? 25 : 80;
/** Untimed rounds at the start of each process. */
const WARMUP_ROUNDS = QUICK ? 5 : 20;
/** Time caps per process (s), warm-up excluded: a loaded machine stops early rather than run long. */
const GUARD_SECONDS = QUICK ? 0.8 : 1.5;
const AGENT_SECONDS = (QUICK ? 12 : 108) / PROCESSES;
/** Guard calls timed together in one sample (a batch mean keeps the clock's cost out of sub-µs calls). */
const BATCH = 200;
/** Before/after pairs of guard samples per round and case. */
const GUARD_PAIRS = 8;
/** A run is replaced (untimed) after this many guard calls, as in packages/core/bench/run.ts. */
const CALLS_PER_RUN = 1_000;
/** Parallel tool calls in the agent's one turn; per-call cost = invoke time / CALLS. */
const CALLS = 10;
const BOOTSTRAP = 2_000;
/** The verdict's tolerance: see VERDICT. */
const TOLERANCE = 0.03;
const LIMIT = (1 + TOLERANCE).toFixed(2);
const VERDICT =
  `**no slower** when the ratio's 95% CI reaches down to ${LIMIT} or below (a slowdown of more than ` +
  `${TOLERANCE * 100}% is not shown) or the ratio itself is ≤ 1.00; "(not excluded: up to x)" when the CI also ` +
  `reaches above ${LIMIT}, so that a larger slowdown is not ruled out either. **SLOWER** when the whole CI is ` +
  `above ${LIMIT}. **inconclusive** when the before value is not clearly above 0, so no ratio can be formed.`;

const scriptFile = fileURLToPath(import.meta.url);
const dirs = {
  before: resolve(options.before!),
  after: resolve(options.after ?? join(scriptFile, '../..')),
};

function intOption(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) fail(`--${name} must be an integer ≥ ${min}, got ${value}`);
  return parsed;
}

function fail(message: string): never {
  console.error(`bench:compare: ${message}`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------------
// The API surface used (structural, so that both trees' types fit)

interface GuardRequest {
  tool: string;
  args: Record<string, unknown>;
  confidence: number;
  records: number;
  resource: string;
}
interface Run {
  guard(request: GuardRequest): { decision: string };
  end(): unknown;
}
interface Orbit {
  startRun(): Run;
}
interface Sink {
  flush?(): unknown;
  close?(): unknown;
}
interface AuditEvent {
  event: string;
  decision?: string;
}
interface CoreApi {
  createOrbit(options: { manifest: unknown; sink?: Sink }): Orbit;
  loadManifest(options: {
    manifest: unknown;
    allowUnsigned: boolean;
    logger: { warn(message: string): void };
  }): Promise<unknown>;
  JsonlFileSink: new (path: string) => Sink;
  MemorySink: new () => Sink & { events: AuditEvent[] };
}
type Config = { configurable: { thread_id: string } };
interface Message {
  getType(): string;
  content: unknown;
  status?: string;
}
interface Binding {
  middleware(): unknown;
  endRun?(config: Config): unknown;
}
interface Agent {
  invoke(input: unknown, config: Config): Promise<{ messages: Message[]; __interrupt__?: unknown }>;
}
interface Checkpointer {
  deleteThread(threadId: string): Promise<void>;
}
type ChatModelBase = abstract new (fields: Record<string, unknown>) => object;
type Constructor = new (fields: Record<string, unknown>) => object;
interface ZodLike {
  object(shape: Record<string, unknown>): unknown;
  string(): unknown;
  number(): { optional(): unknown };
}

type Label = 'before' | 'after';

/** A checkout's core (all a guard process loads). */
interface CoreTree {
  label: Label;
  dir: string;
  /** Specifier → real path of what this script imported from the tree. */
  entries: Map<string, string>;
  core: CoreApi;
}

/** A checkout's core, adapter and LangChain. */
interface Tree extends CoreTree {
  orbitLangGraph: (orbit: Orbit) => Binding;
  createAgent: (options: Record<string, unknown>) => Agent;
  tool: (fn: (input: { id: string }) => Promise<string>, fields: Record<string, unknown>) => unknown;
  MemorySaver: new () => Checkpointer;
  BaseChatModel: ChatModelBase;
  AIMessage: Constructor;
  ToolMessage: Constructor;
  z: ZodLike;
}

// ---------------------------------------------------------------------------------------------------------
// Loading a checkout from its own tree

/** Node's default ESM conditions (`import()` in Node 24); "types", "browser", "require" and others are passed over. */
const ESM_CONDITIONS = new Set(['node', 'import', 'module-sync', 'default']);

/**
 * Resolves `specifier` (a bare package specifier, with or without a subpath) as `import` would from the package
 * whose package.json is `anchor`: the package itself if it has that name (self-reference), else the
 * `node_modules` directories of the anchor's directory and its parents (ESM resolution: no NODE_PATH, which
 * pnpm sets to the running checkout's store, so `createRequire(anchor).resolve()` would find the after tree's
 * adapter from the before tree), the package's `exports` under the ESM conditions (or `main`), and the real
 * path of the file (the key of Node's module cache). The result must lie inside `root`, the checkout.
 */
function resolveEsm(specifier: string, anchor: string, root: string): string {
  const parts = specifier.split('/');
  const nameParts = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameParts).join('/');
  const subpath = parts.length > nameParts ? `./${parts.slice(nameParts).join('/')}` : '.';
  const candidates = [dirname(anchor)];
  for (let dir = dirname(anchor); dir !== dirname(dir); dir = dirname(dir)) {
    candidates.push(join(dir, 'node_modules', name));
  }
  for (const [index, packageDir] of candidates.entries()) {
    const packageJson = join(packageDir, 'package.json');
    if (!existsSync(packageJson)) continue;
    const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as {
      name?: string;
      exports?: unknown;
      main?: string;
    };
    if (index === 0 && (pkg.name !== name || pkg.exports === undefined)) continue;
    const target =
      pkg.exports === undefined
        ? subpath === '.'
          ? (pkg.main ?? 'index.js')
          : subpath
        : exportOf(pkg.exports, subpath);
    if (target === undefined) {
      throw new Error(`${packageJson} exports no ESM entry for "${subpath}" (needed: ${specifier})`);
    }
    const file = join(packageDir, target);
    if (!existsSync(file)) throw new Error(`${specifier} resolves to ${file}, which does not exist`);
    const real = realpathSync(file);
    if (!inside(real, root))
      throw new Error(`${specifier} resolves to ${real}, outside the checkout ${root}`);
    return real;
  }
  throw new Error(`cannot find package ${name} from ${anchor} (is node_modules installed?)`);
}

/** Whether `file` (a real path) is inside the directory `root`. */
function inside(file: string, root: string): boolean {
  const real = realpathSync(root);
  return file.startsWith(real.endsWith(sep) ? real : real + sep);
}

/** The `exports` target of `subpath` (exact key, else the longest matching `*` pattern). */
function exportOf(exports: unknown, subpath: string): string | undefined {
  const isSubpathMap =
    typeof exports === 'object' &&
    exports !== null &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((key) => key.startsWith('.'));
  const map = (isSubpathMap ? exports : { '.': exports }) as Record<string, unknown>;
  if (Object.hasOwn(map, subpath)) return conditionalTarget(map[subpath], undefined);
  let best: { key: string; star: string } | undefined;
  for (const key of Object.keys(map)) {
    const at = key.indexOf('*');
    if (at < 0) continue;
    const prefix = key.slice(0, at);
    const suffix = key.slice(at + 1);
    if (!subpath.startsWith(prefix) || !subpath.endsWith(suffix) || subpath.length < key.length - 1) continue;
    if (
      !best ||
      prefix.length > best.key.indexOf('*') ||
      (prefix.length === best.key.indexOf('*') && key.length > best.key.length)
    ) {
      best = { key, star: subpath.slice(prefix.length, subpath.length - suffix.length) };
    }
  }
  return best ? conditionalTarget(map[best.key], best.star) : undefined;
}

function conditionalTarget(value: unknown, star: string | undefined): string | undefined {
  if (typeof value === 'string') return star === undefined ? value : value.replaceAll('*', star);
  if (Array.isArray(value)) {
    for (const item of value) {
      const target = conditionalTarget(item, star);
      if (target !== undefined) return target;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [condition, nested] of Object.entries(value)) {
      if (!ESM_CONDITIONS.has(condition)) continue;
      const target = conditionalTarget(nested, star);
      if (target !== undefined) return target;
    }
  }
  return undefined;
}

/** What the main process checks and reports of a checkout, before any measuring process loads it. */
function checkCheckout(
  label: Label,
  dir: string,
): { label: Label; dir: string; commit: string; versions: string } {
  const where = `${label} (${dir})`;
  const anchor = join(dir, 'packages/langgraph/package.json');
  if (!existsSync(anchor))
    fail(`${where}: no packages/langgraph/package.json: not a checkout of this monorepo`);
  for (const pkg of ['core', 'langgraph']) {
    const root = join(dir, 'packages', pkg);
    if (!existsSync(join(root, 'dist/index.js'))) {
      fail(`${where}: packages/${pkg}/dist/index.js is missing: run \`pnpm install && pnpm build\` there`);
    }
    if (newestMtime(join(root, 'src')) > statSync(join(root, 'dist/index.js')).mtimeMs) {
      console.warn(`warning: ${where}: packages/${pkg}/src is newer than its dist: rebuild it (pnpm build)?`);
    }
  }
  const versions = ['langchain', '@langchain/core', '@langchain/langgraph', 'zod']
    .map((name) => `${name} ${versionOf(name, anchor)}`)
    .join(', ');
  return { label, dir, commit: commitOf(dir), versions };
}

/** Imports a tree's packages (resolved from its packages/langgraph) and picks their exports, or fails clearly. */
function loaderOf(label: Label, dir: string, entries: Map<string, string>) {
  const where = `${label} (${dir})`;
  const anchor = join(dir, 'packages/langgraph/package.json');
  type Loaded = { file: string; module: Record<string, unknown> };
  return {
    where,
    async load(specifier: string): Promise<Loaded> {
      let file: string;
      try {
        file = resolveEsm(specifier, anchor, dir);
      } catch (error) {
        fail(`${where}: cannot resolve ${specifier}: ${(error as Error).message}`);
      }
      entries.set(specifier, file);
      return { file, module: (await import(pathToFileURL(file).href)) as Record<string, unknown> };
    },
    pick<T>(loaded: Loaded, name: string, hint: string, kind: 'function' | 'any' = 'function'): T {
      const value = loaded.module[name];
      if (value === undefined) fail(`${where}: ${loaded.file} has no export \`${name}\` (${hint})`);
      if (kind === 'function' && typeof value !== 'function') {
        fail(`${where}: the export \`${name}\` of ${loaded.file} is not a function or class (${hint})`);
      }
      return value as T;
    },
  };
}

async function loadCore(label: Label, dir: string): Promise<CoreTree> {
  const entries = new Map<string, string>();
  const { load, pick } = loaderOf(label, dir, entries);
  const core = await load('@orbit-agents/core');
  const hint = 'expected on the @orbit-agents/core root';
  return {
    label,
    dir,
    entries,
    core: {
      createOrbit: pick(core, 'createOrbit', hint),
      loadManifest: pick(core, 'loadManifest', hint),
      JsonlFileSink: pick(core, 'JsonlFileSink', hint),
      MemorySink: pick(core, 'MemorySink', hint),
    },
  };
}

async function loadTree(label: Label, dir: string): Promise<Tree> {
  const coreTree = await loadCore(label, dir);
  const { load, pick } = loaderOf(label, dir, coreTree.entries);
  const adapter = await load('@orbit-agents/langgraph');
  const langchain = await load('langchain');
  const langgraph = await load('@langchain/langgraph');
  const chatModels = await load('@langchain/core/language_models/chat_models');
  const messages = await load('@langchain/core/messages');
  const zod = await load('zod');
  return {
    ...coreTree,
    orbitLangGraph: pick(adapter, 'orbitLangGraph', 'expected on the @orbit-agents/langgraph root'),
    createAgent: pick(langchain, 'createAgent', 'langchain'),
    tool: pick(langchain, 'tool', 'langchain'),
    MemorySaver: pick(langgraph, 'MemorySaver', '@langchain/langgraph'),
    BaseChatModel: pick(chatModels, 'BaseChatModel', '@langchain/core'),
    AIMessage: pick(messages, 'AIMessage', '@langchain/core'),
    ToolMessage: pick(messages, 'ToolMessage', '@langchain/core'),
    z: pick(zod, 'z', 'zod', 'any'),
  };
}

/** Each module resolution Node makes (import and require) with a file as parent, once `recordResolutions()` ran. */
const resolutions: { specifier: string; parent: string; url: string }[] = [];

type ResolveHook = (
  specifier: string,
  context: { parentURL?: string },
  nextResolve: (specifier: string, context: { parentURL?: string }) => { url: string },
) => { url: string };

/** Records resolutions with `module.registerHooks` (Node ≥ 22.15); false if it is missing. */
function recordResolutions(): boolean {
  const { registerHooks } = module as unknown as {
    registerHooks?: (hooks: { resolve: ResolveHook }) => unknown;
  };
  if (typeof registerHooks !== 'function') return false;
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const result = nextResolve(specifier, context);
      if (context.parentURL?.startsWith('file:') && result.url.startsWith('file:')) {
        resolutions.push({ specifier, parent: context.parentURL, url: result.url });
      }
      return result;
    },
  });
  return true;
}

/**
 * Two copies never meet: every module a checkout's files import (or require) is from the same checkout, and the
 * packages this script imported from a tree are the very files the tree's own modules get for them.
 */
function checkModuleGraph(trees: readonly CoreTree[]): void {
  const roots = trees.map((tree) => ({ tree, root: realpathSync(tree.dir) + sep }));
  const owner = (path: string) =>
    roots.filter(({ root }) => path.startsWith(root)).sort((a, b) => b.root.length - a.root.length)[0]?.tree;
  for (const tree of trees) {
    for (const [specifier, path] of tree.entries) {
      if (owner(path) !== tree && realpathSync(trees[0]!.dir) !== realpathSync(trees[1]!.dir)) {
        fail(`${tree.label}: "${specifier}" was loaded from outside the checkout: ${path}`);
      }
    }
  }
  for (const { specifier, parent, url } of resolutions) {
    const parentPath = fileURLToPath(parent);
    const from = parentPath === scriptFile ? undefined : owner(parentPath);
    if (!from) continue;
    const path = fileURLToPath(url);
    const to = owner(path);
    if (to !== from) {
      fail(
        `${from.label}: ${parentPath} imports "${specifier}" from ${to ? `the ${to.label} checkout` : 'outside its checkout'}: ${path}`,
      );
    }
    const mine = from.entries.get(specifier);
    if (mine !== undefined && mine !== path) {
      fail(
        `${from.label}: two copies of "${specifier}": this script loaded ${mine}, ${parentPath} gets ${path}`,
      );
    }
  }
}

function commitOf(dir: string): string {
  try {
    const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();
    const changed = git('status', '--porcelain').split('\n').filter(Boolean).length;
    return `${git('rev-parse', '--short', 'HEAD')}${changed ? ` + ${changed} uncommitted change(s)` : ''}`;
  } catch {
    return '(not a git checkout)';
  }
}

function versionOf(name: string, anchor: string): string {
  try {
    const file = resolveEsm(name, anchor, dirname(dirname(dirname(anchor))));
    let dir = file.slice(0, file.lastIndexOf(`/node_modules/${name}/`) + `/node_modules/${name}`.length);
    if (!existsSync(join(dir, 'package.json'))) dir = file;
    return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

/** Newest mtime of the files under `dir` (recursively), 0 if none. */
function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

// ---------------------------------------------------------------------------------------------------------
// Case 1 and 2: run.guard (the manifest and request of packages/core/bench/run.ts)

const CORE_MANIFEST = `
agent_id: "bench-agent"
owner_team: "#bench"
deployed_at: "2026-05-01T09:00:00Z"
task_scope: "Benchmark the ORBIT policy core"
maturity_level: 3
allowed_tools:
  - name: "search_crm_accounts"
    max_calls_per_run: 1000000000
    reversibility: "read_only"
  - name: "update_invoice_status"
    max_calls_per_run: 1000000000
    reversibility: "partial"
    confidence_threshold: 0.88
    resources: ["invoice:*"]
  - name: "flag_for_human_review"
    max_calls_per_run: 1000000000
    escalation: true
explicitly_blocked_tools:
  - "merge_crm_accounts"
  - "delete_invoice"
interruption_policy:
  confidence_floor: 0.72
  max_tokens_per_run: 1000000000000
  max_records_touched_per_run: 1000000000000
  time_limit_minutes: 1000000
known_resource_types: ["invoice"]
`;

const GUARD_ARGS = { invoice_id: 'INV-1001', status: 'paid' };

/**
 * Times `n` guard calls on `run` and returns ns per call. Written without free variables: each tree and case
 * gets its own compiled copy (`ownCopy`), so the call site of `run.guard` stays monomorphic as in the core's
 * benchmark, instead of one shared function seeing both trees' `Run` classes.
 */
function guardBatch(run: Run, n: number, args: Record<string, unknown>): number {
  const start = process.hrtime.bigint();
  let proceeded = 0;
  for (let i = 0; i < n; i++) {
    const result = run.guard({
      tool: 'update_invoice_status',
      args,
      confidence: 0.95,
      records: 1,
      resource: 'invoice:INV-1001',
    });
    if (result.decision === 'proceed') proceeded++;
  }
  const ns = Number(process.hrtime.bigint() - start) / n;
  if (proceeded !== n) throw new Error(`run.guard did not proceed (${n - proceeded} of ${n})`);
  return ns;
}

let copies = 0;

function ownCopy<T extends (...args: never[]) => unknown>(fn: T): T {
  // A fresh function literal: its own type feedback and optimized code. The source differs per copy, or V8's
  // eval cache would hand back the same function (and its feedback) every time.
  return new Function(`// copy ${++copies}\nreturn (${fn.toString()});`)() as T;
}

/** One orbit and its current run, replaced (with the audit file truncated) every CALLS_PER_RUN calls, untimed. */
class RunPool {
  run: Run;
  private calls = 0;
  readonly batch = ownCopy(guardBatch);

  constructor(
    private readonly orbit: Orbit,
    private readonly sinkPath?: string,
  ) {
    this.run = orbit.startRun();
  }

  /** One timed sample: ns per call, mean of BATCH calls. */
  sample(): number {
    if (this.calls + BATCH > CALLS_PER_RUN) {
      void this.run.end();
      if (this.sinkPath) truncateSync(this.sinkPath, 0);
      this.run = this.orbit.startRun();
      this.calls = 0;
    }
    this.calls += BATCH;
    return this.batch(this.run, BATCH, GUARD_ARGS);
  }
}

interface GuardSetup {
  plain: RunPool;
  jsonl: RunPool;
  /** Closes the sink and deletes its file. */
  close(): void;
}

async function guardSetup(tree: CoreTree): Promise<GuardSetup> {
  const manifest = await tree.core.loadManifest({
    manifest: CORE_MANIFEST,
    allowUnsigned: true,
    logger: { warn() {} },
  });
  const path = join(tmpdir(), `orbit-compare-${tree.label}-${process.pid}.jsonl`);
  const sink = new tree.core.JsonlFileSink(path);
  const setup: GuardSetup = {
    plain: new RunPool(tree.core.createOrbit({ manifest })),
    jsonl: new RunPool(tree.core.createOrbit({ manifest, sink }), path),
    close() {
      sink.close?.();
      rmSync(path, { force: true });
    },
  };
  // Checks: both pools decide `proceed` (guardBatch throws otherwise) and the sink writes decision events.
  setup.plain.sample();
  setup.jsonl.sample();
  sink.flush?.();
  const decisions = readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((event) => event.event === 'decision' && event.decision === 'proceed');
  if (decisions.length !== BATCH) {
    fail(`${tree.label}: expected ${BATCH} proceed decisions in the JSONL file, found ${decisions.length}`);
  }
  return setup;
}

// ---------------------------------------------------------------------------------------------------------
// Case 3: the LangGraph agent (as part 1 of packages/langgraph/bench/overhead.ts, one turn of 10 calls)

/** The adapter tests' manifest (packages/langgraph/test/support.ts, `manifestOf()`). */
const LG_MANIFEST = {
  agent_id: 'lg-agent',
  owner_team: '#team-test',
  deployed_at: '2026-11-01T09:00:00Z',
  task_scope: 'Test ORBIT inside LangGraph',
  maturity_level: 3,
  allowed_tools: [
    { name: 'read', max_calls_per_run: 50, reversibility: 'read_only' },
    { name: 'draft', max_calls_per_run: 50, reversibility: 'reversible' },
    { name: 'update', max_calls_per_run: 50, reversibility: 'partial', confidence_threshold: 0.88 },
    { name: 'send', max_calls_per_run: 50, reversibility: 'irreversible', confidence_threshold: 0.9 },
    { name: 'explode', max_calls_per_run: 50, reversibility: 'read_only' },
  ],
  ...BENCH_LIMITS,
  delegation: {
    max_depth: 1,
    max_sub_agents_per_run: 3,
    profiles: [
      {
        name: 'researcher',
        description: 'reads and sends, nothing else',
        tools: [
          { name: 'read', max_calls_per_run: 5 },
          { name: 'send', max_calls_per_run: 1 },
        ],
        may_delegate: false,
        ttl_seconds: 600,
      },
    ],
  },
};

interface ScriptedCall {
  name: string;
  args: Record<string, unknown>;
  id: string;
}

/** One turn of CALLS parallel calls of `read` (read_only; confidence 0.99 proceeds at level 3), then "done". */
const TURNS: ScriptedCall[][] = [
  Array.from({ length: CALLS }, (_, i) => ({
    name: 'read',
    args: { id: `r0-${i}`, confidence: 0.99 },
    id: `call-0-${i}`,
  })),
];
const INPUT = { messages: [{ role: 'user', content: 'go' }] };

/**
 * The adapter tests' `ScriptedChatModel`, over a tree's own `BaseChatModel` and `AIMessage`: its answer is a
 * pure function of the conversation (replay-safe), no network.
 */
function scriptedModelClass(tree: Tree) {
  const { AIMessage } = tree;
  return class ScriptedChatModel extends tree.BaseChatModel {
    constructor(
      private readonly turns: readonly ScriptedCall[][],
      private readonly final = 'done',
    ) {
      super({});
    }
    _llmType() {
      return 'scripted';
    }
    bindTools(_tools: unknown[]) {
      return this;
    }
    async _generate(messages: Message[]) {
      const turn = messages.filter((message) => message.getType() === 'ai').length;
      const calls = this.turns[turn];
      const message = calls
        ? new AIMessage({
            content: '',
            id: `ai-${turn}-${calls.map((call) => call.id).join('-')}`,
            tool_calls: calls.map((call) => ({ ...call, type: 'tool_call' })),
          })
        : new AIMessage({ content: this.final, id: `ai-${turn}-final` });
      return { generations: [{ message, text: calls ? '' : this.final }] };
    }
  };
}

interface AgentVariant {
  tree: Tree;
  orbit: boolean;
  agent: Agent;
  checkpointer: Checkpointer;
  binding?: Binding;
}

let threadSeq = 0;

async function lgSetup(tree: Tree): Promise<{ plain: AgentVariant; orbit: AgentVariant }> {
  const manifest = await tree.core.loadManifest({
    manifest: LG_MANIFEST,
    allowUnsigned: true,
    logger: { warn() {} },
  });
  const { z } = tree;
  const readTool = tree.tool(async ({ id }: { id: string }) => `ok ${id}`, {
    name: 'read',
    description: 'Reads a record',
    schema: z.object({ id: z.string(), confidence: z.number().optional() }),
  });
  const Model = scriptedModelClass(tree);
  const variant = (binding?: Binding): AgentVariant => {
    const checkpointer = new tree.MemorySaver();
    const agent = tree.createAgent({
      model: new Model(TURNS),
      tools: [readTool],
      checkpointer,
      ...(binding ? { middleware: [binding.middleware()] } : {}),
    });
    return { tree, orbit: binding !== undefined, agent, checkpointer, binding };
  };
  const bindingOf = (sink?: Sink): Binding => {
    const binding = tree.orbitLangGraph(tree.core.createOrbit({ manifest, sink }));
    if (typeof binding?.middleware !== 'function')
      fail(`${tree.label}: orbitLangGraph(orbit).middleware is not a function`);
    return binding;
  };
  if (typeof bindingOf().endRun !== 'function') {
    console.warn(
      `warning: ${tree.label}: orbitLangGraph(orbit) has no endRun(); ORBIT runs are not ended between invokes`,
    );
  }
  const plain = variant();
  const orbit = variant(bindingOf());
  // Checks: every call ran the tool, from this tree's copy of @langchain/core, and ORBIT decided `proceed` for each.
  const sink = new tree.core.MemorySink();
  const checked = variant(bindingOf(sink));
  for (const v of [plain, orbit, checked]) checkResult(tree, v, await invokeOnce(v));
  const decisions = sink.events.filter((event) => event.event === 'decision');
  if (decisions.length !== CALLS || decisions.some((event) => event.decision !== 'proceed')) {
    fail(
      `${tree.label}: the ORBIT middleware should decide ${CALLS} proceeds, got ${JSON.stringify(decisions)}`,
    );
  }
  return { plain, orbit };
}

/** One invoke on a fresh thread; ending the ORBIT run and dropping the thread are untimed. */
async function invokeOnce(
  variant: AgentVariant,
): Promise<{ ns: number; messages: Message[]; interrupted: boolean }> {
  const config = { configurable: { thread_id: `${variant.tree.label}-${variant.orbit}-${threadSeq++}` } };
  const start = process.hrtime.bigint();
  const result = await variant.agent.invoke(INPUT, config);
  const ns = Number(process.hrtime.bigint() - start);
  await variant.binding?.endRun?.(config);
  await variant.checkpointer.deleteThread(config.configurable.thread_id);
  return { ns, messages: result.messages, interrupted: result.__interrupt__ !== undefined };
}

function checkResult(
  tree: Tree,
  variant: AgentVariant,
  result: { messages: Message[]; interrupted: boolean },
) {
  const tools = result.messages.filter((message) => message.getType() === 'tool');
  const ok =
    !result.interrupted &&
    tools.length === CALLS &&
    tools.every(
      (message) =>
        message instanceof tree.ToolMessage &&
        message.status !== 'error' &&
        String(message.content).startsWith('ok r'),
    ) &&
    result.messages.at(-1) instanceof tree.AIMessage &&
    result.messages.at(-1)?.content === 'done';
  if (!ok) {
    fail(
      `${tree.label}: the agent${variant.orbit ? ' with ORBIT' : ''} did not run its ${CALLS} calls with this ` +
        `tree's own @langchain/core classes: ${JSON.stringify(result.messages).slice(0, 2_000)}`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------
// A measuring process (`--worker <plan>`, spawned by the main process)

interface WorkerPlan {
  kind: 'guard' | 'agent';
  /** Among the processes of its kind: alternates which checkout loads first. */
  index: number;
  rounds: number;
  out: string;
}

/** Samples per series, paired by index (same round, back to back). */
interface GuardResult {
  kind: 'guard';
  firstLoaded: Label;
  /** ns per guard call: [before, after]. */
  guard: [number[], number[]];
  guardJsonl: [number[], number[]];
  seconds: number;
}

interface AgentResult {
  kind: 'agent';
  firstLoaded: Label;
  /** ns per tool call: [before alone, before + ORBIT, after alone, after + ORBIT]. */
  agent: [number[], number[], number[], number[]];
  seconds: number;
}

/** Runs `round(timed)` for WARMUP_ROUNDS untimed rounds, then up to `rounds` timed ones within `cap` seconds. */
async function timedRounds(
  rounds: number,
  cap: number,
  round: (index: number, timed: boolean) => unknown,
): Promise<number> {
  let start = 0;
  for (let index = 0; index < WARMUP_ROUNDS + rounds; index++) {
    const timed = index >= WARMUP_ROUNDS;
    if (index === WARMUP_ROUNDS) start = performance.now();
    else if (timed && performance.now() - start > cap * 1000) break;
    await round(index, timed);
  }
  return (performance.now() - start) / 1000;
}

async function runWorker(plan: WorkerPlan): Promise<void> {
  const order: Label[] = plan.index % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
  if (!recordResolutions() && plan.index === 0) {
    console.warn(`warning: no module.registerHooks in Node ${process.version}: module graphs not checked`);
  }
  const load = plan.kind === 'guard' ? loadCore : loadTree;
  const loaded = new Map<Label, CoreTree>();
  for (const label of order) loaded.set(label, await load(label, dirs[label]));
  const trees = [loaded.get('before')!, loaded.get('after')!] as const;
  const first = order[0] === 'before' ? 0 : 1;
  const result =
    plan.kind === 'guard'
      ? await guardWorker(trees, first, plan)
      : await agentWorker(trees as readonly [CoreTree, CoreTree] as readonly [Tree, Tree], first, plan);
  checkModuleGraph(trees);
  writeFileSync(plan.out, JSON.stringify({ ...result, firstLoaded: order[0]! }));
}

/**
 * Sets up both trees, the one loaded first also first: which copy came first can matter (V8's heap and
 * allocation-site state), so it alternates between processes with the load order.
 */
async function inOrder<T, R>(trees: readonly [T, T], first: number, setup: (tree: T) => Promise<R>) {
  const made: R[] = [];
  made[first] = await setup(trees[first]!);
  made[1 - first] = await setup(trees[1 - first]!);
  return made as [R, R];
}

/** Each pair runs before and after back to back, the first of the two alternating. */
async function guardWorker(trees: readonly [CoreTree, CoreTree], first: number, plan: WorkerPlan) {
  const guards = await inOrder(trees, first, guardSetup);
  checkModuleGraph(trees);
  const guard: [number[], number[]] = [[], []];
  const guardJsonl: [number[], number[]] = [[], []];
  const seconds = await timedRounds(plan.rounds, GUARD_SECONDS, (round, timed) => {
    for (const [samples, pool] of [
      [guard, 'plain'],
      [guardJsonl, 'jsonl'],
    ] as const) {
      for (let k = 0; k < GUARD_PAIRS; k++) {
        const leader = (round + k) % 2;
        for (const side of [leader, 1 - leader]) {
          const ns = guards[side]![pool].sample();
          if (timed) samples[side]!.push(ns);
        }
      }
    }
  });
  for (const setup of guards) setup.close();
  return { kind: 'guard', guard, guardJsonl, seconds } satisfies Omit<GuardResult, 'firstLoaded'>;
}

/** The four agents in an order rotated every round (each in each position equally often). */
async function agentWorker(trees: readonly [Tree, Tree], first: number, plan: WorkerPlan) {
  if (realpathSync(dirs.before) !== realpathSync(dirs.after)) {
    if (trees[0].ToolMessage === trees[1].ToolMessage || trees[0].createAgent === trees[1].createAgent) {
      fail('the two checkouts share one copy of @langchain/core or langchain: they must be separate trees');
    }
  }
  const agents = await inOrder(trees, first, lgSetup);
  checkModuleGraph(trees);
  const variants = [agents[0].plain, agents[0].orbit, agents[1].plain, agents[1].orbit];
  const agent: AgentResult['agent'] = [[], [], [], []];
  const perCall = [0, 0, 0, 0];
  const seconds = await timedRounds(plan.rounds, AGENT_SECONDS, async (round, timed) => {
    for (let i = 0; i < variants.length; i++) {
      const which = (i + round) % variants.length;
      perCall[which] = (await invokeOnce(variants[which]!)).ns / CALLS;
    }
    if (timed) for (let which = 0; which < variants.length; which++) agent[which]!.push(perCall[which]!);
  });
  return { kind: 'agent', agent, seconds } satisfies Omit<AgentResult, 'firstLoaded'>;
}

// ---------------------------------------------------------------------------------------------------------
// Statistics

/** Median; sorts `values` in place. */
const medianInPlace = (values: Float64Array) => quantile(values.sort(), 0.5);
const pooled = (series: number[][]) => Float64Array.from(series.flat());

/**
 * Two-level bootstrap of paired series: processes drawn with replacement, then rounds with replacement within
 * each drawn process (a round's values in all series stay together). `groups[p][s][r]`: process p, series s,
 * round r. Returns `stat` of each resample.
 */
function bootstrap(groups: number[][][], stat: (series: Float64Array[]) => number[]): number[][] {
  const next = random(42);
  const seriesCount = groups[0]!.length;
  const resamples: number[][] = [];
  for (let b = 0; b < BOOTSTRAP; b++) {
    const picks = groups.map(() => groups[Math.floor(next() * groups.length)]!);
    const total = picks.reduce((sum, pick) => sum + pick[0]!.length, 0);
    const series = Array.from({ length: seriesCount }, () => new Float64Array(total));
    let offset = 0;
    for (const pick of picks) {
      const rounds = pick[0]!.length;
      for (let i = 0; i < rounds; i++) {
        const round = Math.floor(next() * rounds);
        for (let s = 0; s < seriesCount; s++) series[s]![offset + i] = pick[s]![round]!;
      }
      offset += rounds;
    }
    resamples.push(stat(series));
  }
  return resamples;
}

function interval(values: number[]): [number, number] {
  const sorted = Float64Array.from(values).sort();
  return [quantile(sorted, 0.025), quantile(sorted, 0.975)];
}

interface Row {
  name: string;
  unit: 'ns' | 'µs';
  before: number;
  after: number;
  /** p99 of the samples, if the row has samples of its own. */
  p99?: [number, number];
  ratio: number;
  /** 95% interval of the ratio; undefined: no ratio can be formed. */
  ci?: [number, number];
  perProcess: number[];
  control?: boolean;
  verdict: string;
  slower: boolean;
}

function verdictOf(ratio: number, ci: [number, number] | undefined): { verdict: string; slower: boolean } {
  if (!ci || !Number.isFinite(ratio)) return { verdict: 'inconclusive', slower: false };
  if (ci[0] > 1 + TOLERANCE && ratio > 1) return { verdict: 'SLOWER', slower: true };
  if (ci[1] <= 1 + TOLERANCE) return { verdict: 'no slower', slower: false };
  return { verdict: `no slower (not excluded: up to ${ci[1].toFixed(3)})`, slower: false };
}

/** A before/after pair of series: medians, p99s, ratio of the medians and its interval. */
function pairRow(name: string, unit: Row['unit'], groups: number[][][], control = false): Row {
  const before = pooled(groups.map((g) => g[0]!));
  const after = pooled(groups.map((g) => g[1]!));
  const medians = [medianInPlace(before), medianInPlace(after)] as const;
  const ratio = medians[1] / medians[0];
  const ci = interval(
    bootstrap(groups, ([b, a]) => [medianInPlace(a!) / medianInPlace(b!)]).map(([r]) => r!),
  );
  const perProcess = groups.map(
    ([b, a]) => medianInPlace(Float64Array.from(a!)) / medianInPlace(Float64Array.from(b!)),
  );
  return {
    name,
    unit,
    before: medians[0],
    after: medians[1],
    p99: [quantile(before, 0.99), quantile(after, 0.99)],
    ratio,
    ci,
    perProcess,
    control,
    ...verdictOf(ratio, ci),
  };
}

interface AddedCost {
  row: Row;
  before: [number, number, number];
  after: [number, number, number];
  delta: [number, number, number];
}

/** ORBIT's added cost per tool call in each tree: median(with ORBIT) − median(alone), and after/before. */
function addedRow(groups: number[][][]): AddedCost {
  const addedOf = (series: Float64Array[]) => {
    const [bPlain, bOrbit, aPlain, aOrbit] = series.map(medianInPlace) as [number, number, number, number];
    return [bOrbit - bPlain, aOrbit - aPlain];
  };
  const copy = (s: number) => pooled(groups.map((g) => g[s]!));
  const [before, after] = addedOf([copy(0), copy(1), copy(2), copy(3)]) as [number, number];
  const resamples = bootstrap(groups, addedOf);
  const beforeCi = interval(resamples.map(([b]) => b!));
  const afterCi = interval(resamples.map(([, a]) => a!));
  const deltaCi = interval(resamples.map(([b, a]) => a! - b!));
  // A ratio only if the before tree's added cost is clearly above zero.
  const ratio = after / before;
  const ci = beforeCi[0] > 0 ? interval(resamples.map(([b, a]) => a! / b!)) : undefined;
  const perProcess = groups.map((g) => {
    const [b, a] = addedOf(g.map((s) => Float64Array.from(s))) as [number, number];
    return a / b;
  });
  return {
    row: {
      name: "ORBIT's added cost per tool call (µs, with − without ORBIT)",
      unit: 'µs',
      before,
      after,
      ratio,
      ci,
      perProcess,
      ...verdictOf(ratio, ci),
    },
    before: [before, ...beforeCi],
    after: [after, ...afterCi],
    delta: [after - before, ...deltaCi],
  };
}

const fmt = (ns: number, unit: Row['unit']) =>
  (unit === 'ns' ? ns : ns / 1e3).toLocaleString('en-US', {
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  });

// ---------------------------------------------------------------------------------------------------------
// The main process: checks, spawns the measuring processes one after another, pools and reports

async function runMain(): Promise<void> {
  const started = performance.now();
  const info = (['before', 'after'] as const).map((label) => checkCheckout(label, dirs[label]));
  if (realpathSync(dirs.before) === realpathSync(dirs.after)) {
    console.warn('warning: --before and --after are the same directory: one copy of everything (an A/A run)');
  }
  console.log(`# ORBIT before/after benchmark${QUICK ? ' (--quick)' : ''}\n`);
  console.log(
    `- Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} logical cores, ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load average ${loadavg()
        .map((load) => load.toFixed(2))
        .join(' ')} at the start`,
  );
  console.log(`- Node ${process.version} (${process.execPath}); ${new Date().toISOString()}`);
  for (const tree of info)
    console.log(`- ${tree.label}: \`${tree.commit}\` in ${tree.dir} (${tree.versions})`);
  console.log(
    `- ${GUARD_PROCESSES} guard processes (${WARMUP_ROUNDS} warm-up + ${GUARD_ROUNDS} rounds, or ` +
      `${GUARD_SECONDS} s; a round: ${GUARD_PAIRS} before/after pairs of ${BATCH}-call samples per case) and ` +
      `${PROCESSES} agent processes (${WARMUP_ROUNDS} warm-up + ${AGENT_ROUNDS / PROCESSES} rounds, or ` +
      `${AGENT_SECONDS.toFixed(0)} s; a round: one invoke of 1 turn × ${CALLS} parallel tool calls per agent, 4 agents), ` +
      'one process after another\n',
  );

  // The guard processes spread between the agent ones, so that both kinds see the machine at all times.
  const schedule: Omit<WorkerPlan, 'out'>[] = [];
  for (let a = 0; a < PROCESSES; a++) {
    for (let g = 0; g < GUARD_PROCESSES / PROCESSES; g++) {
      schedule.push({
        kind: 'guard',
        index: schedule.filter((p) => p.kind === 'guard').length,
        rounds: GUARD_ROUNDS,
      });
    }
    const rounds = Math.floor(AGENT_ROUNDS / PROCESSES) + (a < AGENT_ROUNDS % PROCESSES ? 1 : 0);
    schedule.push({ kind: 'agent', index: a, rounds });
  }
  const guardResults: GuardResult[] = [];
  const agentResults: AgentResult[] = [];
  const runStart = performance.now();
  for (const [n, step] of schedule.entries()) {
    const plan: WorkerPlan = { ...step, out: join(tmpdir(), `orbit-compare-${process.pid}-${n}.json`) };
    const args = ['--before', dirs.before, '--after', dirs.after, '--processes', String(PROCESSES)];
    if (QUICK) args.push('--quick');
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, scriptFile, ...args, '--worker', JSON.stringify(plan)],
      // Without NODE_PATH: pnpm points it at the running checkout's store, where a package of one tree
      // would find a dependency it lacks in the other (debug → supports-color) and the trees would meet.
      { stdio: 'inherit', env: { ...process.env, NODE_PATH: '' } },
    );
    if (child.status !== 0) {
      console.error(
        `bench:compare: measuring process ${n + 1} (${plan.kind}) failed (${child.status ?? child.signal})`,
      );
      process.exit(child.status || 2);
    }
    const result = JSON.parse(readFileSync(plan.out, 'utf8')) as GuardResult | AgentResult;
    rmSync(plan.out, { force: true });
    if (result.kind === 'guard') guardResults.push(result);
    else {
      agentResults.push(result);
      console.log(
        `  ${n + 1}/${schedule.length} processes done (${((performance.now() - runStart) / 1000).toFixed(0)} s); ` +
          `agent process ${plan.index + 1}: ${result.agent[0].length} rounds in ${result.seconds.toFixed(1)} s, ` +
          `${result.firstLoaded} loaded first`,
      );
    }
  }
  const agentGroups = agentResults.map((r) => r.agent);
  const added = addedRow(agentGroups);
  const rows: Row[] = [
    pairRow(
      'run.guard, no sink (ns/call)',
      'ns',
      guardResults.map((r) => r.guard),
    ),
    pairRow(
      'run.guard, JSONL sink, hash-chained (ns/call)',
      'ns',
      guardResults.map((r) => r.guardJsonl),
    ),
    pairRow(
      'createAgent + ORBIT middleware (µs/tool call)',
      'µs',
      agentGroups.map(([, bo, , ao]) => [bo, ao]),
    ),
    pairRow(
      'createAgent alone, control (µs/tool call)',
      'µs',
      agentGroups.map(([bp, , ap]) => [bp, ap]),
      true,
    ),
    added.row,
  ];
  const count = (groups: number[][][]) =>
    groups.reduce((n, g) => n + g[0]!.length, 0).toLocaleString('en-US');
  console.log(
    `\n## Results\n\nSamples per tree: ${count(guardResults.map((r) => r.guard))} per guard case (each the mean of ` +
      `${BATCH} calls) from ${guardResults.length} processes; ${count(agentGroups)} invokes per agent from ` +
      `${agentResults.length} processes.\n`,
  );
  const range = (values: number[]) =>
    values.length === 1
      ? values[0]!.toFixed(3)
      : `${Math.min(...values).toFixed(3)} to ${Math.max(...values).toFixed(3)}`;
  console.log(
    table(
      [
        'case',
        'before median',
        'after median',
        'before p99',
        'after p99',
        'after/before',
        '95% CI',
        'per process',
        'verdict',
      ],
      rows.map((row) => [
        row.name,
        fmt(row.before, row.unit),
        fmt(row.after, row.unit),
        row.p99 ? fmt(row.p99[0], row.unit) : '—',
        row.p99 ? fmt(row.p99[1], row.unit) : '—',
        row.ratio.toFixed(3),
        row.ci ? `${row.ci[0].toFixed(3)} to ${row.ci[1].toFixed(3)}` : 'n/a',
        range(row.perProcess),
        row.control ? `${row.verdict} (control)` : row.verdict,
      ]),
    ),
  );
  const us = ([value, low, high]: [number, number, number]) =>
    `${fmt(value, 'µs')} µs (${fmt(low, 'µs')} to ${fmt(high, 'µs')})`;
  console.log(
    `\nORBIT's added cost per tool call, median with ORBIT − median without, in the same tree (95% CI): ` +
      `before ${us(added.before)}, after ${us(added.after)}, after − before ${us(added.delta)}.`,
  );
  console.log(`
How to read it:
- Medians and p99 are over all samples of all processes. after/before is the ratio of the medians.
- 95% CI: bootstrap (${BOOTSTRAP.toLocaleString('en-US')} resamples): the processes drawn with replacement, then
  the rounds within each (a round's before and after samples stay together).
- "per process": the ratio in each measuring process alone. Its spread on identical code is the noise floor
  that one process cannot show (the two copies of the code are JIT-compiled apart).
- The control row runs no ORBIT code (LangChain alone, each tree's own copy): its ratio is the noise between
  the trees' agents. It does not count for the exit status.
- Verdict: ${VERDICT}
- Exit status 1 if a non-control row is SLOWER.`);
  console.log(`\nTotal ${((performance.now() - started) / 1000).toFixed(0)} s.`);

  if (options.json) {
    writeFileSync(
      options.json,
      JSON.stringify({
        trees: info,
        options: { PROCESSES, GUARD_PROCESSES, AGENT_ROUNDS, GUARD_ROUNDS, BATCH, CALLS },
        guardResults,
        agentResults,
      }),
    );
  }
  if (rows.some((row) => row.slower && !row.control)) process.exitCode = 1;
}

if (options.worker) await runWorker(JSON.parse(options.worker) as WorkerPlan);
else await runMain();
