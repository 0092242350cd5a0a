// CPU profiles of a bench's work (node:inspector), summarised by owner: ORBIT, the agent framework, the
// scripted model, ... The caller says which file belongs to whom; the summary and the tables are the same for
// every adapter.
import { Session } from 'node:inspector/promises';
import { basename } from 'node:path';
import { pct, table } from './format.js';
import { freshThread } from './threads.js';

type CallFrame = { functionName: string; url: string; lineNumber: number };

type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };

type Profile = { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] };

/**
 * The owner of a script URL (`ORBIT`, the framework's name, `scripted model`, ...), or undefined for code that
 * is charged to its caller (zod, Node internals, builtins). Frames owned by `ORBIT` are also listed by name.
 */
export type OwnerOf = (url: string) => string | undefined;

/** The owner given to ORBIT's own files: its samples are broken down by frame too. */
export const ORBIT = 'ORBIT';

/** One profile, summarised: µs of samples by owner, and ORBIT's samples by nearest ORBIT frame and by leaf. */
export interface ProfileSummary {
  shape: string;
  /** Tool calls made while profiling. */
  calls: number;
  /** µs of samples, idle and the profiler's own stop request excluded. */
  total: number;
  owners: Map<string, number>;
  orbitFrames: Map<string, number>;
  orbitLeaves: Map<string, number>;
}

/**
 * Profiles `work` (100 µs sampling) and summarises it per tool call.
 *
 * @throws whatever `work` throws (the profiler session is closed first).
 * @example
 * const summary = await profiled('1 turn × 10 calls', 6_000, ownerOf, async () => { for (...) await invoke(); });
 */
export async function profiled(
  shape: string,
  calls: number,
  ownerOf: OwnerOf,
  work: () => Promise<void>,
): Promise<ProfileSummary> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 100 });
    await session.post('Profiler.start');
    await work();
    const { profile } = await session.post('Profiler.stop');
    return summarize(profile as Profile, shape, calls, ownerOf);
  } finally {
    session.disconnect();
  }
}

/**
 * Profiles `run` on `threads` fresh threads (`calls` tool calls each); `after` each thread (ending its ORBIT
 * run) comes after the profile, left out of it as it is untimed in part 1.
 *
 * @example
 * summaries.push(await profiledThreads('ORBIT, 1 turn × 10 calls', 50, 10, ownerOf, variant.invoke, variant.after));
 */
export async function profiledThreads(
  shape: string,
  threads: number,
  calls: number,
  ownerOf: OwnerOf,
  run: (threadId: string) => Promise<unknown>,
  after: (threadId: string) => Promise<unknown>,
): Promise<ProfileSummary> {
  const ids = Array.from({ length: threads }, () => freshThread('profile'));
  const summary = await profiled(shape, threads * calls, ownerOf, async () => {
    for (const threadId of ids) await run(threadId);
  });
  for (const threadId of ids) await after(threadId);
  return summary;
}

/** bench/lib's own files (the shared bench loop), as script URLs start. */
const BENCH_LIB = new URL('.', import.meta.url).href;

/**
 * The owners of an adapter bench's frames: ORBIT (the core, `packages/<adapter>/src` or `dist`), the scripted
 * model (files under `packages/<adapter>/` whose path starts with one of `modelPaths`), the bench loop (the
 * package's `bench/` and bench/lib), else what `frameworkOf` says (the framework's own files).
 *
 * @example
 * export const ownerOf = adapterOwners('vercel-ai', ['test/'], (url) => (url.includes('/node_modules/ai/') ? 'AI SDK' : undefined));
 */
export function adapterOwners(adapter: string, modelPaths: readonly string[], frameworkOf: OwnerOf): OwnerOf {
  const root = `/packages/${adapter}/`;
  const orbit = ['/packages/core/', `${root}src/`, `${root}dist/`];
  const model = modelPaths.map((path) => `${root}${path}`);
  const bench = `${root}bench/`;
  return (url) => {
    if (orbit.some((path) => url.includes(path))) return ORBIT;
    if (model.some((path) => url.includes(path))) return 'scripted model';
    if (url.includes(bench) || url.startsWith(BENCH_LIB)) return 'bench loop';
    return frameworkOf(url);
  };
}

/**
 * Each sample goes to the nearest frame on its stack (from the leaf up) that has an owner; frames without one
 * (zod, OpenTelemetry, Node internals, builtins) are passed over, charged to whoever called them. GC and
 * "(program)" samples stay apart.
 */
function summarize(profile: Profile, shape: string, calls: number, ownerOf: OwnerOf): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const onStack = (from: number, test: (url: string) => boolean) => {
    for (let id: number | undefined = from; id !== undefined; id = parent.get(id)) {
      if (test(byId.get(id)!.callFrame.url)) return true;
    }
    return false;
  };
  const summary: ProfileSummary = {
    shape,
    calls,
    total: 0,
    owners: new Map(),
    orbitFrames: new Map(),
    orbitLeaves: new Map(),
  };
  const add = (map: Map<string, number>, key: string, us: number) => map.set(key, (map.get(key) ?? 0) + us);
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const us = Math.max(0, deltas[i] ?? 0);
    const leaf = byId.get(samples[i]!)!;
    const name = leaf.callFrame.functionName;
    // Idle, and the profiler's own stop request (its sample carries the time spent in Profiler.stop).
    if (name === '(idle)' || onStack(leaf.id, (url) => url === 'node:inspector')) continue;
    summary.total += us;
    if (name === '(garbage collector)' || name === '(program)') {
      add(summary.owners, name, us);
      continue;
    }
    let owner: string | undefined;
    for (let id: number | undefined = leaf.id; id !== undefined && !owner; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      owner = ownerOf(frame.url);
      if (owner === ORBIT) {
        add(summary.orbitFrames, frameName(frame), us);
        add(summary.orbitLeaves, frameName(leaf.callFrame), us);
      }
    }
    add(summary.owners, owner ?? 'other (no owner on the stack)', us);
  }
  return summary;
}

/** Prints the owners' shares, the top ORBIT frames and the top leaves under them, one column per summary. */
export function printProfiles(summaries: ProfileSummary[]): void {
  const header = (what: string) => [what, ...summaries.map((s) => s.shape)];
  const perCall = (s: ProfileSummary, us: number) => `${pct(us / s.total)} (${(us / s.calls).toFixed(1)} µs)`;
  const owners = [...new Set(summaries.flatMap((s) => [...s.owners.keys()]))];
  console.log(
    table(header('nearest owner frame'), [
      ...owners.map((owner) => [owner, ...summaries.map((s) => perCall(s, s.owners.get(owner) ?? 0))]),
      ['all (under the profiler)', ...summaries.map((s) => perCall(s, s.total))],
    ]),
  );
  const top = (pick: (s: ProfileSummary) => Map<string, number>) => {
    const frames = new Map<string, number>();
    for (const s of summaries)
      for (const [frame, us] of pick(s)) frames.set(frame, (frames.get(frame) ?? 0) + us / s.calls);
    return [...frames.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([frame]) => [frame, ...summaries.map((s) => perCall(s, pick(s).get(frame) ?? 0))]);
  };
  console.log('\nTop ORBIT frames: the nearest ORBIT frame of each ORBIT sample\n');
  console.log(
    table(
      header('frame'),
      top((s) => s.orbitFrames),
    ),
  );
  console.log('\nTop leaf frames of ORBIT samples: ORBIT code, or the builtin or zod code it called\n');
  console.log(
    table(
      header('leaf frame'),
      top((s) => s.orbitLeaves),
    ),
  );
}

/** `name file:line`; tsx-compiled `.ts` files get no line (it would be the compiled file's). */
function frameName(frame: CallFrame): string {
  const file = frame.url ? basename(frame.url.replace(/^file:\/\//, '')) : '(native)';
  const line = file.endsWith('.ts') || !frame.url ? '' : `:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'} ${file}${line}`;
}
