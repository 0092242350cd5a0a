import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLogBuilder } from '../../test/audit-log-builder.js';
import type { AuditEvent } from '../audit/audit-event.js';
import { AuditLogError } from './audit-log-error.js';
import { computeMetrics } from './compute-metrics.js';
import { type InvalidAuditLine, readAuditEvents } from './read-audit-events.js';

const dir = mkdtempSync(join(tmpdir(), 'orbit-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const file = (text: string) => {
  const path = join(dir, `audit-${++files}.jsonl`);
  writeFileSync(path, text);
  return path;
};

async function collect(events: AsyncIterable<AuditEvent>): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

/** A log of one run: a paused call answered with a denial, an approved one, and the run's end. */
function oneRun() {
  const log = new AuditLogBuilder();
  log.startRun('run-1');
  const denied = log.paused({ tool: 'send', tier: 'irreversible', confidence: 0.6 });
  log.paused({ tool: 'send', tier: 'irreversible', confidence: 0.95, answer: 'approve' });
  return { log, denied };
}

describe('readAuditEvents', () => {
  it('reads the events of several files, in order, and the metrics join answers across files', async () => {
    const { log, denied } = oneRun();
    const first = file(log.jsonl());
    const later = new AuditLogBuilder({ start: '2026-01-02T00:00:00Z' });
    later.answer(denied, 'deny', 60_000, { tool: 'send', runId: 'run-1' });
    later.endRun('failure', { runId: 'run-1' });
    const second = file(later.jsonl());

    const events = await collect(readAuditEvents([first, second]));
    expect(events).toEqual([...log.events, ...later.events]);
    const agent = (await computeMetrics(readAuditEvents([first, second]))).agents['agent-a']!;
    expect(agent.tiers.irreversible).toMatchObject({
      humanAnswers: 2,
      humanOverrides: 1,
      humanOverrideRate: 0.5,
    });
    expect(agent.runs).toMatchObject({ started: 1, failure: 1 });
  });

  it('takes a single path, and skips blank lines, CRLF line ends and a byte-order mark', async () => {
    const { log } = oneRun();
    const lines = log.events.map((event) => JSON.stringify(event));
    const path = file(`\uFEFF${lines[0]}\r\n\r\n${lines.slice(1).join('\r\n')}\n\n`);
    expect(await collect(readAuditEvents(path))).toEqual(log.events);
  });

  it('throws an AuditLogError naming the file and the line of a line that is not JSON', async () => {
    const { log } = oneRun();
    const lines = log.events.map((event) => JSON.stringify(event));
    const path = file(
      [lines[0], lines[1], '{"ts": "2026-01-01T00:00:00Z", "event": "decis', lines[2]].join('\n'),
    );
    const error = await collect(readAuditEvents(path)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuditLogError);
    expect(error).toMatchObject({ code: 'ERR_AUDIT_LOG_INVALID', file: path, line: 3 });
    expect((error as Error).message).toContain(`${path}:3: not an audit event: invalid JSON`);
  });

  it('names the missing or mistyped field of a line that is JSON but not an audit event', async () => {
    const { log } = oneRun();
    const [a, b] = log.events;
    const { run_id: _dropped, ...noRun } = b!;
    const cases: [unknown, RegExp][] = [
      [noRun, /:2: not an audit event: run_id: /],
      [{ ...b, ts: 'yesterday' }, /:2: not an audit event: ts: expected an ISO 8601 time/],
      [{ ...b, confidence: 'high' }, /:2: not an audit event: confidence: /],
      [{ ...b, waited_ms: -5 }, /:2: not an audit event: waited_ms: expected a number of ms >= 0/],
      [[b], /:2: not an audit event: expected a JSON object, got an array/],
      [null, /:2: not an audit event: expected a JSON object, got null/],
    ];
    for (const [value, message] of cases) {
      const path = file(`${JSON.stringify(a)}\n${JSON.stringify(value)}\n`);
      await expect(collect(readAuditEvents(path))).rejects.toThrow(message);
    }
  });

  it('skips invalid lines when asked, and reports each to a callback that can count them', async () => {
    const { log } = oneRun();
    const lines = log.events.map((event) => JSON.stringify(event));
    const path = file([lines[0], 'not json', lines[1], '42', ...lines.slice(2)].join('\n'));
    expect(await collect(readAuditEvents(path, { onInvalidLine: 'skip' }))).toEqual(log.events);
    const seen: InvalidAuditLine[] = [];
    expect(
      await collect(readAuditEvents(path, { onInvalidLine: (problem) => seen.push(problem) })),
    ).toHaveLength(log.events.length);
    expect(seen.map(({ file: name, line }) => [name, line])).toEqual([
      [path, 2],
      [path, 4],
    ]);
  });

  it('fails with the file-system error for a file that does not exist, and refuses bad options', async () => {
    await expect(collect(readAuditEvents(join(dir, 'missing.jsonl')))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await expect(
      collect(readAuditEvents(file(''), { onInvalidLine: 'ignore' as 'skip' })),
    ).rejects.toMatchObject({ code: 'ERR_OPTIONS_INVALID' });
  });

  it('streams a large file (100 000 events, ~40 MB) line by line', async () => {
    const path = join(dir, 'large.jsonl');
    const out = createWriteStream(path);
    const log = new AuditLogBuilder();
    log.startRun('run-big');
    const template = log.events[0]!;
    const padding = 'x'.repeat(200);
    for (let i = 0; i < 100_000; i++) {
      const event = {
        ...template,
        event: 'decision',
        call_id: `call-${i}`,
        tool: 'update',
        reversibility: 'partial',
        confidence: (i % 100) / 100,
        decision: i % 10 === 0 ? 'pause' : 'proceed',
        reasons: [],
        input: { note: padding },
      };
      if (!out.write(`${JSON.stringify(event)}\n`))
        await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve) => out.end(() => resolve()));
    const agent = (await computeMetrics(readAuditEvents(path))).agents['agent-a']!;
    expect(agent.decisions).toBe(100_000);
    expect(agent.interrupts).toBe(10_000);
    expect(agent.confidence.bins).toEqual(new Array(10).fill(10_000));
  }, 60_000);

  it('closes the file when the reader stops early', async () => {
    const { log } = oneRun();
    const path = file(log.jsonl());
    for await (const event of readAuditEvents(path)) {
      expect(event.event).toBe('run');
      break;
    }
    // The same file reads again in full: nothing was left open or half-consumed.
    expect(await collect(readAuditEvents(path))).toHaveLength(log.events.length);
  });
});
