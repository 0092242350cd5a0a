import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { AuditEvent } from '../audit/audit-event.js';
import { formatPath, OptionsInvalidError } from '../errors.js';
import { AuditLogError } from './audit-log-error.js';

/** One line that is not an audit event, as reported to an `onInvalidLine` callback. */
export interface InvalidAuditLine {
  readonly file: string;
  /** 1-based line number. */
  readonly line: number;
  readonly reason: string;
}

export interface ReadAuditEventsOptions {
  /**
   * What a line that is not an audit event leads to: `'throw'` (default) an `AuditLogError` naming the
   * file and line; `'skip'` drops it silently; a callback drops it and is told about it (to count or log).
   */
  onInvalidLine?: 'throw' | 'skip' | ((problem: InvalidAuditLine) => void);
}

const time = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO 8601 time');
const name = z.string().min(1, 'expected a non-empty string');

/**
 * The envelope every event carries, and the types of the fields the metrics read. Values of the
 * enumerated fields are not checked here: a newer writer's new kinds are read, and the metrics skip them.
 */
const AuditEventLineSchema = z.looseObject({
  ts: time,
  event: name,
  run_id: name,
  parent_run_id: z.string().nullable(),
  agent_id: name,
  manifest_digest: z.string(),
  call_id: z.string().optional(),
  tool: z.string().optional(),
  reversibility: z.string().optional(),
  confidence: z.number().nullable().optional(),
  decision: z.string().optional(),
  reasons: z.array(z.string()).optional(),
  maturity_level: z.number().optional(),
  approval: z.string().optional(),
  waited_ms: z.number().nonnegative('expected a number of ms >= 0').optional(),
  run: z.string().optional(),
  task_outcome: z.string().optional(),
});

/**
 * Reads audit events from one or more JSONL files, in the order given, line by line (a file is
 * streamed, never held in memory whole). Blank lines are skipped. A line that is not an audit event
 * (not JSON, not an object, or missing `ts`, `event`, `run_id`, `parent_run_id`, `agent_id`,
 * `manifest_digest`, or a mistyped field the metrics read) throws an `AuditLogError` naming the file
 * and the line, unless `onInvalidLine` says to skip it. A file that cannot be opened throws the
 * file-system error.
 *
 * @throws OptionsInvalidError when `onInvalidLine` is not `'throw'`, `'skip'` or a function (at the
 * first `next()`: a generator runs nothing before).
 * @throws AuditLogError when a line is not an audit event and `onInvalidLine` is `'throw'` (the default).
 * @throws Error, Node's file-system error as it is (`ENOENT`, `EACCES`, `EISDIR`), when a file cannot be
 * opened or read; and what an `onInvalidLine` callback throws.
 *
 * @example
 * let skipped = 0;
 * const events = readAuditEvents(['audit-2026-05.jsonl', 'audit-2026-06.jsonl'], { onInvalidLine: () => skipped++ });
 * const metrics = await computeMetrics(events);
 */
export async function* readAuditEvents(
  paths: string | readonly string[],
  options: ReadAuditEventsOptions = {},
): AsyncGenerator<AuditEvent, void, undefined> {
  const files = typeof paths === 'string' ? [paths] : paths;
  const onInvalid = options.onInvalidLine ?? 'throw';
  if (onInvalid !== 'throw' && onInvalid !== 'skip' && typeof onInvalid !== 'function') {
    throw new OptionsInvalidError(
      `onInvalidLine must be 'throw', 'skip' or a function, got ${JSON.stringify(onInvalid)}.`,
    );
  }
  for (const file of files) {
    const handle = await open(file, 'r');
    const lines = createInterface({
      input: handle.createReadStream({ encoding: 'utf8' }),
      crlfDelay: Infinity,
    });
    let number = 0;
    try {
      for await (const text of lines) {
        number++;
        const line = number === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
        if (line.trim() === '') continue;
        const parsed = parseLine(line);
        if (parsed.event) {
          yield parsed.event;
        } else if (onInvalid === 'throw') {
          throw new AuditLogError(file, number, parsed.reason, { cause: parsed.cause });
        } else if (onInvalid !== 'skip') {
          onInvalid({ file, line: number, reason: parsed.reason });
        }
      }
    } finally {
      lines.close();
      await handle.close();
    }
  }
}

function parseLine(line: string):
  | { event: AuditEvent; reason?: never; cause?: never }
  | {
      event?: never;
      reason: string;
      cause?: unknown;
    } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    return { reason: `invalid JSON (${(cause as Error).message})`, cause };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { reason: `expected a JSON object, got ${kind}` };
  }
  const result = AuditEventLineSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    return { reason: `${formatPath(issue.path)}: ${issue.message}` };
  }
  return { event: result.data as AuditEvent };
}
