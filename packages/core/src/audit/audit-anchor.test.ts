import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, decodeProtectedHeader, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { countingTool, manifestOf } from '../../test/support.js';
import type { Alert } from '../alerts/alert.js';
import { webhookNotifier } from '../alerts/webhook-notifier.js';
import { OptionsInvalidError } from '../errors.js';
import { AUDIT_ANCHOR_TYPE } from './audit-anchor.js';
import type { AuditEvent } from './audit-event.js';
import { blockHash, GENESIS_HASH, JsonlFileSink, lineHash } from './jsonl-file-sink.js';
import { verifyAuditFile } from './verify-audit-file.js';

const { privateKey, publicKey } = await generateKeyPair('Ed25519', { extractable: true });

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

const tempFile = () => join(mkdtempSync(join(tmpdir(), 'orbit-anchor-')), 'audit.jsonl');
const readLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);
const writeLines = (path: string, lines: string[]) => writeFileSync(path, `${lines.join('\n')}\n`);

/** An anchored file of `count` lines (anchored at a flush every 4 lines and at close). */
function anchoredFile(count: number): string {
  const path = tempFile();
  const sink = new JsonlFileSink(path, { anchor: { key: privateKey, kid: 'audit-2026-12' } });
  for (let i = 1; i <= count; i++) {
    sink.write(event(i));
    if (i % 4 === 0) sink.flush();
  }
  sink.close();
  return path;
}

/** What an attacker who can write the files but holds no key can do: edit lines and recompute every seal. */
function reseal(lines: string[]): string[] {
  const out: string[] = [];
  let first = 0;
  for (const [i, line] of lines.entries()) {
    const parsed = JSON.parse(line);
    if (parsed.seal === undefined) {
      out.push(line);
      continue;
    }
    parsed.seal.from = parsed.seq - (i - first);
    parsed.seal.prev_hash = first === 0 ? GENESIS_HASH : lineHash(out[first - 1]!);
    parsed.seal.hash = blockHash(
      out
        .slice(first)
        .map((l) => `${l}\n`)
        .join(''),
    );
    out.push(JSON.stringify(parsed));
    first = i + 1;
  }
  return out;
}

const verifyAnchored = (path: string) => verifyAuditFile(path, { anchor: { key: publicKey } });

describe('audit anchors', () => {
  it('verify a clean file: the newest anchor covers every line', async () => {
    const path = anchoredFile(10);
    const anchors = readLines(`${path}.anchor`);
    expect(anchors).toHaveLength(3); // flushes at 4 and 8 lines, and close at 10
    expect(decodeProtectedHeader(anchors[2]!)).toEqual({
      alg: 'EdDSA',
      kid: 'audit-2026-12',
      typ: AUDIT_ANCHOR_TYPE,
    });
    const result = await verifyAnchored(path);
    expect(result).toMatchObject({
      ok: true,
      lines: 10,
      unanchored: 0,
      anchor: { file: 'audit.jsonl', lines: 10 },
    });
    expect(result.ok && result.anchor?.head).toBe(result.ok && result.lastHash);
  });

  it('are written only for lines on disk, once per flush that wrote lines', () => {
    const path = tempFile();
    const sink = new JsonlFileSink(path, { anchor: { key: privateKey } });
    sink.write(event(1));
    sink.write(event(2));
    expect(existsSync(`${path}.anchor`)).toBe(false);
    sink.flush();
    sink.flush();
    sink.close();
    expect(readLines(`${path}.anchor`)).toHaveLength(1);
    const payload = JSON.parse(
      Buffer.from(readLines(`${path}.anchor`)[0]!.split('.')[1]!, 'base64url').toString(),
    );
    expect(Object.keys(payload)).toEqual(['file', 'lines', 'head', 'at']);
    expect(payload).toMatchObject({ file: 'audit.jsonl', lines: 2, head: lineHash(readLines(path)[1]!) });
  });

  it('report lines written after the newest anchor as unanchored, not as an error', async () => {
    const path = anchoredFile(6);
    const unanchoredSink = new JsonlFileSink(path);
    unanchoredSink.write(event(7));
    unanchoredSink.write(event(8));
    unanchoredSink.close();
    expect(await verifyAnchored(path)).toMatchObject({
      ok: true,
      lines: 8,
      unanchored: 2,
      anchor: { lines: 6 },
    });
  });

  it('find a tail truncated by its last block', async () => {
    const path = anchoredFile(10); // blocks: lines 1-4, 5-8, 9-10
    writeLines(path, readLines(path).slice(0, 8));
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, lines: 8 }); // the chain alone cannot see it
    expect(await verifyAnchored(path)).toMatchObject({ ok: false, reason: 'truncated', line: 9, lines: 8 });
  });

  it('find a tail truncated by one line: its block has lost its seal', async () => {
    const path = anchoredFile(10);
    writeLines(path, readLines(path).slice(0, 9));
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, reason: 'unsealed', line: 9, lines: 9 });
  });

  it('find a tail rewritten with a recomputed chain', async () => {
    const path = anchoredFile(10);
    const lines = readLines(path);
    lines[8] = lines[8]!.replace('"decision":"proceed"', '"decision":"halt"');
    expect(lines[8]).toContain('"halt"');
    writeLines(path, reseal(lines));
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, lines: 10 }); // the chain alone cannot see it
    expect(await verifyAnchored(path)).toMatchObject({ ok: false, reason: 'rechained', line: 10 });
  });

  it('find a tail cut off and replaced by as many re-chained lines', async () => {
    const path = anchoredFile(10);
    const lines = readLines(path).slice(0, 8);
    const fake = JSON.parse(lines[7]!);
    delete fake.seal;
    for (const seq of [9, 10, 11]) lines.push(JSON.stringify({ ...fake, seq, call_id: `fake${seq}` }));
    lines[10] = JSON.stringify({ seq: 11, seal: {}, ...JSON.parse(lines[10]!) });
    writeLines(path, reseal(lines));
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, lines: 11 });
    expect(await verifyAnchored(path)).toMatchObject({ ok: false, reason: 'rechained', line: 10 });
  });

  it('find a tampered anchor: an edited payload, a foreign key, another JWS type', async () => {
    const path = anchoredFile(10);
    const anchorPath = `${path}.anchor`;
    const anchors = readLines(anchorPath);
    const [header, payload, signature] = anchors.at(-1)!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());

    const lines = readLines(path).slice(0, 8);
    writeLines(path, lines);
    const edited = Buffer.from(JSON.stringify({ ...claims, lines: 8, head: lineHash(lines[7]!) })).toString(
      'base64url',
    );
    writeLines(anchorPath, [...anchors.slice(0, -1), `${header}.${edited}.${signature}`]);
    expect(await verifyAnchored(path)).toMatchObject({ ok: false, reason: 'anchor_forged', line: 0 });

    const attacker = await generateKeyPair('Ed25519');
    const body = new TextEncoder().encode(JSON.stringify({ ...claims, lines: 8, head: lineHash(lines[7]!) }));
    const foreign = await new CompactSign(body)
      .setProtectedHeader({ alg: 'EdDSA', typ: AUDIT_ANCHOR_TYPE })
      .sign(attacker.privateKey);
    writeLines(anchorPath, [...anchors, foreign]);
    expect(await verifyAnchored(path)).toMatchObject({ ok: false, reason: 'anchor_forged' });

    // A JWS by the right key that is not an anchor (e.g. a signed manifest, if the key is shared).
    const otherType = await new CompactSign(body)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'orbit-manifest+jws' })
      .sign(privateKey);
    writeLines(anchorPath, [...anchors, otherType]);
    expect(await verifyAnchored(path)).toMatchObject({ ok: false, reason: 'anchor_forged' });
  });

  it('report a missing or empty anchor file', async () => {
    const path = anchoredFile(3);
    rmSync(`${path}.anchor`);
    expect(await verifyAnchored(path)).toMatchObject({
      ok: false,
      reason: 'anchor_missing',
      line: 0,
      lines: 3,
    });
    writeFileSync(`${path}.anchor`, '');
    expect(await verifyAnchored(path)).toMatchObject({ ok: false, reason: 'anchor_missing' });
    expect(await verifyAuditFile(path)).toMatchObject({ ok: true, lines: 3 });
  });

  it('report a broken chain before the anchor, at its block', async () => {
    const path = anchoredFile(10);
    const lines = readLines(path);
    lines[6] = lines[6]!.replace('"call_id":"c7"', '"call_id":"cX"');
    writeLines(path, lines);
    expect(await verifyAnchored(path)).toMatchObject({
      ok: false,
      reason: 'edited',
      line: 5,
      message:
        'a line among lines 5..7 was changed after it was written (the seal on line 8 does not match them)',
    });
  });

  it('use the anchor path given to the sink and to the verifier', async () => {
    const path = tempFile();
    const anchorPath = join(mkdtempSync(join(tmpdir(), 'orbit-anchor-elsewhere-')), 'nested', 'run.anchor');
    const sink = new JsonlFileSink(path, { anchor: { key: privateKey, path: anchorPath } });
    sink.write(event(1));
    sink.close();
    expect(existsSync(`${path}.anchor`)).toBe(false);
    expect(await verifyAuditFile(path, { anchor: { key: publicKey, path: anchorPath } })).toMatchObject({
      ok: true,
      unanchored: 0,
    });
  });

  it('are written at run.end(), without close()', async () => {
    const { createOrbit, loadManifest } = await import('../index.js');
    const path = tempFile();
    const sink = new JsonlFileSink(path, { anchor: { key: privateKey } });
    const manifest = await loadManifest({
      manifest: manifestOf(),
      allowUnsigned: true,
      logger: { warn() {} },
    });
    const run = createOrbit({ manifest, sink }).startRun();
    for (let i = 0; i < 5; i++)
      await run.execute(countingTool('update'), { id: String(i), confidence: 0.95 });
    await run.end();
    expect(await verifyAnchored(path)).toMatchObject({ ok: true, lines: 12, unanchored: 0 });
    sink.close();
  });

  it('are written when the process exits without close()', async () => {
    const path = tempFile();
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    const script = `
      import { createPrivateKey } from 'node:crypto';
      import { JsonlFileSink } from ${JSON.stringify(new URL('../../dist/index.js', import.meta.url).href)};
      const sink = new JsonlFileSink(${JSON.stringify(path)}, { anchor: { key: createPrivateKey(${JSON.stringify(pem)}) } });
      for (let i = 0; i < 3; i++) sink.write({ event: 'decision', call_id: 'c' + i });
      process.exit(0);
    `;
    execFileSync(process.execPath, ['--input-type=module', '-e', script]);
    const anchor = readLines(`${path}.anchor`).at(-1)!;
    expect(JSON.parse(Buffer.from(anchor.split('.')[1]!, 'base64url').toString())).toMatchObject({
      lines: 3,
      head: lineHash(readLines(path)[2]!),
    });
  });

  it('refuse a key that cannot sign or verify them, and anchoring without the chain', async () => {
    const path = tempFile();
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    for (const anchor of [
      { key: publicKey },
      { key: rsa },
      { key: 'secret' },
      { key: privateKey, kid: '' },
    ]) {
      expect(() => new JsonlFileSink(path, { anchor: anchor as never })).toThrow(OptionsInvalidError);
    }
    const nonExtractable = await generateKeyPair('Ed25519');
    expect(() => new JsonlFileSink(path, { anchor: { key: nonExtractable.privateKey } })).toThrow(
      /anchor\.key is a non-extractable CryptoKey/,
    );
    expect(() => new JsonlFileSink(path, { anchor: { key: privateKey }, chain: false })).toThrow(
      /anchor needs the hash chain/,
    );
    expect(() => new JsonlFileSink(path, { anchor: { key: privateKey, path } })).toThrow(
      /must not be the audit file/,
    );
    await expect(verifyAuditFile(anchoredFile(1), { anchor: { key: privateKey } })).rejects.toThrow(
      /anchor\.key must be an Ed25519 public key/,
    );
  });
});

describe('verifyAuditFile on a line that is JSON but not an object', () => {
  it.each(['null', '42', '"text"', '[]'])('reports %s as a broken line with its number', async (value) => {
    const path = anchoredFile(4);
    const lines = readLines(path);
    writeLines(path, [...lines.slice(0, 2), value, ...lines.slice(2)]);
    expect(await verifyAuditFile(path)).toMatchObject({ ok: false, line: 3, reason: 'not_chained' });
  });
});

describe('webhookNotifier when delivery fails in the background', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  /** The first of: a process warning, an unhandled rejection. */
  function firstReport() {
    return new Promise<{ warning?: Error & { code?: string }; rejection?: unknown }>((resolve) => {
      const onWarning = (warning: Error) => resolve({ warning });
      const onRejection = (rejection: unknown) => resolve({ rejection });
      process.on('warning', onWarning);
      process.on('unhandledRejection', onRejection);
      cleanups.push(() => {
        process.off('warning', onWarning);
        process.off('unhandledRejection', onRejection);
      });
    });
  }

  async function failingServer() {
    const server = createServer((_request, response) => response.writeHead(500).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => server.close());
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  const alert: Alert = {
    alert: 'token_budget_exceeded_mid_task',
    severity: 'medium',
    message: 'm',
    ts: '',
    run_id: 'r',
    agent_id: 'a',
    manifest_digest: 'd',
  };

  it('reports an onError that throws as a process warning, not an unhandled rejection', async () => {
    const url = await failingServer();
    const reported = firstReport();
    const webhook = webhookNotifier({
      url,
      retries: 0,
      onError: () => {
        throw new Error('the pager is down too');
      },
    });
    webhook(alert);
    const { warning, rejection } = await reported;
    expect(rejection).toBeUndefined();
    expect(warning).toMatchObject({ code: 'ORBIT_WEBHOOK_ON_ERROR_THREW' });
    expect(warning?.message).toContain('the pager is down too');
    await expect(webhook.drain()).resolves.toBeUndefined();
  });

  it('reports an alert JSON cannot encode to onError', async () => {
    const url = await failingServer();
    const errors: unknown[] = [];
    const webhook = webhookNotifier({ url, retries: 0, onError: (error) => errors.push(error) });
    webhook({ ...alert, evidence: { count: 1n } });
    await webhook.drain();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TypeError);
  });
});
