import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AuditEvent, JsonlFileSink } from '@orbit-agents/core/audit';
import { describe, expect, it } from 'vitest';
import { keyPair, tempDir } from '../../test/fixtures.js';
import { runOrbit } from '../../test/run-orbit.js';

const event = (i: number): AuditEvent => ({
  ts: new Date(Date.UTC(2026, 11, 7, 9, 0, i)).toISOString(),
  event: 'decision',
  run_id: 'r',
  parent_run_id: null,
  agent_id: 'a',
  manifest_digest: 'sha256:0',
  call_id: `c${i}`,
  decision: 'proceed',
});

/** A chained audit file of `count` lines in blocks of 2, anchored with a key from `orbit keygen`. */
function audit(count: number) {
  const dir = tempDir();
  const keys = keyPair(dir, 'audit-1');
  const path = join(dir, 'audit.jsonl');
  const key = createPrivateKey(readFileSync(keys.privateKey, 'utf8'));
  const sink = new JsonlFileSink(path, { anchor: { key, kid: 'audit-1' } });
  for (let i = 1; i <= count; i++) {
    sink.write(event(i));
    if (i % 2 === 0) sink.flush();
  }
  sink.close();
  return { dir, keys, path, publicKey: createPublicKey(key) };
}

describe('orbit audit verify', () => {
  it('verifies a chained file and its anchor: lines, last hash, anchor', () => {
    const { path, keys } = audit(6);
    const run = runOrbit(['audit', 'verify', path, '--anchor-key', keys.publicKey, '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out).toMatchObject({
      ok: true,
      file: path,
      lines: 6,
      unanchored: 0,
      anchor: { lines: 6, file: 'audit.jsonl' },
    });
    expect(out.last_hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(out.anchor.head).toBe(out.last_hash);
    const text = runOrbit(['audit', 'verify', path]);
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
      `ok  ${path}\nlines      6\nlast hash  ${out.last_hash}\nanchor     not checked (pass --anchor-key <public.pem>: the last lines need an anchor)\n`,
    );
  });

  it('exits 1 naming the line, reason and message of an edited file', () => {
    const { path } = audit(6);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"call_id":"c3"', '"call_id":"c9"'));
    const run = runOrbit(['audit', 'verify', path]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `FAILED  ${path}: line 3: edited: line 3 was changed after it was written (the seal on line 4 does not match it)\nlines read  4\n`,
    );
    const json = JSON.parse(runOrbit(['audit', 'verify', path, '--json']).stdout);
    expect(json).toMatchObject({ ok: false, line: 3, reason: 'edited', lines: 4 });
  });

  it('exits 1 for a cut-off tail (truncated) and for an anchor signed by another key (anchor_forged)', () => {
    const { dir, path, keys } = audit(6);
    const lines = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, `${lines.slice(0, 4).join('\n')}\n`);
    const truncated = runOrbit(['audit', 'verify', path, '--anchor-key', keys.publicKey, '--json']);
    expect(truncated.code).toBe(1);
    expect(JSON.parse(truncated.stdout)).toMatchObject({ ok: false, reason: 'truncated', line: 5 });
    const other = keyPair(dir, 'other');
    const forged = runOrbit(['audit', 'verify', path, '--anchor-key', other.publicKey, '--json']);
    expect(forged.code).toBe(1);
    expect(JSON.parse(forged.stdout)).toMatchObject({ ok: false, reason: 'anchor_forged', line: 0 });
    const missing = runOrbit([
      'audit',
      'verify',
      path,
      '--anchor-key',
      keys.publicKey,
      '--anchor',
      join(dir, 'none'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('anchor_missing');
  });

  it('exits 3 for a missing file or an unusable key, and 2 for --anchor without --anchor-key', () => {
    const { dir, path, keys } = audit(2);
    const missing = runOrbit(['audit', 'verify', join(dir, 'none.jsonl')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe(
      `orbit: cannot read the audit file ${join(dir, 'none.jsonl')}: the file does not exist.\n`,
    );
    const privateKey = runOrbit(['audit', 'verify', path, '--anchor-key', keys.privateKey]);
    expect(privateKey.code).toBe(3);
    const usage = runOrbit(['audit', 'verify', path, '--anchor', `${path}.anchor`]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--anchor needs --anchor-key');
  });
});
