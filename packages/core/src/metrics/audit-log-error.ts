import { OrbitError } from '../errors.js';

/**
 * A line of an audit log is not an audit event: not JSON, not an object, or missing or mistyping a
 * field the contract requires. `file` and `line` (1-based) say where; `reason` says what was wrong.
 *
 * @example
 * try {
 *   for await (const event of readAuditEvents('audit.jsonl')) use(event);
 * } catch (error) {
 *   if (error instanceof AuditLogError) console.error(`${error.file}:${error.line}: ${error.reason}`);
 * }
 */
export class AuditLogError extends OrbitError<'ERR_AUDIT_LOG_INVALID'> {
  static override readonly codes = ['ERR_AUDIT_LOG_INVALID'] as const;
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  constructor(file: string, line: number, reason: string, options?: { cause?: unknown }) {
    super(
      'ERR_AUDIT_LOG_INVALID',
      `${file}:${line}: not an audit event: ${reason}. Fix or remove the line, or read with onInvalidLine: 'skip'.`,
      options,
    );
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}
