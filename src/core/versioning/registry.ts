/**
 * Every version scheme, listed by hand: adding a scheme means adding it here, and the contract
 * test then checks it. No import side effects register anything.
 */
import { PortcullisError } from '../errors.js';
import { deb } from './deb/index.js';
import { rpm } from './rpm/index.js';
import { semver } from './semver/index.js';
import { go } from './go/index.js';
import { pep440 } from './pep440/index.js';
import { gem } from './gem/index.js';
import { maven } from './maven/index.js';
import { composer } from './composer/index.js';
import { apk } from './apk/index.js';
import { nuget } from './nuget/index.js';
import type { SchemeId, VersionScheme } from './types.js';

export const VERSION_SCHEMES: readonly VersionScheme[] = [
  deb,
  rpm,
  semver,
  go,
  pep440,
  gem,
  maven,
  composer,
  apk,
  nuget,
];

export function schemeFor(id: string): VersionScheme {
  const scheme = VERSION_SCHEMES.find((s) => s.id === id);
  if (scheme === undefined) {
    throw new PortcullisError('INVALID_ARGUMENT', `unknown version scheme ${JSON.stringify(id)}`, {
      details: { scheme: id, known: VERSION_SCHEMES.map((s) => s.id) },
    });
  }
  return scheme;
}

export function isSchemeId(id: string): id is SchemeId {
  return VERSION_SCHEMES.some((s) => s.id === id);
}
