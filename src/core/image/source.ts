import { PortcullisError } from '../errors.js';

/** The source prefixes accepted on the command line, e.g. `oci-dir:./layout:v1`. */
export const SOURCE_SCHEMES = [
  'registry',
  'docker',
  'docker-archive',
  'oci-archive',
  'oci-dir',
  'dir',
] as const;
export type SourceScheme = (typeof SOURCE_SCHEMES)[number];

export interface SourceSpec {
  scheme: SourceScheme;
  /** Everything after the prefix: an image reference, a file, or a directory (with optional `:tag`). */
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
