import { describe, it, expect } from 'vitest';
import { normalizePackageName, pep503 } from './package-names.js';
import { sh } from './test-support/feed-data.js';

describe('package-name normalization', () => {
  it('matches packaging.utils.canonicalize_name (PEP 503) on tricky names', () => {
    const names = [
      'Django',
      'zope.interface',
      'Foo__Bar',
      'a-_-.b',
      'ruamel.yaml.clib',
      'PyYAML',
      'python_dateutil',
      'X..Y',
    ];
    const truth = sh(
      `/usr/bin/python3 -c 'import sys, json; from packaging.utils import canonicalize_name as c; print(json.dumps([c(n) for n in sys.argv[1:]]))' ${names.map((n) => `'${n}'`).join(' ')}`,
    );
    expect(names.map(pep503)).toEqual(JSON.parse(truth));
    expect(normalizePackageName('pep440', 'Foo_Bar')).toBe('foo-bar');
  });

  it('keeps npm, Go, crates and gems as written; lower-cases Packagist and NuGet; tidies Maven', () => {
    const table: [Parameters<typeof normalizePackageName>[0], string, string][] = [
      ['semver', 'JSONStream', 'JSONStream'],
      ['semver', '@Scope/Pkg', '@Scope/Pkg'],
      ['go', 'github.com/BurntSushi/toml', 'github.com/BurntSushi/toml'],
      ['gem', 'ActiveSupport', 'ActiveSupport'],
      ['composer', 'Symfony/HTTP-Kernel', 'symfony/http-kernel'],
      ['maven', 'org.apache.logging.log4j : log4j-core', 'org.apache.logging.log4j:log4j-core'],
      ['deb', 'libssl3', 'libssl3'],
      ['nuget', 'Newtonsoft.Json', 'newtonsoft.json'],
    ];
    for (const [scheme, name, expected] of table) expect(normalizePackageName(scheme, name)).toBe(expected);
  });
});
