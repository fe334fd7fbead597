import { PortcullisError } from '../errors.js';

/** The image source prefixes accepted on the command line, e.g. `oci-dir:./layout:v1`. */
export const IMAGE_SCHEMES = [
  'registry',
  'docker',
  'docker-archive',
  'oci-archive',
  'oci-dir',
  'dir',
] as const;
export type ImageScheme = (typeof IMAGE_SCHEMES)[number];

/**
 * Every prefix a source may carry: the image schemes plus `sbom:<file>`, an SBOM read back
 * instead of an image. `sbom:` must be known here, or `sbom:app.json` would be read as the
 * registry tag `docker.io/library/sbom:app.json` and `sbom:/abs.json` refused as a reference.
 */
export const SOURCE_SCHEMES = [...IMAGE_SCHEMES, 'sbom'] as const;
export type SourceScheme = (typeof SOURCE_SCHEMES)[number];

export interface SourceSpec {
  scheme: SourceScheme;
  /**
   * Everything after the prefix: an image reference, a file, or a directory (with optional
   * `:tag`); for `sbom:`, the file path, absolute or relative to the working directory.
   */
  target: string;
  /** The string as given, for messages. */
  input: string;
}

/**
 * Splits `scheme:target`. A string without a known prefix is a registry reference, so
 * `localhost:5000/app:1` stays a registry reference (the host has a port, not a scheme).
 */
export function parseSource(input: string): SourceSpec {
  const trimmed = input.trim();
  if (trimmed === '') throw new PortcullisError('INVALID_ARGUMENT', 'image source is empty');
  const colon = trimmed.indexOf(':');
  if (colon > 0) {
    const prefix = trimmed.slice(0, colon);
    const rest = trimmed.slice(colon + 1);
    if ((SOURCE_SCHEMES as readonly string[]).includes(prefix)) {
      if (rest === '') {
        throw new PortcullisError('INVALID_ARGUMENT', `image source "${input}" names no ${prefix} target`);
      }
      return { scheme: prefix as SourceScheme, target: rest, input: trimmed };
    }
  }
  return { scheme: 'registry', target: trimmed, input: trimmed };
}
