import { type KeyObject, sign } from 'node:crypto';
import { AUDIT_ANCHOR_TYPE, type AuditAnchor } from './audit-anchor.js';

/**
 * Signs an audit anchor as a compact JWS (EdDSA). Synchronous, with `node:crypto`, because the sink
 * anchors in `flush()` and `close()`, which also run in the process's `exit` hook, where nothing async
 * completes; Ed25519 is deterministic, so this is the JWS jose would make, and jose verifies it.
 */
export function signAuditAnchor(anchor: AuditAnchor, key: KeyObject, kid: string | undefined): string {
  const header =
    kid === undefined
      ? { alg: 'EdDSA', typ: AUDIT_ANCHOR_TYPE }
      : { alg: 'EdDSA', kid, typ: AUDIT_ANCHOR_TYPE };
  const payload = { file: anchor.file, lines: anchor.lines, head: anchor.head, at: anchor.at };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${sign(null, Buffer.from(input), key).toString('base64url')}`;
}

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
