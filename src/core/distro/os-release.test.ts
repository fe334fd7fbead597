import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseOsRelease } from './os-release.js';

// os-release(5) files are meant to be sourced by a POSIX shell, so dash is the ground truth.
const dir = mkdtempSync(join(tmpdir(), 'portcullis-os-release-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function viaShell(text: string, keys: string[]): Record<string, string> {
  const file = join(dir, 'os-release');
  writeFileSync(file, text);
  const script = `. "$1"; ${keys.map((k) => `printf '%s\\0' "\${${k}-__unset__}"`).join('; ')}`;
  const out = execFileSync('sh', ['-c', script, 'sh', file], { encoding: 'utf8' }).split('\0');
  const result: Record<string, string> = {};
  keys.forEach((k, i) => {
    if (out[i] !== '__unset__') result[k] = out[i] as string;
  });
  return result;
}

const CASES: [string, string][] = [
  ['plain and double quoted', 'ID=debian\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n'],
  ['single quotes keep backslashes', "PRETTY_NAME='a \\\\ b $x'\nID=x\n"],
  ['escapes inside double quotes', 'PRETTY_NAME="say \\"hi\\" \\$HOME \\\\ \\`x\\` \\n"\nID=y\n'],
  ['unquoted escapes', 'NAME=a\\ b\\"c\nID=z\n'],
  ['comments and blank lines', '# comment\n\n  \nID=alpine\n# ID=other\nVERSION_ID=3.18.4\n'],
  ['later assignment wins', 'ID=one\nID=two\n'],
  ['empty values', 'ID=\nNAME=""\nVERSION=\'\'\n'],
  ['utf-8 text', 'ID=x\nPRETTY_NAME="Débian ☃"\n'],
];

describe('parseOsRelease', () => {
  for (const [name, text] of CASES) {
    it(`matches sh for: ${name}`, () => {
      const { fields, problems } = parseOsRelease(text);
      const keys = [...new Set([...text.matchAll(/^\s*([A-Z_]+)=/gm)].map((m) => m[1] as string))];
      expect(fields).toEqual(viaShell(text, keys));
      expect(problems).toEqual([]);
    });
  }

  it('records malformed lines as problems and keeps the good ones', () => {
    const { fields, problems } = parseOsRelease(
      'ID=debian\nthis is not valid\nNAME="unterminated\n',
      '/etc/os-release',
    );
    expect(fields).toEqual({ ID: 'debian' });
    expect(problems).toEqual([
      '/etc/os-release:2: not a KEY=value assignment',
      '/etc/os-release:3: NAME has an unterminated or malformed quoted value',
    ]);
  });

  it('tolerates CRLF line endings, which sh would keep as part of the value', () => {
    expect(parseOsRelease('ID=fedora\r\nVERSION_ID=39\r\n').fields).toEqual({
      ID: 'fedora',
      VERSION_ID: '39',
    });
  });

  it('rejects concatenated quoted strings, which os-release(5) does not allow', () => {
    const { fields, problems } = parseOsRelease('NAME="a"\'b\'\n');
    expect(fields).toEqual({});
    expect(problems).toHaveLength(1);
  });
});
