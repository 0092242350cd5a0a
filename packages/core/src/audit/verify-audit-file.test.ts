import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from './audit-event.js';
import { GENESIS_HASH, JsonlFileSink, lineHash } from './jsonl-file-sink.js';
import { verifyAuditFile } from './verify-audit-file.js';

const event = (i: number): AuditEvent => ({
  ts: new Date(i * 1000).toISOString(),
  event: 'decision',
  run_id: 'r',
  parent_run_id: null,
  agent_id: 'a',
  manifest_digest: 'sha256:0',
  call_id: `c${i}`,
  decision: 'proceed',
});

/** A chained file of `count` lines, written in blocks of `block` lines (one flush each). */
function writeChain(count: number, options: { bufferBytes?: number; block?: number } = {}): string {
  const path = join(mkdtempSync(join(tmpdir(), 'orbit-chain-')), 'audit.jsonl');
  const sink = new JsonlFileSink(path, { bufferBytes: options.bufferBytes });
  for (let i = 1; i <= count; i++) {
    sink.write(event(i));
    if (options.block !== undefined && i % options.block === 0) sink.flush();
  }
  sink.close();
  return path;
}
/** A file of the format before seals: every line's `prev_hash` is the hash of the line before it. */
function writeLegacyChain(count: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'orbit-chain-')), 'legacy.jsonl');
  const lines: string[] = [];
  for (let i = 1; i <= count; i++) {
    const prev_hash = i === 1 ? GENESIS_HASH : lineHash(lines.at(-1)!);
    lines.push(JSON.stringify({ seq: i, prev_hash, ...event(i) }));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
const rewrite = (path: string, change: (lines: string[]) => string[]) => {
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  writeFileSync(path, `${change(lines).join('\n')}\n`);
};

describe('the hash-chained audit file', () => {
  it('verifies an untouched file and reports its last hash', async () => {
    const path = writeChain(50, { bufferBytes: 1000 });
    const result = await verifyAuditFile(path);
    expect(result).toMatchObject({ ok: true, lines: 50 });
    expect(result.ok && result.lastHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    const first = JSON.parse(readFileSync(path, 'utf8').split('\n')[0]!);
    expect(first).toMatchObject({ seq: 1, call_id: 'c1', event: 'decision' });
  });

  it('seals each written block on its last line', () => {
    const path = writeChain(6, { block: 4 });
    const parsed = readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(parsed.map((line) => line.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parsed.map((line) => line.seal?.from)).toEqual([undefined, undefined, undefined, 1, undefined, 5]);
    expect(parsed[3].seal.prev_hash).toBe(GENESIS_HASH);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(parsed[5].seal.prev_hash).toBe(lineHash(lines[3]!));
    expect(parsed[5].call_id).toBe('c6'); // the event's own fields follow the seal
  });

  it('names the block of an edited line', async () => {
    const path = writeChain(10, { block: 4 });
    rewrite(path, (lines) =>
      lines.map((line, i) => (i === 5 ? line.replace('"decision":"proceed"', '"decision":"halt"') : line)),
    );
    expect(await verifyAuditFile(path)).toMatchObject({
      ok: false,
      line: 5,
      reason: 'edited',
      message:
        'a line among lines 5..7 was changed after it was written (the seal on line 8 does not match them)',
    });
  });

  it('names an edited sealed line, through the next block', async () => {
    const path = writeChain(10, { block: 4 });
    rewrite(path, (lines) =>
      lines.map((line, i) => (i === 7 ? line.replace('"call_id":"c8"', '"call_id":"cX"') : line)),
    );
    expect(await verifyAuditFile(path)).toMatchObject({
      ok: false,
      line: 8,
      reason: 'edited',
      message: 'line 8 was changed after it was written (the seal on line 10 does not match it)',
    });
  });

  it('names an edited first line, and an edited seal', async () => {
    const path = writeChain(5);
    rewrite(path, (lines) =>
      lines.map((line, i) => (i === 0 ? line.replace('"call_id":"c1"', '"call_id":"cX"') : line)),
    );
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 1, reason: 'edited' });
    const other = writeChain(5);
    rewrite(other, (lines) =>
      lines.map((line, i) => (i === 4 ? line.replace('"from":1', '"from":2') : line)),
    );
    expect(await verifyAuditFile(other)).toMatchObject({ ok: false, line: 1, reason: 'edited' });
  });

  it('names lines after the last seal: appended, or a block cut short', async () => {
    const path = writeChain(8, { block: 4 });
    rewrite(path, (lines) => [...lines, JSON.stringify({ seq: 9, ...event(9) })]);
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 9, reason: 'unsealed' });
    const cut = writeChain(8, { block: 4 });
    rewrite(cut, (lines) => lines.slice(0, 6));
    expect(await verifyAuditFile(cut)).toMatchObject({
      ok: false,
      line: 5,
      reason: 'unsealed',
      message: 'line(s) 5..6 follow the last seal: they were appended, or a write was cut short',
    });
  });

  it('verifies a file of the format before seals, naming its edited line', async () => {
    const path = writeLegacyChain(6);
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, lines: 6 });
    rewrite(path, (lines) =>
      lines.map((line, i) => (i === 2 ? line.replace('"call_id":"c3"', '"call_id":"cX"') : line)),
    );
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 3, reason: 'edited' });
  });

  it('seals blocks appended to a file of the format before seals, linked to its last line', async () => {
    const path = writeLegacyChain(3);
    const sink = new JsonlFileSink(path);
    sink.write(event(4));
    sink.write(event(5));
    sink.close();
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, lines: 5 });
    rewrite(path, (lines) =>
      lines.map((line, i) => (i === 2 ? line.replace('"call_id":"c3"', '"call_id":"cX"') : line)),
    );
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 3, reason: 'edited' });
  });

  it('names where a line was deleted', async () => {
    const path = writeChain(10, { block: 4 });
    rewrite(path, (lines) => lines.filter((_, i) => i !== 6));
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 7, reason: 'missing_lines' });
  });

  it('names reordered lines', async () => {
    const path = writeChain(10, { block: 4 });
    rewrite(path, (lines) => {
      [lines[2], lines[3]] = [lines[3]!, lines[2]!];
      return lines;
    });
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 3 });
  });

  it('names a line that is not JSON, and a file not written by a chained sink', async () => {
    const path = writeChain(4);
    rewrite(path, (lines) => [...lines.slice(0, 2), '{torn', ...lines.slice(2)]);
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 3, reason: 'not_json' });
    const plain = join(mkdtempSync(join(tmpdir(), 'orbit-chain-')), 'plain.jsonl');
    const sink = new JsonlFileSink(plain, { chain: false });
    sink.write(event(1));
    sink.close();
    expect(await verifyAuditFile(plain)).toMatchObject({ ok: false, line: 1, reason: 'not_chained' });
  });

  it('continues the chain when a file is reopened and appended to', async () => {
    const path = writeChain(3);
    const again = new JsonlFileSink(path);
    again.write(event(4));
    again.close();
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, lines: 4 });
  });

  it("chains a real run's events", async () => {
    const { createOrbit, loadManifest } = await import('../index.js');
    const { manifestOf, countingTool } = await import('../../test/support.js');
    const path = join(mkdtempSync(join(tmpdir(), 'orbit-chain-')), 'run.jsonl');
    const sink = new JsonlFileSink(path);
    const manifest = await loadManifest({
      manifest: manifestOf(),
      allowUnsigned: true,
      logger: { warn() {} },
    });
    const run = createOrbit({ manifest, sink }).startRun();
    for (let i = 0; i < 20; i++)
      await run.execute(countingTool('update'), { id: String(i), confidence: 0.95 });
    await run.end();
    sink.close();
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, lines: 42 });
  });
});
