/** Every scheme's literal table, keyed by scheme id, for the contract test. */
import { DEB_TABLE } from '../deb/table.js';
import { RPM_TABLE } from '../rpm/table.js';
import { SEMVER_TABLE } from '../semver/table.js';
import { GO_TABLE } from '../go/table.js';
import { PEP440_TABLE } from '../pep440/table.js';
import { GEM_TABLE } from '../gem/table.js';
import { MAVEN_TABLE } from '../maven/table.js';
import { COMPOSER_TABLE } from '../composer/table.js';
import { APK_TABLE } from '../apk/table.js';
import { NUGET_TABLE } from '../nuget/table.js';
import type { SchemeId } from '../types.js';
import type { SchemeTable } from './table.js';

export const SCHEME_TABLES: Record<SchemeId, SchemeTable> = {
  deb: DEB_TABLE,
  rpm: RPM_TABLE,
  semver: SEMVER_TABLE,
  go: GO_TABLE,
  pep440: PEP440_TABLE,
  gem: GEM_TABLE,
  maven: MAVEN_TABLE,
  composer: COMPOSER_TABLE,
  apk: APK_TABLE,
  nuget: NUGET_TABLE,
};
