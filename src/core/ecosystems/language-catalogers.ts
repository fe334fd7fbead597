/**
 * Language-package catalogers, listed by hand (no import side effects). Installed-package
 * catalogers come before lockfile ones; consumers that scan images may prefer the former.
 */
import { dotnetDepsCataloger } from './dotnet/index.js';
import { goBinaryCataloger, goModCataloger } from './go/index.js';
import { javaArchiveCataloger } from './java/index.js';
import { npmInstalledCataloger, npmLockCataloger } from './npm/index.js';
import { phpComposerCataloger } from './php/index.js';
import { pythonInstalledCataloger } from './python/index.js';
import { rubyInstalledCataloger, rubyLockCataloger } from './ruby/index.js';
import { rustAuditableCataloger, rustCargoLockCataloger } from './rust/index.js';
import type { Cataloger } from './types.js';

export const LANGUAGE_CATALOGERS: readonly Cataloger[] = Object.freeze([
  npmInstalledCataloger,
  pythonInstalledCataloger,
  javaArchiveCataloger,
  rubyInstalledCataloger,
  goBinaryCataloger,
  rustAuditableCataloger,
  dotnetDepsCataloger,
  phpComposerCataloger,
  npmLockCataloger,
  rubyLockCataloger,
  goModCataloger,
  rustCargoLockCataloger,
]);
