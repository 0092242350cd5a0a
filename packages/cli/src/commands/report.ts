import { writeFile } from 'node:fs/promises';
import type { AuditEvent } from '@orbit-agents/core';
import { readAuditEvents } from '@orbit-agents/core/metrics';
import { CliError, EXIT, usageError } from '../cli-error.js';
import type { Command, Parsed } from '../command.js';
import { emit, type Io, progress, styleOf } from '../io.js';
import {
  buildReport,
  type DriftPeriods,
  type MaturityLevel,
  parsePeriod,
  printable,
  type ReportOptions,
  renderReportHtml,
  renderReportText,
} from '../report/index.js';

/** `orbit report`: the weekly review of audit logs, as text, JSON or one self-contained HTML page. */
export const report: Command = {
  path: ['report'],
  summary: 'the weekly review of audit logs: rates, drift, thresholds, readiness (text, --json, --html)',
  usage: [
    'orbit report <audit.jsonl...> [--html <out.html>] [--agent <id>] [--since <date>] [--json]',
    '',
    "Reads audit logs (the core's readAuditEvents) and prints the weekly review computed with the core's",
    'metrics: runs and outcomes, decisions by kind, interrupt and override rates, approval latency, the',
    'confidence histogram and its drift (PSI), rates per day or week, a confidence threshold per tool and',
    'maturity readiness.',
    '',
    'Options:',
    '  --html <file>                 also write the report as one self-contained HTML page (inline SVG charts)',
    '  --agent <id>                  only this agent',
    '  --since <date>                only events at or after this ISO date or time',
    '  --skip-invalid                skip lines that are not audit events (counted) instead of failing',
    '  --baseline <from>..<to>       drift baseline period (with --current); default: the 7 days before the',
    '                                last 7, or the first half of a log shorter than 14 days',
    '  --current <from>..<to>        drift current period (with --baseline); default: the last 7 days',
    '  --bucket <day|week|auto>      rates over time per day or week; auto (default): day up to 31 days',
    '  --level <1-4>                 current maturity level for readiness; default: the highest on the decisions',
    '  --target-override-rate <r>    target of the threshold recommendations, 0 < r < 1 (default 0.05)',
    '  --min-samples <n>             fewest human answers a threshold is based on (default 30)',
    '  --json                        print the computed report document (metrics, thresholds, readiness)',
    '',
    'Exit codes: 0 done (also with no events), 2 usage, 3 a file is missing or a line is not an audit event,',
    '4 no events of --agent in the files.',
  ].join('\n'),
  options: {
    html: { type: 'string' },
    agent: { type: 'string' },
    since: { type: 'string' },
    'skip-invalid': { type: 'boolean' },
    baseline: { type: 'string' },
    current: { type: 'string' },
    bucket: { type: 'string' },
    level: { type: 'string' },
    'target-override-rate': { type: 'string' },
    'min-samples': { type: 'string' },
  },
  async run(args, io) {
    const files = args.positionals;
    if (files.length === 0) throw usageError('orbit report needs at least one audit file (.jsonl).');
    const options = reportOptions(args);
    const agent = stringOption(args, 'agent');
    const since = sinceOption(args);
    const read = await readEvents(files, args.values['skip-invalid'] === true, agent, since, io);
    if (agent !== undefined && read.events.length === 0 && !read.agents.has(agent) && read.agents.size > 0) {
      throw new CliError(
        'ERR_NOT_FOUND',
        `no events of agent "${agent}" in ${files.join(', ')}; agents there: ${[...read.agents].sort().join(', ')}.`,
        EXIT.NOT_FOUND,
      );
    }
    const doc = buildReport(read.events, {
      ...options,
      sources: files,
      agent: agent ?? null,
      since: since ?? null,
      skippedLines: read.skipped,
    });
    const html = stringOption(args, 'html');
    if (html !== undefined) await writeHtml(html, renderReportHtml(doc));
    if (read.events.length === 0) {
      const filters = [agent && `agent "${agent}"`, since && `since ${since}`].filter(Boolean).join(', ');
      emit(io, doc, () =>
        [
          `No events: ${files.join(', ')} hold no audit events${filters ? ` (${filters})` : ''}.`,
          ...(read.skipped ? [`Skipped ${read.skipped} lines that are not audit events.`] : []),
          ...(html ? [`Wrote ${html}.`] : []),
        ].join('\n'),
      );
      return EXIT.OK;
    }
    if (html !== undefined && !io.json) {
      io.out(`Wrote ${html}: ${doc.agents.length} agents, ${doc.metrics.events} events.\n`);
      return EXIT.OK;
    }
    emit(io, doc, () => renderReportText(doc, styleOf(io)));
    return EXIT.OK;
  },
};

function stringOption(args: Parsed, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

function sinceOption(args: Parsed): string | undefined {
  const since = stringOption(args, 'since');
  if (since === undefined) return undefined;
  const ms = Date.parse(since);
  if (Number.isNaN(ms)) throw usageError(`--since: "${since}" is not an ISO date or time (2026-12-01).`);
  return new Date(ms).toISOString();
}

/** The options of `buildReport` from the command line; a bad value is a usage error naming the option. */
function reportOptions(args: Parsed): ReportOptions {
  const options: ReportOptions = {};
  const baseline = stringOption(args, 'baseline');
  const current = stringOption(args, 'current');
  if ((baseline === undefined) !== (current === undefined)) {
    throw usageError('--baseline and --current go together: give both periods, or neither.');
  }
  if (baseline !== undefined && current !== undefined) {
    options.drift = { baseline: period('--baseline', baseline), current: period('--current', current) };
  }
  const bucket = stringOption(args, 'bucket');
  if (bucket !== undefined) {
    if (bucket !== 'day' && bucket !== 'week' && bucket !== 'auto') {
      throw usageError(`--bucket: expected day, week or auto, got "${bucket}".`);
    }
    options.bucket = bucket;
  }
  const level = stringOption(args, 'level');
  if (level !== undefined) {
    if (!/^[1-4]$/.test(level)) throw usageError(`--level: expected 1, 2, 3 or 4, got "${level}".`);
    options.level = Number(level) as MaturityLevel;
  }
  const target = stringOption(args, 'target-override-rate');
  if (target !== undefined) {
    const value = Number(target);
    if (target.trim() === '' || !(value > 0 && value < 1)) {
      throw usageError(`--target-override-rate: expected a rate between 0 and 1 (0.05), got "${target}".`);
    }
    options.targetOverrideRate = value;
  }
  const samples = stringOption(args, 'min-samples');
  if (samples !== undefined) {
    if (!/^[1-9][0-9]{0,8}$/.test(samples)) {
      throw usageError(`--min-samples: expected a whole number of at least 1, got "${samples}".`);
    }
    options.minSamples = Number(samples);
  }
  return options;
}

function period(option: string, text: string): DriftPeriods['baseline'] {
  try {
    return parsePeriod(text);
  } catch (error) {
    throw usageError(`${option}: ${(error as Error).message}.`);
  }
}

interface ReadResult {
  events: AuditEvent[];
  skipped: number;
  /** Every agent seen before the --agent filter. */
  agents: Set<string>;
}

/** Reads every file's events (filtered by agent and time); missing files and bad lines exit 3. */
async function readEvents(
  files: readonly string[],
  skipInvalid: boolean,
  agent: string | undefined,
  since: string | undefined,
  io: Io,
): Promise<ReadResult> {
  const result: ReadResult = { events: [], skipped: 0, agents: new Set() };
  const sinceMs = since === undefined ? undefined : Date.parse(since);
  for (const file of files) {
    const shown = progress(io, `reading ${printable(file)}`, 'events');
    let count = 0;
    try {
      const events = readAuditEvents([file], {
        onInvalidLine: skipInvalid ? () => void result.skipped++ : 'throw',
      });
      for await (const event of events) {
        shown.tick(++count);
        result.agents.add(event.agent_id);
        if (agent !== undefined && event.agent_id !== agent) continue;
        if (sinceMs !== undefined && Date.parse(event.ts) < sinceMs) continue;
        result.events.push(event);
      }
    } catch (error) {
      throw readError(file, error);
    } finally {
      shown.done();
    }
  }
  return result;
}

function readError(file: string, error: unknown): CliError {
  const err = error as { code?: unknown; line?: unknown; reason?: unknown; message?: unknown };
  if (err?.code === 'ERR_AUDIT_LOG_INVALID') {
    return new CliError(
      'ERR_AUDIT_LOG_INVALID',
      `${file}:${String(err.line)}: not an audit event: ${String(err.reason)}. Fix or remove the line, or pass --skip-invalid to skip such lines.`,
      EXIT.INPUT,
    );
  }
  const why =
    err?.code === 'ENOENT'
      ? 'no such file'
      : err?.code === 'EISDIR'
        ? 'it is a directory'
        : err?.code === 'EACCES'
          ? 'permission denied'
          : String(err?.message ?? error);
  return new CliError('ERR_INPUT', `cannot read audit file "${file}": ${why}.`, EXIT.INPUT);
}

async function writeHtml(path: string, html: string): Promise<void> {
  try {
    await writeFile(path, html, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why =
      code === 'ENOENT'
        ? 'its directory does not exist'
        : code === 'EISDIR'
          ? 'it is a directory'
          : String(code);
    throw new CliError('ERR_OUTPUT', `cannot write the HTML report to "${path}": ${why}.`, EXIT.INPUT);
  }
}
