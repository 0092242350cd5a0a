import { OrbitError } from '../errors.js';
import type { ReasonCode } from '../gate/reason-codes.js';

/**
 * A trust token was refused (at mint or at verification). `reason` is the decision's reason code
 * (`token_expired`, `scope_escalation`, ...); `field` names the scope field that was wider, if any.
 */
export class TokenError extends OrbitError<'ERR_TOKEN_REFUSED'> {
  static override readonly codes = ['ERR_TOKEN_REFUSED'] as const;
  readonly reason: ReasonCode;
  readonly field: string | undefined;
  constructor(reason: ReasonCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super('ERR_TOKEN_REFUSED', message, { cause: options.cause });
    this.reason = reason;
    this.field = options.field;
  }
}
