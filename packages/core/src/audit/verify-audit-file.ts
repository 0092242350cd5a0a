import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { CryptoKey, KeyObject } from 'jose';
import { ed25519PublicKey } from '../ed25519-key.js';
import { OptionsInvalidError } from '../errors.js';
import { type AuditAnchor, defaultAnchorPath } from './audit-anchor.js';
import { GENESIS_HASH, lineHash } from './jsonl-file-sink.js';
import { type AnchorReading, readAuditAnchor } from './read-audit-anchor.js';

/** What is wrong with an audit file (or its anchor); see `verifyAuditFile`. */
export type AuditProblem =
  | 'not_json'
  | 'not_chained'
  | 'edited'
  | 'missing_lines'
  | 'out_of_order'
  | 'unsealed'
  | 'truncated'
  | 'rechained'
  | 'anchor_forged'
  | 'anchor_missing';

/** What `verifyAuditFile` found. */
export type AuditVerification =
  | {
      ok: true;
      lines: number;
      lastHash: string;
      /** With the `anchor` option: the newest anchor, verified, which the file matches. */
      anchor?: AuditAnchor;
      /** With the `anchor` option: how many lines follow the ones the anchor covers (not an error). */
      unanchored?: number;
    }
  | {
      ok: false;
      /** The first bad line, 1-based; 0 when the anchor itself is at fault (`anchor_forged`, `anchor_missing`). */
      line: number;
      reason: AuditProblem;
      message: string;
      lines: number;
    };

export interface VerifyAuditFileOptions {
  /**
   * Check the file against its newest signed anchor (written by `JsonlFileSink`'s `anchor` option).
   * `key` is the Ed25519 public key of the sink's signing key; `path` the anchor file, default
   * `<path>.anchor`.
   */
  anchor?: { key: CryptoKey | KeyObject; path?: string };
}

/**
 * Verifies a hash-chained audit file (written by `JsonlFileSink`) and names the first bad line: lines
 * that were edited (the seal of their block, or the next block's link to it, does not match them), lines
 * that are missing (a gap in `seq`), lines out of order, lines after the last seal (appended, or a write
 * cut short), or a line that is not JSON or not a JSON object. Streams the file: any size.
 *
 * A sink writes a file in blocks (one per flush): every line carries `seq`; the block's last line carries
 * `seal: { from, prev_hash, hash }`, where `from` is the block's first `seq`, `prev_hash` the `lineHash` of
 * the line before the block (`GENESIS_HASH` for the first) and `hash` the SHA-256 of the block's other
 * lines, each with its newline. Files written before seals (every line with its own `prev_hash`, the
 * `lineHash` of the line before it) verify too, also when a sealing sink appended to them.
 *
 * The last line has no successor to vouch for it. With `anchor`, the newest signed anchor does: its
 * signature is verified, then the file must have at least the anchored `lines`, and line `lines` must
 * hash to the anchored `head` (any change up to it, even with every later hash recomputed, changes
 * the head). A chain defect is reported first; then `truncated`, `rechained`, `anchor_forged` or
 * `anchor_missing`. Lines after the anchored ones are counted in `unanchored`.
 *
 * @throws OptionsInvalidError when `anchor.key` is not an Ed25519 public key, or `anchor.path` is not a
 * non-empty string.
 * @throws Error, Node's file-system error as it is (`ENOENT`, `EACCES`, `EISDIR`), when the file (or an
 * existing anchor file) cannot be opened or read: a rejection, not an `ok: false` result.
 *
 * @example
 * const result = await verifyAuditFile('audit/run.jsonl', { anchor: { key: publicKey } });
 * if (!result.ok) console.error(`line ${result.line}: ${result.reason}: ${result.message}`);
 */
export async function verifyAuditFile(
  path: string,
  options: VerifyAuditFileOptions = {},
): Promise<AuditVerification> {
  const reading = options.anchor === undefined ? undefined : await readAnchor(path, options.anchor);
  const anchoredLines = reading?.ok ? reading.anchor.lines : 0;
  let anchoredHash: string | undefined;
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let number = 0;
  let previous: string | undefined;
  let previousSeq = 0;
  // The open block: its first line's number, the hash of the line before it, its lines so far.
  let block: { first: number; prevHash: string; hash: Hash } | undefined;
  for await (const line of lines) {
    number++;
    let event: { seq?: unknown; prev_hash?: unknown; seal?: unknown } | null;
    try {
      event = JSON.parse(line);
    } catch {
      return bad(number, 'not_json', `line ${number} is not JSON`);
    }
    if (typeof event !== 'object' || event === null || Array.isArray(event)) {
      return bad(
        number,
        'not_chained',
        `line ${number} is not a JSON object: it was not written by a chained sink`,
      );
    }
    if (typeof event.seq !== 'number') {
      return bad(number, 'not_chained', `line ${number} has no seq: it was not written by a chained sink`);
    }
    if (event.seq <= previousSeq) {
      return bad(
        number,
        'out_of_order',
        `line ${number} has seq ${event.seq} after ${previousSeq}: lines were reordered`,
      );
    }
    if (event.seq !== previousSeq + 1) {
      const missing = event.seq - previousSeq - 1;
      return bad(
        number,
        'missing_lines',
        `${missing} line(s) missing before line ${number} (seq ${previousSeq + 1}..${event.seq - 1})`,
      );
    }
    const before = (): string => (previous === undefined ? GENESIS_HASH : lineHash(previous));
    if (event.prev_hash !== undefined) {
      // A line of the format before seals: it vouches for the line before it.
      if (block) return unsealed(block.first, number - 1);
      if (typeof event.prev_hash !== 'string' || event.prev_hash !== before())
        return brokenLink(event.prev_hash);
    } else if (event.seal !== undefined) {
      const seal = event.seal as { from?: unknown; prev_hash?: unknown; hash?: unknown } | null;
      const first = block?.first ?? number;
      const expected = block?.prevHash ?? before();
      if (typeof seal !== 'object' || seal === null || seal.from !== event.seq - (number - first)) {
        return bad(
          first,
          'edited',
          `the seal on line ${number} was changed: it does not name its block's first line`,
        );
      }
      if (seal.prev_hash !== expected) {
        return first === 1
          ? bad(1, 'edited', "line 1 does not start the chain (its seal's prev_hash is not the genesis hash)")
          : bad(
              first - 1,
              'edited',
              `line ${first - 1} was changed after it was written (the seal on line ${number} does not match it)`,
            );
      }
      if (seal.hash !== `sha256:${(block?.hash ?? createHash('sha256')).digest('hex')}`) {
        return bad(
          first,
          'edited',
          number - 1 === first
            ? `line ${first} was changed after it was written (the seal on line ${number} does not match it)`
            : `a line among lines ${first}..${number - 1} was changed after it was written (the seal on line ${number} does not match them)`,
        );
      }
      block = undefined;
    } else {
      block ??= { first: number, prevHash: before(), hash: createHash('sha256') };
      block.hash.update(`${line}\n`);
    }
    if (number === anchoredLines) anchoredHash = lineHash(line);
    previous = line;
    previousSeq = event.seq;
  }
  if (block) return unsealed(block.first, number);
  const lastHash = previous === undefined ? GENESIS_HASH : lineHash(previous);
  if (reading === undefined) return { ok: true, lines: number, lastHash };
  if (!reading.ok) return bad(0, reading.reason, reading.message);
  const { anchor } = reading;
  if (number < anchor.lines) {
    return bad(
      number + 1,
      'truncated',
      `the file has ${number} line(s) but its anchor of ${anchor.at} covers ${anchor.lines}: ${anchor.lines - number} line(s) were cut off the end`,
    );
  }
  if (anchoredHash !== anchor.head) {
    return bad(
      anchor.lines,
      'rechained',
      `line ${anchor.lines} is not the line the anchor of ${anchor.at} signed: the file was rewritten up to it and re-chained`,
    );
  }
  return { ok: true, lines: number, lastHash, anchor, unanchored: number - anchor.lines };

  function bad(line: number, reason: AuditProblem, message: string): AuditVerification {
    return { ok: false, line, reason, message, lines: number };
  }
  function unsealed(first: number, last: number): AuditVerification {
    return bad(
      first,
      'unsealed',
      `line(s) ${first}..${last} follow the last seal: they were appended, or a write was cut short`,
    );
  }
  function brokenLink(prevHash: unknown): AuditVerification {
    return previous === undefined
      ? bad(number, 'edited', `line ${number} does not start the chain (prev_hash is not the genesis hash)`)
      : bad(
          number - 1,
          'edited',
          `line ${number - 1} was changed after it was written (line ${number}'s prev_hash ${typeof prevHash === 'string' ? 'does not match it' : 'is not a string'})`,
        );
  }
}

/** Checks the `anchor` option, then reads and verifies the newest anchor. */
function readAnchor(
  path: string,
  options: NonNullable<VerifyAuditFileOptions['anchor']>,
): Promise<AnchorReading> {
  if (typeof options !== 'object' || options === null) {
    throw new OptionsInvalidError(
      `anchor must be an object { key, path? }, got ${options === null ? 'null' : typeof options}.`,
    );
  }
  if (options.path !== undefined && (typeof options.path !== 'string' || options.path === '')) {
    throw new OptionsInvalidError(
      `anchor.path must be a non-empty string, got ${JSON.stringify(options.path) ?? typeof options.path}.`,
    );
  }
  const key = ed25519PublicKey(options.key, 'anchor.key');
  return readAuditAnchor(options.path ?? defaultAnchorPath(path), key);
}
