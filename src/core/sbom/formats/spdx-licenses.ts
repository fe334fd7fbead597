import { createRequire } from 'node:module';

// spdx-license-ids ships the SPDX license list as JSON; loaded once.
const require = createRequire(import.meta.url);
const ids: ReadonlySet<string> = new Set([
  ...(require('spdx-license-ids') as string[]),
  ...(require('spdx-license-ids/deprecated.json') as string[]),
]);

export function isSpdxLicenseId(value: string): boolean {
  return ids.has(value);
}
