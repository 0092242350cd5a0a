import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Why a request was refused (403), or `undefined` when it may go on. */
export type Refusal = { code: string; message: string } | undefined;

/** The header the page sends the console's CSRF token in. */
export const CSRF_HEADER = 'x-orbit-csrf';

/**
 * Checks any request: its `Host` must be one the console answers to (refuses DNS rebinding: a foreign
 * name pointing at the console), and a browser must not say it comes from another site. `allowedHosts`:
 * `allowedHostHeaders` of the bound address and the `--allowed-host` names (`undefined`, before the
 * console knows its port: every request is refused).
 */
export function checkAnyRequest(req: IncomingMessage, allowedHosts: Set<string> | undefined): Refusal {
  const host = (req.headers.host ?? '').toLowerCase();
  if (!allowedHosts?.has(host)) {
    return { code: 'ERR_HOST_REFUSED', message: `this console does not answer to the host "${host}".` };
  }
  if (req.headers['sec-fetch-site'] === 'cross-site') {
    return { code: 'ERR_CROSS_SITE', message: 'cross-site requests are refused.' };
  }
  return undefined;
}

/**
 * Checks a state-changing request: a POST with `Content-Type: application/json`, from this console's
 * own origin (an `Origin` header equal to `http://<Host>`, or, without one, `Sec-Fetch-Site:
 * same-origin`), carrying the console's CSRF token. Any failure: refused, nothing is answered.
 */
export function checkStateChange(req: IncomingMessage, csrfToken: string): Refusal {
  if (req.method !== 'POST') {
    return { code: 'ERR_METHOD', message: 'only POST may change anything.' };
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    return { code: 'ERR_CONTENT_TYPE', message: 'expected Content-Type: application/json.' };
  }
  const origin = req.headers.origin;
  const ownOrigin = `http://${req.headers.host ?? ''}`.toLowerCase();
  if (origin !== undefined) {
    if (origin.toLowerCase() !== ownOrigin) {
      return { code: 'ERR_CROSS_SITE', message: `requests from ${origin} are refused.` };
    }
  } else if (req.headers['sec-fetch-site'] !== 'same-origin') {
    return {
      code: 'ERR_CROSS_SITE',
      message: 'a request without Origin (or Sec-Fetch-Site: same-origin) is refused.',
    };
  }
  const given = req.headers[CSRF_HEADER];
  if (typeof given !== 'string' || !sameSecret(given, csrfToken)) {
    return { code: 'ERR_CSRF', message: `missing or wrong CSRF token (${CSRF_HEADER}).` };
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
