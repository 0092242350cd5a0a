// jose's key types, not node:crypto's: the public types must not need @types/node.
import type { CryptoKey, KeyObject } from 'jose';
import { z } from 'zod';

/** The JWS `typ` of an audit anchor: a signature over anything else is not accepted as one. */
export const AUDIT_ANCHOR_TYPE = 'orbit-audit-anchor+jws';

/**
 * The payload of an audit anchor, a signed checkpoint of a hash-chained audit file: the first `lines`
 * lines of the file named `file` end with a line whose `lineHash` is `head`; signed at `at`.
 * This format is stable: the anchor file holds one compact JWS (EdDSA, `typ` `orbit-audit-anchor+jws`,
 * optional `kid`) per line, and its newest line is the current anchor.
 */
export const AuditAnchorSchema = z.strictObject({
  /** The audit file's name (without its directory): informational, the `head` binds the anchor to the file. */
  file: z.string(),
  /** How many lines the anchor covers, from the first. */
  lines: z.number().int().positive(),
  /** `lineHash` of line `lines`: the head of the chain when the anchor was written. */
  head: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  /** ISO 8601 time the anchor was written. */
  at: z.iso.datetime(),
});

/** A verified audit anchor. */
export type AuditAnchor = z.infer<typeof AuditAnchorSchema>;

/** How `JsonlFileSink` anchors its file (its `anchor` option). */
export interface AuditAnchorOptions {
  /**
   * The Ed25519 private key that signs the anchors: a `KeyObject` (`createPrivateKey(pem)`) or an
   * extractable `CryptoKey` (`generateKeyPair('Ed25519', { extractable: true })`): anchors are signed
   * synchronously, also at process exit.
   */
  key: CryptoKey | KeyObject;
  /** The key id, written to each anchor's JWS header. */
  kid?: string;
  /** The anchor file. Default `<audit path>.anchor`. */
  path?: string;
}

/** The anchor file of an audit file when none is named. */
export function defaultAnchorPath(auditPath: string): string {
  return `${auditPath}.anchor`;
}
