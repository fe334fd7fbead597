import type { Cataloger } from '../types.js';
import { parsePackageJson } from './parse-package-json.js';
import { parsePackageLock } from './parse-package-lock.js';
import { parsePnpmLock } from './parse-pnpm-lock.js';
import { parseYarnLock } from './parse-yarn-lock.js';

/**
 * Installed modules: every package.json (the parser tells module roots, inner manifests and the
 * application's own apart), including the modules Debian ships outside node_modules.
 */
export const npmInstalledCataloger: Cataloger = {
  id: 'npm-installed',
  // 2: licence names that denote one SPDX licence are recorded as its id.
  // 3: an application's own package.json is declared, installed only with its modules beside it.
  version: 3,
  ecosystem: 'npm',
  parsers: [{ globs: ['/**/package.json'], parse: parsePackageJson }],
};

/**
 * Lockfiles describe what an install would produce: supporting evidence beside the installed
 * modules in an image, the only evidence in a source tree (src/core/catalog/dedupe.ts).
 */
export const npmLockCataloger: Cataloger = {
  id: 'npm-lockfile',
  version: 1,
  ecosystem: 'npm',
  parsers: [
    { globs: ['/**/package-lock.json', '/**/npm-shrinkwrap.json'], declares: true, parse: parsePackageLock },
    { globs: ['/**/yarn.lock'], declares: true, parse: parseYarnLock },
    { globs: ['/**/pnpm-lock.yaml'], declares: true, parse: parsePnpmLock },
  ],
};
