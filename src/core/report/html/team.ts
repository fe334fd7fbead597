/**
 * The team (or owner) an image belongs to, read from its metadata: the keys are tried in order,
 * and for each key the user's annotations first, then the manifest's OCI annotations, then the
 * image config's labels. Reports are grouped and filtered by it.
 */

/** Tried in order when the caller configures nothing. */
export const DEFAULT_TEAM_LABEL_KEYS: readonly string[] = [
  'team',
  'owner',
  'org.opencontainers.image.vendor',
];

export interface TeamSources {
  /** Annotations given when the image was added (Anchore's `annotations`). */
  annotations?: Readonly<Record<string, string>>;
  /** The manifest's `annotations`. */
  manifestAnnotations?: Readonly<Record<string, string>>;
  /** The image config's `config.Labels`. */
  labels?: Readonly<Record<string, string>>;
}

export interface TeamLabel {
  key: string;
  value: string;
  from: 'annotation' | 'manifest-annotation' | 'label';
}

export function teamLabel(
  sources: TeamSources,
  keys: readonly string[] = DEFAULT_TEAM_LABEL_KEYS,
): TeamLabel | undefined {
  const ordered = [
    ['annotation', sources.annotations],
    ['manifest-annotation', sources.manifestAnnotations],
    ['label', sources.labels],
  ] as const;
  for (const key of keys) {
    for (const [from, map] of ordered) {
      const value = map?.[key]?.trim();
      if (value) return { key, value, from };
    }
  }
  return undefined;
}

/** The manifest's annotations from its raw JSON text; empty when it has none or is not JSON. */
export function manifestAnnotations(manifest: string | undefined): Record<string, string> {
  if (!manifest) return {};
  try {
    const parsed = JSON.parse(manifest) as { annotations?: unknown };
    const annotations = parsed.annotations;
    if (!annotations || typeof annotations !== 'object') return {};
    return Object.fromEntries(
      Object.entries(annotations as Record<string, unknown>).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
  } catch {
    return {};
  }
}
