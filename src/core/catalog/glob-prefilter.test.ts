/**
 * The prefilter must never reject a path picomatch (the real matcher) accepts: checked for
 * every glob the catalogers declare against a table of paths written by hand, plus a literal
 * table of which globs get a filter at all.
 */
import { posix } from 'node:path';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { ALL_CATALOGERS } from './catalogers.js';
import { basenamePrefilter } from './glob-prefilter.js';

const PATHS = [
  '/app/node_modules/express/package.json',
  '/app/package-lock.json',
  '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO',
  '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info',
  '/usr/lib/python3.11/site-packages/idna-3.4.dist-info/METADATA',
  '/usr/share/java/commons-lang3.jar',
  '/srv/app.WAR',
  '/srv/app.war',
  '/var/lib/gems/3.1.0/specifications/rack-2.2.6.gemspec',
  '/usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec',
  '/usr/bin/fzf',
  '/bin/sh',
  '/app/bin/start',
  '/opt/tool/x',
  '/init',
  '/var/lib/dpkg/status',
  '/var/lib/dpkg/status.d/base',
  '/lib/apk/db/installed',
  '/var/lib/rpm/rpmdb.sqlite',
  '/app/Gemfile.lock',
  '/app/Cargo.lock',
  '/app/bin/app.deps.json',
  '/app/vendor/composer/installed.json',
  '/app/composer.lock',
  '/app/yarn.lock',
  '/app/pnpm-lock.yaml',
  '/src/go.mod',
  '/etc/os-release',
];

const ALL_GLOBS = ALL_CATALOGERS.flatMap((c) => c.parsers.map((p) => p.globs));

describe('basenamePrefilter', () => {
  it.each(ALL_GLOBS.map((g) => [g]))('never rejects a path %j matches', (globs) => {
    const match = picomatch([...globs], { dot: true });
    const pre = basenamePrefilter(globs);
    const matched = PATHS.filter((p) => match(p));
    for (const p of matched) expect(pre ? pre(posix.basename(p)) : true, p).toBe(true);
  });

  it.each([
    [['/**/package.json'], 'package.json', true],
    [['/**/package.json'], 'package.jsonx', false],
    [['/**/*.{jar,war}'], 'a.war', true],
    [['/**/*.{jar,war}'], 'a.zip', false],
    [['/**/*.deps.json'], 'x.deps.json', true],
    [['/**/*.deps.json'], 'deps.json', false],
  ])('%j on %s gives %s', (globs, base, expected) => {
    expect(basenamePrefilter(globs)?.(base)).toBe(expected);
  });

  it.each([[['/**/bin/**']], [['/*']], [['/**/package.json', '/app/**']], [['/**/[ab].txt']]])(
    'gives no filter for %j',
    (globs) => {
      expect(basenamePrefilter(globs)).toBeUndefined();
    },
  );
});
