import { open } from 'node:fs/promises';
import { type CryptoKey, compactVerify, type KeyObject } from 'jose';
import { AUDIT_ANCHOR_TYPE, type AuditAnchor, AuditAnchorSchema } from './audit-anchor.js';

/** The newest anchor of an anchor file, verified; or why there is none to trust. */
export type AnchorReading =
  | { ok: true; anchor: AuditAnchor }
  | { ok: false; reason: 'anchor_missing' | 'anchor_forged'; message: string };

/** Only the end of the anchor file is read: an anchor is a few hundred bytes. */
const TAIL_BYTES = 64 * 1024;

/**
 * Reads the newest line of an anchor file and verifies it: an EdDSA signature by `key`, the anchor
 * `typ`, and a payload of the anchor's form. A line that fails any of these is `anchor_forged`.
 *
 * @throws Error, Node's file-system error as it is (`EACCES`, `EISDIR`), when the file exists but
 * cannot be read; a missing file is `anchor_missing`.
 */
export async function readAuditAnchor(path: string, key: KeyObject | CryptoKey): Promise<AnchorReading> {
  const newest = await newestLine(path);
  if (newest === undefined)
    return { ok: false, reason: 'anchor_missing', message: `no anchor file at ${path}` };
  if (newest === '')
    return { ok: false, reason: 'anchor_missing', message: `the anchor file ${path} is empty` };
  const forged = (why: string) =>
    ({ ok: false, reason: 'anchor_forged', message: `the newest anchor in ${path} ${why}` }) as const;
  let verified: Awaited<ReturnType<typeof compactVerify>>;
  try {
    verified = await compactVerify(newest, key, { algorithms: ['EdDSA'] });
  } catch (error) {
    return forged(`does not verify against the key: ${(error as Error).message}`);
  }
  if (verified.protectedHeader.typ !== AUDIT_ANCHOR_TYPE) {
    return forged(
      `is not an audit anchor (typ "${verified.protectedHeader.typ}", expected "${AUDIT_ANCHOR_TYPE}")`,
    );
  }
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder().decode(verified.payload));
  } catch {
    return forged('has a payload that is not JSON');
  }
  const parsed = AuditAnchorSchema.safeParse(payload);
  if (!parsed.success)
    return forged(`has a payload that is not an audit anchor (${parsed.error.issues[0]?.message})`);
  return { ok: true, anchor: parsed.data };
}

/** The file's last non-empty line (`''` for an empty file), or `undefined` when there is no file. */
async function newestLine(path: string): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const size = (await handle.stat()).size;
    const length = Math.min(size, TAIL_BYTES);
    const { buffer } = await handle.read(Buffer.alloc(length), 0, length, size - length);
    const text = buffer.toString('utf8').replace(/\n+$/, '');
    return text.slice(text.lastIndexOf('\n') + 1);
  } finally {
    await handle.close();
  }
}
