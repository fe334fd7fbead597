export { detectDistro, distroForContext, fromOsRelease } from './detect.js';
export { parseOsRelease, type OsReleaseParse } from './os-release.js';
export type { Distro } from './types.js';
