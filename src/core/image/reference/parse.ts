/**
 * Image references normalized the way Docker does it (distribution/reference's
 * ParseNormalizedNamed + TagNameOnly): `nginx` → `docker.io/library/nginx:latest`.
 */
import { PortcullisError } from '../../errors.js';
import { DIGEST_HEX_LENGTH, IDENTIFIER_RE, NAME_TOTAL_LENGTH_MAX, REFERENCE_RE } from './grammar.js';

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';
/** The old name of Docker Hub, still found in configs; normalized to docker.io. */
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
/** Docker Hub's registry API lives on a different host than its name. */
const DEFAULT_ENDPOINT = 'registry-1.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';

export interface ImageReference {
  /** Registry host with optional port, normalized: "docker.io", "localhost:5000". */
  readonly registry: string;
  /** Repository path inside the registry: "library/nginx". */
  readonly repository: string;
  /** Tag; "latest" when neither tag nor digest was given; kept for display with a digest. */
  readonly tag?: string;
  /** Digest ("sha256:…"); when present it wins over the tag for fetching. */
  readonly digest?: string;
}

function invalid(input: string, reason: string): PortcullisError {
  return new PortcullisError('INVALID_REFERENCE', `invalid image reference "${input}": ${reason}`, {
    details: { reference: input },
  });
}

/**
 * Splits the registry domain off the way Docker does: the first path component is a domain
 * only when it contains "." or ":", is "localhost", or has upper-case letters (repository
 * paths never do); otherwise the reference is on Docker Hub.
 */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = slash === -1 ? '' : name.slice(0, slash);
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(slash + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

function validateDigest(input: string, digest: string): string {
  const colon = digest.indexOf(':');
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) throw invalid(input, `unsupported digest algorithm "${algorithm}"`);
  if (hex.length !== length) throw invalid(input, `invalid checksum digest length for ${algorithm}`);
  if (!/^[a-f0-9]+$/.test(hex)) throw invalid(input, 'invalid checksum digest format (lower-case hex)');
  return digest;
}

/** Parses and normalizes a reference; throws INVALID_REFERENCE with Docker's reason. */
export function parseReference(input: string): ImageReference {
  if (input === '') throw invalid(input, 'repository name must have at least one component');
  if (IDENTIFIER_RE.test(input)) {
    throw invalid(input, 'cannot specify 64-byte hexadecimal strings as a repository name');
  }
  const { domain, remainder } = splitDockerDomain(input);
  const tagSep = remainder.indexOf(':');
  const remoteName = tagSep === -1 ? remainder : remainder.slice(0, tagSep);
  if (remoteName.toLowerCase() !== remoteName) throw invalid(input, 'repository name must be lowercase');

  const full = `${domain}/${remainder}`;
  const match = REFERENCE_RE.exec(full);
  if (!match) {
    if (REFERENCE_RE.test(full.toLowerCase())) throw invalid(input, 'repository name must be lowercase');
    throw invalid(input, 'invalid reference format');
  }
  const [, name = '', tag, digest] = match;
  const repository = name.slice(domain.length + 1);
  // Current distribution/reference (and the docker CLI) limit the path, not domain + path.
  if (repository.length > NAME_TOTAL_LENGTH_MAX) {
    throw invalid(input, `repository name must not be more than ${NAME_TOTAL_LENGTH_MAX} characters`);
  }
  const ref: { registry: string; repository: string; tag?: string; digest?: string } = {
    registry: domain,
    repository,
  };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = validateDigest(input, digest);
  if (ref.tag === undefined && ref.digest === undefined) ref.tag = DEFAULT_TAG;
  return Object.freeze(ref);
}

/** "registry/repository", e.g. "docker.io/library/nginx". */
export function referenceName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The full normalized string, tag and digest included: "docker.io/library/nginx:latest". */
export function formatReference(ref: ImageReference): string {
  return `${referenceName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The short form Docker prints: "nginx:latest", "user/app:1", "localhost:5000/a:latest". */
export function familiarReference(ref: ImageReference): string {
  let name = referenceName(ref);
  if (ref.registry === DEFAULT_DOMAIN) {
    const rest = ref.repository.slice(OFFICIAL_REPO_PREFIX.length);
    // Only official images lose the prefix: "library/a/b" stays as it is, as in Docker.
    name = ref.repository.startsWith(OFFICIAL_REPO_PREFIX) && !rest.includes('/') ? rest : ref.repository;
  }
  return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** What to ask the registry for: the digest when there is one, else the tag. */
export function fetchReference(ref: ImageReference): string {
  return ref.digest ?? ref.tag ?? DEFAULT_TAG;
}

/** Host (and port) that serves the registry API for a normalized registry name. */
export function registryEndpoint(registry: string): string {
  return registry === DEFAULT_DOMAIN ? DEFAULT_ENDPOINT : registry;
}
