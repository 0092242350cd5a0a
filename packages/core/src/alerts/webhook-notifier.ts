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

/** A notifier that also tells when everything it was given has been delivered (or given up on). */
export type DrainableNotifier = Notifier & { drain(): Promise<void> };

/**
 * POSTs each alert as JSON, retrying 5xx, 429 and network errors with exponential back-off. Delivery
 * runs in the background: the agent's run never waits for it; `drain()` waits for what is in flight.
 * Neither the factory nor the notifier throws (options are not checked; a bad `url` or `timeoutMs`
 * fails each delivery, which goes to `onError`).
 *
 * @throws from `drain()`, what `onError` throws, or a TypeError for an alert JSON cannot encode (a
 * BigInt, a cycle in `evidence`). With no `drain()` waiting, such an error is an unhandled rejection
 * (by default it ends the process): keep `onError` from throwing.
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

  const deliver = async (alert: Alert) => {
    const body = JSON.stringify(alert);
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
    onError(lastError, alert);
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
