import { randomBytes } from 'node:crypto';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { LANGUAGE_CATALOGERS } from './language-catalogers.js';
import { memoryResolver } from './npm/test-support/host-fs.js';
import type { ParseResult } from './types.js';

const ECOSYSTEMS = ['npm', 'python', 'java', 'ruby', 'go', 'rust', 'dotnet', 'php'];

/** Inputs every parser must survive: nothing, noise, and other formats' magic bytes. */
const HOSTILE_INPUTS: [string, Buffer][] = [
  ['empty', Buffer.alloc(0)],
  ['random bytes', randomBytes(4096)],
  ['text garbage', Buffer.from('{{{ [[[ ::: <<< \u0000 \uFFFD not any format')],
  ['JSON null', Buffer.from('null')],
  ['JSON array of junk', Buffer.from('[1, "a", null, {"x": []}]')],
  ['zip magic', Buffer.concat([Buffer.from('PK\u0003\u0004'), randomBytes(200)])],
  ['ELF magic', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(120, 0xff)])],
  ['invalid UTF-8', Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc])],
];

function isParseResult(r: ParseResult): boolean {
  return Array.isArray(r.packages) && Array.isArray(r.relationships) && Array.isArray(r.problems);
}

describe('LANGUAGE_CATALOGERS contract', () => {
  it('has unique ids, positive integer versions and known ecosystems', () => {
    const ids = LANGUAGE_CATALOGERS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const c of LANGUAGE_CATALOGERS) {
      expect(c.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(Number.isInteger(c.version) && c.version > 0).toBe(true);
      expect(ECOSYSTEMS).toContain(c.ecosystem);
      expect(c.parsers.length).toBeGreaterThan(0);
    }
    expect(new Set(LANGUAGE_CATALOGERS.map((c) => c.ecosystem))).toEqual(new Set(ECOSYSTEMS));
  });

  it('declares absolute picomatch globs', () => {
    for (const c of LANGUAGE_CATALOGERS) {
      for (const p of c.parsers) {
        expect(p.globs.length, c.id).toBeGreaterThan(0);
        for (const g of p.globs) {
          expect(g.startsWith('/'), `${c.id}: ${g}`).toBe(true);
          expect(() => picomatch(g), `${c.id}: ${g}`).not.toThrow();
        }
      }
    }
  });

  it('keep filters accept the real binaries they exist for and reject others', async () => {
    const { readFile } = await import('node:fs/promises');
    const keepOf = (id: string) => LANGUAGE_CATALOGERS.find((c) => c.id === id)?.parsers[0]?.keep;
    const fzf = await readFile('/usr/bin/fzf');
    const truth = await readFile('/usr/bin/true');
    expect(keepOf('go-module-binary')?.(fzf)).toBe(true);
    expect(keepOf('go-module-binary')?.(truth)).toBe(false);
    expect(keepOf('rust-cargo-auditable-binary')?.(truth)).toBe(false);
    expect(keepOf('rust-cargo-auditable-binary')?.(Buffer.from('#!/bin/sh\n.dep-v0\0'))).toBe(false);
  });

  it('prefetch globs are absolute', () => {
    for (const c of LANGUAGE_CATALOGERS)
      for (const p of c.parsers) for (const g of p.prefetch ?? []) expect(g.startsWith('/')).toBe(true);
  });

  it.each([
    ['npm-installed', '/app/node_modules/left-pad/package.json'],
    ['npm-installed', '/usr/share/nodejs/debug/package.json'],
    ['npm-lockfile', '/app/package-lock.json'],
    ['npm-lockfile', '/app/yarn.lock'],
    ['npm-lockfile', '/app/pnpm-lock.yaml'],
    ['python-installed', '/usr/lib/python3/dist-packages/requests-2.28.1.egg-info/PKG-INFO'],
    ['python-installed', '/usr/local/lib/python3.11/site-packages/six-1.16.0.dist-info/METADATA'],
    ['python-installed', '/usr/lib/python3/dist-packages/six-1.16.0.egg-info'],
    ['java-archive', '/usr/share/java/commons-lang3.jar'],
    ['java-archive', '/opt/app/app.war'],
    ['ruby-installed', '/usr/share/rubygems-integration/all/specifications/rack-2.2.22.gemspec'],
    ['ruby-installed', '/usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec'],
    ['ruby-gemfile-lock', '/srv/app/Gemfile.lock'],
    ['go-module-binary', '/usr/bin/fzf'],
    ['go-module-binary', '/manager'],
    ['go-mod-file', '/src/go.mod'],
    ['rust-cargo-lock', '/src/Cargo.lock'],
    ['rust-cargo-auditable-binary', '/usr/local/bin/ripgrep'],
    ['dotnet-deps', '/app/WebApp.deps.json'],
    ['php-composer', '/var/www/vendor/composer/installed.json'],
    ['php-composer', '/var/www/composer.lock'],
  ])('%s wants %s', (id, path) => {
    const c = LANGUAGE_CATALOGERS.find((x) => x.id === id);
    expect(c?.parsers.some((p) => p.globs.some((g) => picomatch(g, { dot: true })(path)))).toBe(true);
  });

  for (const c of LANGUAGE_CATALOGERS) {
    c.parsers.forEach((parser, index) => {
      it.each(HOSTILE_INPUTS)(
        `${c.id} parser ${index} returns a ParseResult for %s input`,
        async (_label, contents) => {
          const path = parser.globs[0]!.replace(/\*\*\//g, 'x/')
            .replace(/\*/g, 'f')
            .replace(/\{([^,}]+)[^}]*\}/g, '$1');
          const result = await parser.parse(
            { path, contents },
            { resolver: memoryResolver({}), foundBy: `${c.id}@${c.version}` },
          );
          expect(isParseResult(result)).toBe(true);
          expect(result.packages).toEqual([]);
        },
      );
    });
  }
});
