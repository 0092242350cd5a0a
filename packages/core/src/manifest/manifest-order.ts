/** The newest manifest seen for an agent: its `manifest_version` (>= 1) and digest. */
export interface NewestManifest {
  readonly version: number;
  readonly digest: string;
}

/**
 * Where a manifest stands next to the newest seen for its agent: accepted (`newest`: it becomes the
 * newest) or refused, with the newest version.
 */
export type ManifestOrder =
  | { readonly ok: true; readonly newest: boolean }
  | {
      readonly ok: false;
      readonly reason: 'older' | 'same_version_different_content';
      readonly newestVersion: number;
    };

/**
 * The one ordering rule of manifests, in this process and in every store: an older version is refused,
 * and so is the newest's version with another digest. Version 0 (no `manifest_version`) is never
 * recorded: it loads while no versioned manifest of the agent was seen.
 */
export function orderManifest(
  newest: NewestManifest | undefined,
  version: number,
  digest: string,
): ManifestOrder {
  if (!newest || version > newest.version) return { ok: true, newest: version > 0 };
  if (version < newest.version) return { ok: false, reason: 'older', newestVersion: newest.version };
  if (digest !== newest.digest) {
    return { ok: false, reason: 'same_version_different_content', newestVersion: newest.version };
  }
  return { ok: true, newest: false };
}
