import type { RollbackEntry, RollbackReport } from '@orbit-agents/core';
import { planStoredRollback, rollbackStoredRun, type StoredRollbackStep } from '@orbit-agents/core/stores';
import { CliError, EXIT, usageError } from '../cli-error.js';
import type { Command } from '../command.js';
import { emit, type Io, styleOf } from '../io.js';
import { loadTools } from '../load-tools.js';
import { openStore, STORE_HELP, STORE_OPTION } from '../open-store.js';

/** `orbit rollback`: rolls a run back from its compensation log in a store, with the application's undos. */
export const rollback: Command = {
  path: ['rollback'],
  summary: "roll a run back from the store's compensation log (runs the tools' undos)",
  usage: [
    'orbit rollback <run-id> --store <where> --tools <module> [--tree <tree id>] [--dry-run] [--yes]',
    '',
    "Reads the run's compensation log (its executed writes) from the store and prints the plan, newest",
    'first: each action with its tool, resource, tier and what will be done (undo, manual recovery,',
    'unrecoverable). Then asks "Run N undos?" on a terminal, or needs --yes when not on one, and runs the',
    "undos with the arguments and output the store kept. Undos live in the tools' code: --tools names the",
    "module exporting the application's defineTool tools (an array export `tools`, or named exports).",
    '',
    'Options:',
    STORE_HELP,
    '  --tools <module>    a JS (or TS) module exporting the tools, relative to the working directory',
    '  --tree <tree id>    the run tree (root run id) of a sub-agent run; default: the run id (a root run)',
    '  --dry-run           print the plan only',
    '  --yes               run the undos without asking (needed when not on a terminal)',
    '  --json              the plan (--dry-run) or the rollback report as JSON',
    '',
    'Exit codes: 0 rolled back (or planned), 1 not confirmed or an undo failed, 3 a bad --tools module,',
    '4 no actions for the run, 5 store down.',
  ].join('\n'),
  options: {
    ...STORE_OPTION,
    tools: { type: 'string' },
    tree: { type: 'string' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
  },
  async run(args, io) {
    const { values, positionals } = args;
    const runId = positionals[0];
    if (runId === undefined || positionals.length > 1)
      throw usageError('expected one run id: orbit rollback <run-id> --store <where> --tools <module>.');
    if (typeof values.tools !== 'string')
      throw usageError("--tools <module> is required: the undos live in the application's tools.");
    const tools = await loadTools(values.tools, io.cwd);
    const treeId = typeof values.tree === 'string' ? values.tree : runId;
    const store = await openStore(values.store as string | undefined, io.env);
    try {
      const target = { treeId, runId, tools };
      const plan = await planStoredRollback(store, target);
      if (plan.length === 0)
        throw new CliError(
          'ERR_RUN_NOT_FOUND',
          `nothing to roll back for run ${runId}: the store has no executed writes of it (no such run in tree ${treeId}, or it wrote nothing).`,
          EXIT.NOT_FOUND,
        );
      const undos = plan.filter((step) => step.plan === 'undo').length;
      if (values['dry-run'] === true) {
        emit(io, { run_id: runId, tree_id: treeId, dry_run: true, undos, plan }, () =>
          planText(io, runId, plan),
        );
        return EXIT.OK;
      }
      if (undos > 0 && values.yes !== true) {
        if (!io.json) io.out(`${planText(io, runId, plan)}\n`);
        const confirmed =
          io.tty && !io.json ? await io.confirm(`Run ${undos} undo${undos === 1 ? '' : 's'}?`) : false;
        if (!confirmed)
          throw new CliError(
            'ERR_NOT_CONFIRMED',
            io.tty && !io.json
              ? 'not run: not confirmed.'
              : `not run: pass --yes to run ${undos} undo${undos === 1 ? '' : 's'}.`,
            EXIT.FAILED,
          );
      } else if (!io.json) io.out(`${planText(io, runId, plan)}\n`);
      const report = await rollbackStoredRun(store, target);
      emit(io, { run_id: runId, tree_id: treeId, ...report }, () => reportText(io, report));
      return report.undo_failed.length > 0 ? EXIT.FAILED : EXIT.OK;
    } finally {
      await store.close();
    }
  },
};

const PLAN_WORDS: Record<StoredRollbackStep['plan'], string> = {
  undo: 'undo',
  manual_recovery: 'manual recovery',
  unrecoverable: 'unrecoverable',
  already_undone: 'undone already',
};

/** The plan, one aligned line per action: what will be done, tool, resource, tier, why not undone. */
function planText(io: Io, runId: string, plan: readonly StoredRollbackStep[]): string {
  const style = styleOf(io);
  const rows = plan.map((step) => [
    PLAN_WORDS[step.plan],
    step.tool,
    step.resource ?? '-',
    step.reversibility,
    step.why ?? '',
  ]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  const colour = {
    undo: style.green,
    manual_recovery: style.yellow,
    unrecoverable: style.red,
    already_undone: style.dim,
  };
  const lines = rows.map((row, n) => {
    const cells = row.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell));
    cells[0] = colour[plan[n]!.plan](cells[0]!);
    return `  ${cells.join('  ').trimEnd()}`;
  });
  const undos = plan.filter((step) => step.plan === 'undo').length;
  return [
    style.bold(
      `rollback plan for run ${runId}: ${plan.length} action${plan.length === 1 ? '' : 's'}, newest first; ${undos} undo${undos === 1 ? '' : 's'} to run`,
    ),
    ...lines,
  ].join('\n');
}

/** The report: what was undone, what failed, and the manual-recovery checklist. */
function reportText(io: Io, report: RollbackReport): string {
  const style = styleOf(io);
  const line = (entry: RollbackEntry) =>
    `  ${entry.tool} ${entry.resource ?? '-'} (call ${entry.call_id})${entry.error ? `: ${entry.error}` : ''}`;
  const section = (title: string, entries: readonly RollbackEntry[]) =>
    entries.length === 0 ? [] : [title, ...entries.map(line)];
  const omitted = Object.entries(report.omitted ?? {});
  return [
    `${style.green('undone')}: ${report.undone.length}, ${style.red('undo failed')}: ${report.undo_failed.length}, manual recovery: ${report.manual_recovery.length}, unrecoverable: ${report.unrecoverable.length}`,
    ...section('undone:', report.undone),
    ...section(style.red('undo failed (recover by hand):'), report.undo_failed),
    ...section(style.yellow('manual recovery:'), report.manual_recovery),
    ...section(style.red('unrecoverable:'), report.unrecoverable),
    ...section('undone already (by an earlier rollback):', report.already_undone ?? []),
    ...(omitted.length === 0 ? [] : [`omitted: ${omitted.map(([tool, n]) => `${tool} x${n}`).join(', ')}`]),
  ].join('\n');
}
