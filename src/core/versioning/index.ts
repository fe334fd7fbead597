/**
 * Public entry of the versioning module: look a scheme up by id, compare and range-check
 * versions with it, and evaluate OSV ranges.
 */
export type { OsvEvent, SchemeId, VersionScheme } from './types.js';
export { SCHEME_IDS } from './types.js';
export { VERSION_SCHEMES, isSchemeId, schemeFor } from './registry.js';
export { isAffected } from './osv-events.js';
export { isIncompatible, isPseudoVersion, pseudoVersionTime } from './go/index.js';
export { normalizeComposer } from './composer/index.js';
