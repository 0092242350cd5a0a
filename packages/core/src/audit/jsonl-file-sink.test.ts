import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from './audit-event.js';
import { JsonlFileSink } from './jsonl-file-sink.js';
import { verifyAuditFile } from './verify-audit-file.js';

const event = (i: number): AuditEvent => ({
  ts: new Date(0).toISOString(),
  event: 'decision',
  run_id: 'r',
  parent_run_id: null,
  agent_id: 'a',
  manifest_digest: 'sha256:0',
  call_id: `c${i}`,
});
const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));

describe('JsonlFileSink', () => {
  it('writes one JSON object per line, in order, on flush and close', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-')), 'nested', 'audit.jsonl');
    const sink = new JsonlFileSink(path);
    sink.write(event(1));
    sink.write(event(2));
    expect(readFileSync(path, 'utf8')).toBe('');
    sink.flush();
    expect(lines(path).map((e) => e.call_id)).toEqual(['c1', 'c2']);
    sink.write(event(3));
    sink.close();
    expect(lines(path).map((e) => e.call_id)).toEqual(['c1', 'c2', 'c3']);
  });

  it('flushes by itself when its buffer fills', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-')), 'audit.jsonl');
    const sink = new JsonlFileSink(path, { bufferBytes: 500 });
    for (let i = 0; i < 20; i++) sink.write(event(i));
    expect(lines(path).length).toBeGreaterThan(0);
    sink.close();
    expect(lines(path)).toHaveLength(20);
  });

  it('appends to an existing file and loses nothing when the process exits without close()', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-')), 'audit.jsonl');
    const script = `
      import { JsonlFileSink } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
      const sink = new JsonlFileSink(${JSON.stringify(path)});
      for (let i = 0; i < 3; i++) sink.write({ event: 'decision', call_id: 'c' + i });
      process.exit(0);
    `;
    execFileSync(process.execPath, ['--input-type=module', '-e', script]);
    execFileSync(process.execPath, ['--input-type=module', '-e', script]);
    expect(lines(path)).toHaveLength(6);
  });

  it('flushes when the process is stopped by SIGTERM, and still dies of the signal', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-')), 'audit.jsonl');
    const script = `
      import { JsonlFileSink } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
      const sink = new JsonlFileSink(${JSON.stringify(path)});
      sink.write({ event: 'decision', call_id: 'before-sigterm' });
      process.kill(process.pid, 'SIGTERM');
      setTimeout(() => {}, 5000);
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script]);
    expect(result.signal).toBe('SIGTERM');
    expect(lines(path).map((e) => e.call_id)).toEqual(['before-sigterm']);
  });

  it('writes an event whose output JSON cannot hold (a BigInt, a cycle, a getter that throws) with a marker, never losing the line', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-')), 'audit.jsonl');
    const sink = new JsonlFileSink(path);
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const throwing = {
      get secret() {
        throw new Error('no access');
      },
    };
    sink.write({ ...event(1), event: 'outcome', status: 'executed', output: { total: 10n } });
    sink.write({ ...event(2), event: 'outcome', status: 'executed', output: cyclic, input: { ok: true } });
    sink.write({ ...event(3), event: 'outcome', status: 'executed', output: throwing });
    sink.write(event(4));
    sink.close();
    const written = lines(path);
    expect(written.map((e) => e.call_id)).toEqual(['c1', 'c2', 'c3', 'c4']);
    expect(written[0]).toMatchObject({
      status: 'executed',
      output: '[unserializable: a BigInt]',
      unserializable: ['output'],
    });
    expect(written[1]).toMatchObject({
      output: '[unserializable: a cycle]',
      input: { ok: true },
      unserializable: ['output'],
    });
    expect(written[2]).toMatchObject({
      output: '[unserializable: it threw: no access]',
      unserializable: ['output'],
    });
    expect(written[3].unserializable).toBeUndefined();
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true });
  });
});
