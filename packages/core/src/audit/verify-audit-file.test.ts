import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from './audit-event.js';
import { JsonlFileSink } from './jsonl-file-sink.js';
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

function writeChain(count: number, options: { bufferBytes?: number } = {}): string {
  const path = join(mkdtempSync(join(tmpdir(), 'orbit-chain-')), 'audit.jsonl');
  const sink = new JsonlFileSink(path, options);
  for (let i = 1; i <= count; i++) sink.write(event(i));
  sink.close();
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

  it('names an edited line', async () => {
    const path = writeChain(10);
    rewrite(path, (lines) =>
      lines.map((line, i) => (i === 3 ? line.replace('"decision":"proceed"', '"decision":"halt"') : line)),
    );
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 4, reason: 'edited' });
  });

  it('names an edited first line', async () => {
    const path = writeChain(5);
    rewrite(path, (lines) => lines.map((line, i) => (i === 0 ? line.replace('c1', 'cX') : line)));
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 1, reason: 'edited' });
  });

  it('names where a line was deleted', async () => {
    const path = writeChain(10);
    rewrite(path, (lines) => lines.filter((_, i) => i !== 6));
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 7, reason: 'missing_lines' });
  });

  it('names reordered lines', async () => {
    const path = writeChain(10);
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
