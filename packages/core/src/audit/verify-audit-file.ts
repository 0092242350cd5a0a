import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { GENESIS_HASH, lineHash } from './jsonl-file-sink.js';

/** What `verifyAuditFile` found. */
export type AuditVerification =
  | { ok: true; lines: number; lastHash: string }
  | {
      ok: false;
      /** The first bad line, 1-based. */
      line: number;
      reason: 'not_json' | 'not_chained' | 'edited' | 'missing_lines' | 'out_of_order';
      message: string;
      lines: number;
    };

/**
 * Verifies a hash-chained audit file (written by `JsonlFileSink`) and names the first bad line: a line
 * that was edited (its successor's `prev_hash` does not match it), lines that are missing (a gap in
 * `seq`), lines out of order, or a line that is not JSON. Streams the file: any size.
 *
 * The last line has no successor to vouch for it: keep `lastHash` somewhere else (a log line, a
 * ticket, a signed checkpoint) to detect an edit of the last line or a truncated tail.
 *
 * @throws Error, Node's file-system error as it is (`ENOENT`, `EACCES`, `EISDIR`), when the file cannot
 * be opened or read: a rejection, not an `ok: false` result.
 * @throws TypeError (a plain one) when a line is the JSON `null`, instead of a `not_chained` result.
 */
export async function verifyAuditFile(path: string): Promise<AuditVerification> {
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let number = 0;
  let previous: string | undefined;
  let previousSeq = 0;
  for await (const line of lines) {
    number++;
    let event: { seq?: unknown; prev_hash?: unknown };
    try {
      event = JSON.parse(line);
    } catch {
      return bad(number, 'not_json', `line ${number} is not JSON`);
    }
    if (typeof event.seq !== 'number' || typeof event.prev_hash !== 'string') {
      return bad(
        number,
        'not_chained',
        `line ${number} has no seq and prev_hash: it was not written by a chained sink`,
      );
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
    const expected = previous === undefined ? GENESIS_HASH : lineHash(previous);
    if (event.prev_hash !== expected) {
      return previous === undefined
        ? bad(number, 'edited', `line ${number} does not start the chain (prev_hash is not the genesis hash)`)
        : bad(
            number - 1,
            'edited',
            `line ${number - 1} was changed after it was written (line ${number}'s prev_hash does not match it)`,
          );
    }
    previous = line;
    previousSeq = event.seq;
  }
  return { ok: true, lines: number, lastHash: previous === undefined ? GENESIS_HASH : lineHash(previous) };

  function bad(
    line: number,
    reason: Extract<AuditVerification, { ok: false }>['reason'],
    message: string,
  ): AuditVerification {
    return { ok: false, line, reason, message, lines: number };
  }
}
