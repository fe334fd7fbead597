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
  version: 2,
  ecosystem: 'npm',
  parsers: [{ globs: ['/**/package.json'], parse: parsePackageJson }],
};

/** Lockfiles describe what an install would produce; useful for source trees and unbuilt apps. */
export const npmLockCataloger: Cataloger = {
  id: 'npm-lockfile',
  version: 1,
  ecosystem: 'npm',
  parsers: [
    { globs: ['/**/package-lock.json', '/**/npm-shrinkwrap.json'], parse: parsePackageLock },
    { globs: ['/**/yarn.lock'], parse: parseYarnLock },
    { globs: ['/**/pnpm-lock.yaml'], parse: parsePnpmLock },
  ],
};
