import type { Alert, Notifier } from './alert.js';

export interface WebhookNotifierOptions {
  /** Where to POST each alert as JSON. */
  url: string;
  headers?: Record<string, string>;
  /** Attempts after the first. Default 3. */
  retries?: number;
  /** First back-off; doubles each retry. Default 250 ms. */
  backoffMs?: number;
  /** Per attempt. Default 5,000 ms. */
  timeoutMs?: number;
  /** Told when an alert could not be delivered after every retry. Default: `console.error`. */
  onError?: (error: unknown, alert: Alert) => void;
}

/** The `code` of the process warning emitted when a webhook notifier's `onError` throws. */
const WEBHOOK_ON_ERROR_THREW = 'ORBIT_WEBHOOK_ON_ERROR_THREW';

/** A notifier that also tells when everything it was given has been delivered (or given up on). */
export type DrainableNotifier = Notifier & { drain(): Promise<void> };

/**
 * POSTs each alert as JSON, retrying 5xx, 429 and network errors with exponential back-off. Delivery
 * runs in the background: the agent's run never waits for it; `drain()` waits for what is in flight.
 * Neither the factory, the notifier nor `drain()` throws (options are not checked; a bad `url` or
 * `timeoutMs` fails each delivery, which goes to `onError`, and so does an alert JSON cannot encode: a
 * BigInt, a cycle in `evidence`). An `onError` that throws is reported with `process.emitWarning`
 * (code `ORBIT_WEBHOOK_ON_ERROR_THREW`), never as an unhandled rejection.
 *
 * @example
 * createOrbit({ manifest, alerts: { notifiers: [webhookNotifier({ url: process.env.ALERT_WEBHOOK! })] } });
 */
export function webhookNotifier(options: WebhookNotifierOptions): DrainableNotifier {
  const retries = options.retries ?? 3;
  const backoff = options.backoffMs ?? 250;
  const timeout = options.timeoutMs ?? 5_000;
  const onError =
    options.onError ??
    ((error, alert) => console.error(`[orbit] alert ${alert.alert} not delivered to ${options.url}:`, error));
  const inFlight = new Set<Promise<void>>();

  const report = (error: unknown, alert: Alert) => {
    try {
      onError(error, alert);
    } catch (thrown) {
      // Delivery runs in the background: a throw here would be an unhandled rejection, which ends the process.
      process.emitWarning(
        `The webhook notifier's onError threw while reporting alert ${alert.alert} not delivered to ${options.url}: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
        { code: WEBHOOK_ON_ERROR_THREW, detail: error instanceof Error ? error.message : String(error) },
      );
    }
  };

  const deliver = async (alert: Alert) => {
    let body: string;
    try {
      body = JSON.stringify(alert);
    } catch (error) {
      return report(error, alert);
    }
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, backoff * 2 ** (attempt - 1)));
      try {
        const response = await fetch(options.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...options.headers },
          body,
          signal: AbortSignal.timeout(timeout),
        });
        if (response.ok) return;
        lastError = new Error(`HTTP ${response.status}`);
        if (response.status < 500 && response.status !== 429) break; // a client error will not get better
      } catch (error) {
        lastError = error;
      }
    }
    report(lastError, alert);
  };

  const notifier = ((alert: Alert) => {
    const delivery = deliver(alert).finally(() => inFlight.delete(delivery));
    inFlight.add(delivery);
  }) as DrainableNotifier;
  notifier.drain = async () => {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  };
  return notifier;
}
