import { ManifestDowngradeError } from '../errors.js';
import { type NewestManifest, orderManifest } from './manifest-order.js';

/**
 * The newest signed manifest `loadManifest` verified per agent id in this process. Module state that
 * nothing outside this file can reach: a caller cannot forget a version to load an older manifest.
 */
const newest = new Map<string, NewestManifest>();

/**
 * Records a verified manifest as the newest of its agent, or refuses it.
 *
 * @throws ManifestDowngradeError when it is older than the newest seen in this process, or has its
 * version with other content.
 */
export function recordNewestManifest(agentId: string, version: number, digest: string): void {
  const order = orderManifest(newest.get(agentId), version, digest);
  if (!order.ok)
    throw new ManifestDowngradeError(agentId, version, order.newestVersion, order.reason, 'process');
  if (order.newest) newest.set(agentId, { version, digest });
}

/** The newest `manifest_version` verified for an agent in this process (0: none). */
export function newestManifestVersion(agentId: string): number {
  return newest.get(agentId)?.version ?? 0;
}
