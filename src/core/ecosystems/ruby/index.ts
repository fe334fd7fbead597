import type { Cataloger } from '../types.js';
import { parseGemfileLock } from './parse-gemfile-lock.js';
import { parseGemspec } from './parse-gemspec.js';

/** Installed gems, including Debian's rubygems-integration and Ruby's default gems. */
export const rubyInstalledCataloger: Cataloger = {
  id: 'ruby-installed',
  // 2: licence names that denote one SPDX licence are recorded as its id.
  version: 2,
  ecosystem: 'ruby',
  parsers: [
    { globs: ['/**/specifications/*.gemspec', '/**/specifications/default/*.gemspec'], parse: parseGemspec },
  ],
};

export const rubyLockCataloger: Cataloger = {
  id: 'ruby-gemfile-lock',
  version: 1,
  ecosystem: 'ruby',
  parsers: [{ globs: ['/**/Gemfile.lock'], declares: true, parse: parseGemfileLock }],
};
