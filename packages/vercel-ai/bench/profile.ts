// CPU profiles of a variant (node:inspector), summarised by owner: ORBIT, the AI SDK, the scripted model.
import { Session } from 'node:inspector/promises';
import { basename } from 'node:path';
import { pct, table } from './stats.js';

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};

type Profile = { nodes: ProfileNode[]; samples?: number[]; timeDeltas?: number[] };

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
 * @example
 * const summary = await profiled('1 turn × 10 calls', 6_000, async () => { for (...) await invoke(); });
 */
export async function profiled(
  shape: string,
  calls: number,
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
    return summarize(profile as Profile, shape, calls);
  } finally {
    session.disconnect();
  }
}

function ownerOf(url: string): string | undefined {
  if (
    url.includes('/packages/core/') ||
    url.includes('/packages/vercel-ai/src/') ||
    url.includes('/packages/vercel-ai/dist/')
  )
    return 'ORBIT';
  if (url.includes('/packages/vercel-ai/test/')) return 'scripted model';
  if (url.includes('/packages/vercel-ai/bench/')) return 'bench loop';
  if (url.includes('/node_modules/ai/') || url.includes('/node_modules/@ai-sdk/')) return 'AI SDK';
  return undefined;
}

/**
 * Each sample goes to the nearest frame on its stack (from the leaf up) that belongs to ORBIT (core or this
 * adapter), to the AI SDK (`ai`, `@ai-sdk/*`), to the scripted model or to the bench loop; zod, OpenTelemetry,
 * Node internals and builtins are passed over (charged to whoever called them). GC and "(program)" stay apart.
 */
function summarize(profile: Profile, shape: string, calls: number): ProfileSummary {
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
      if (owner === 'ORBIT') {
        add(summary.orbitFrames, frameName(frame), us);
        add(summary.orbitLeaves, frameName(leaf.callFrame), us);
      }
    }
    add(summary.owners, owner ?? 'other (no owner on the stack)', us);
  }
  return summary;
}

/** Prints the owners' shares, the top ORBIT frames and the top leaves under them, per shape. */
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
function frameName(frame: { functionName: string; url: string; lineNumber: number }): string {
  const file = frame.url ? basename(frame.url.replace(/^file:\/\//, '')) : '(native)';
  const line = file.endsWith('.ts') || !frame.url ? '' : `:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'} ${file}${line}`;
}
