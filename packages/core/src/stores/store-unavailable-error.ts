import { OrbitError } from '../errors.js';

/** The store could not be reached. Runs fail closed: write tools do not run (`store_unavailable`). */
export class StoreUnavailableError extends OrbitError<'ERR_STORE_UNAVAILABLE'> {
  static override readonly codes = ['ERR_STORE_UNAVAILABLE'] as const;
  constructor(store: string, cause?: unknown) {
    super(
      'ERR_STORE_UNAVAILABLE',
      `The ${store} store cannot be reached: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}
