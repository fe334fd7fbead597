/**
 * The OS package catalogers, registered by hand (no import side effects). The generic
 * cataloger iterates this list; the contract test in os-catalogers.test.ts checks every entry.
 */
import { apkCataloger } from './apk/index.js';
import { dpkgCataloger } from './dpkg/index.js';
import { rpmCataloger } from './rpm/index.js';
import type { Cataloger } from './types.js';

export const OS_CATALOGERS: readonly Cataloger[] = [dpkgCataloger, apkCataloger, rpmCataloger];
