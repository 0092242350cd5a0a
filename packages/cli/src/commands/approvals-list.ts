import { EXIT } from '../cli-error.js';
import type { Command } from '../command.js';
import { emit, styleOf } from '../io.js';
import { openStore, STORE_HELP, STORE_OPTION } from '../open-store.js';
import { approvalJson, compactJson, formatDuration, parseDuration } from './approvals-shared.js';

/** `orbit approvals list`: the pending approvals of a store, oldest first. */
export const approvalsList: Command = {
  path: ['approvals', 'list'],
  summary: 'list the pending approvals of a store, oldest first',
  usage: [
    'orbit approvals list --store <where> [--agent <id>] [--run <tree id>] [--older-than <duration>]',
    '',
    'Lists the approvals waiting for a person, oldest first: approval id, agent, run, tool, arguments,',
    'confidence, tier, reasons, action hash (short), age and time left before it times out.',
    '',
    'Options:',
    STORE_HELP,
    '  --agent <id>              only this agent',
    '  --run <tree id>           only this run tree (the root run id)',
    '  --older-than <duration>   only approvals waiting longer than this (30s, 15m, 2h, 1d)',
    '  --json                    a JSON array',
  ].join('\n'),
  options: {
    ...STORE_OPTION,
    agent: { type: 'string' },
    run: { type: 'string' },
    'older-than': { type: 'string' },
  },
  async run(args, io) {
    const { values } = args;
    const olderThan =
      typeof values['older-than'] === 'string'
        ? parseDuration(values['older-than'], '--older-than')
        : undefined;
    const store = await openStore(values.store as string | undefined, io.env);
    try {
      const now = Date.now();
      const pending = await store.listPending({
        now,
        ...(typeof values.agent === 'string' ? { agentId: values.agent } : {}),
        ...(typeof values.run === 'string' ? { treeId: values.run } : {}),
        ...(olderThan === undefined ? {} : { olderThanMs: olderThan }),
      });
      const rows = pending.map((approval) => approvalJson(approval, now));
      emit(io, rows, () => table(rows, io.tty, styleOf(io).bold));
      return EXIT.OK;
    } finally {
      await store.close();
    }
  },
};

type Row = ReturnType<typeof approvalJson>;

const COLUMNS: readonly [string, (row: Row, tty: boolean) => string][] = [
  ['APPROVAL', (r) => r.approval_id],
  ['AGENT', (r) => r.agent_id],
  ['RUN', (r) => r.run_id],
  ['TOOL', (r) => r.tool],
  ['ARGS', (r, tty) => (tty ? compactJson(r.args, 40) : JSON.stringify(r.args ?? null))],
  ['CONFIDENCE', (r) => (r.confidence === null ? '-' : String(r.confidence))],
  ['TIER', (r) => r.reversibility],
  ['REASONS', (r) => r.reasons.join(',') || '-'],
  ['HASH', (r) => r.action_hash.replace(/^sha256:/, '').slice(0, 12)],
  ['AGE', (r) => formatDuration(r.age_ms)],
  ['LEFT', (r) => (r.time_left_ms === 0 ? 'expired' : formatDuration(r.time_left_ms))],
];

/**
 * On a terminal: an aligned table. Piped: one tab-separated line per approval under a header line, the
 * arguments as full JSON (stable for `cut -f`).
 */
function table(rows: readonly Row[], tty: boolean, bold: (text: string) => string): string {
  if (rows.length === 0) return 'no pending approvals';
  const cells = rows.map((row) => COLUMNS.map(([, cell]) => cell(row, tty)));
  const header = COLUMNS.map(([name]) => name);
  if (!tty) return [header, ...cells].map((line) => line.join('\t')).join('\n');
  const widths = header.map((name, i) => Math.max(name.length, ...cells.map((line) => line[i]!.length)));
  const pad = (line: string[]) =>
    line
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [bold(pad(header)), ...cells.map(pad)].join('\n');
}
